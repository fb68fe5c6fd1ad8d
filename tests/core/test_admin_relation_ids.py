"""Every relation field of every admin form (ours and third-party, inlines too) answers a value that is
not an id with the field's error: a 20-digit id overflowed SQLite's driver (an ``OverflowError``, a 500)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import Client, RequestFactory

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["9" * 20, str(2**63), "0", "-1"]


def _relation_fields(superuser):
    """(where, field) for each id-keyed relation field of each admin form and inline form."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        forms = [(model._meta.label, model_admin.get_form(request))]
        forms += [(f"{model._meta.label} inline {inline.model._meta.label}", inline.get_formset(request).form)
                  for inline in model_admin.get_inline_instances(request)]
        for where, form in forms:
            for name, field in form().fields.items():  # as drawn: some forms set their querysets in __init__
                if isinstance(field, (ModelChoiceField, ModelMultipleChoiceField)) and field.to_field_name is None:
                    yield f"{where}.{name}", field


def test_every_admin_relation_field_refuses_what_is_not_an_id():
    fields = list(_relation_fields(UserFactory(is_staff=True, is_superuser=True)))
    assert any(where == "auth.Group.permissions" for where, _ in fields)  # the one that overflowed

    answers = {}
    for where, field in fields:
        for value in NOT_IDS:
            sent = [value] if isinstance(field, ModelMultipleChoiceField) else value
            try:
                field.clean(sent)
            except ValidationError:
                continue
            except Exception as error:  # noqa: BLE001 - what the probe reports
                answers[f"{where}={value}"] = type(error).__name__
            else:
                answers[f"{where}={value}"] = "accepted"

    assert answers == {}


def test_a_group_given_a_20_digit_permission_is_the_form_with_its_error():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post("/admin/auth/group/add/", {"name": "Overflow", "permissions": ["9" * 20]})

    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert not Group.objects.filter(name="Overflow").exists()
