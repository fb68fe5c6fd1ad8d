"""The admin's read-only fields shown for a row that is not saved: an add form, an inline's empty
row, or an inline row whose posted id is no row of the object's (a tampered form).

Django shows a read-only callable's AttributeError, ValueError or ObjectDoesNotExist as an empty
value; anything else is a 500. The product page's stock batches inline (read-only) did the
arithmetic of ``available`` on an empty batch when its posted id matched no batch: TypeError.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.test import Client, RequestFactory

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch
from tests.factories import UserFactory, admin_form_data
from tests.orders.factories import stocked_product

pytestmark = pytest.mark.django_db

SHOWN_EMPTY = (AttributeError, ValueError, ObjectDoesNotExist)  # what Django's AdminReadonlyField forgives


def _admins(request):
    for model_admin in admin.site._registry.values():
        yield model_admin
        yield from model_admin.get_inline_instances(request, None)


def test_every_admins_read_only_fields_can_show_an_unsaved_row():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    failures = {}
    for model_admin in _admins(request):
        blank = model_admin.model()
        for name in model_admin.get_readonly_fields(request, None):
            try:
                lookup_field(name, blank, model_admin)
            except SHOWN_EMPTY:
                pass
            except Exception as error:  # noqa: BLE001 (any other error is the 500 looked for)
                failures[f"{type(model_admin).__name__}.{name}"] = repr(error)

    assert failures == {}


def test_a_refused_product_form_whose_batch_row_names_no_batch_is_shown_again_not_a_500(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = stocked_product(quantity=5)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/catalog/product/{product.pk}/change/"
    data = admin_form_data(client.get(url))
    batch_ids = [name for name in data if name.startswith("batches-") and name.endswith("-id")]
    assert batch_ids
    before = (list(StockBatch.objects.values_list("pk", "quantity_on_hand")), DomainEvent.objects.count())

    response = client.post(url, {**data, batch_ids[0]: "999999", "name": ""})  # refused: the form comes back

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert (list(StockBatch.objects.values_list("pk", "quantity_on_hand")), DomainEvent.objects.count()) == before


def test_removing_a_picture_that_another_tab_removed_already_changes_nothing_else(settings, tmp_path):
    """The row's id names no picture any more: Django gives it an empty picture, marked for removal;
    the admin added it as a new picture with no file (AttributeError, a 500)."""
    from commerce.catalog.models import ProductImage
    from tests.catalog.factories import add_picture

    settings.MEDIA_ROOT = tmp_path
    product = stocked_product(quantity=5)
    kept, gone = add_picture(product, alt_text="Front"), add_picture(product, alt_text="Back")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/catalog/product/{product.pk}/change/"
    data = admin_form_data(client.get(url))
    row = next(name.removesuffix("-id") for name in data
               if name.startswith("images-") and name.endswith("-id") and data[name] == str(gone.pk))
    gone.delete()  # the other tab's removal

    response = client.post(url, {**data, f"{row}-DELETE": "on"})

    assert response.status_code == 302
    assert list(ProductImage.objects.filter(product=product).values_list("pk", flat=True)) == [kept.pk]
