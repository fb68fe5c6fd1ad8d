"""One state change, one audit row: a staff edit is recorded by the service's event, which carries
what the admin saw change; the admin writes its own row only when no service records the edit."""

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import transaction
from django.urls import reverse

from commerce.accounts import services as accounts
from commerce.audit.events import DomainEventData, record
from commerce.audit.models import DomainEvent
from commerce.audit.store import staff_edit
from tests.factories import NO_PASSWORD, CustomerFactory, ProductFactory, UserFactory, admin_form_data

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class LabelEdited(DomainEventData):
    event_type: ClassVar[str] = "tests.label.edited"
    stream_type: ClassVar[str] = "label"
    label_id: int
    customer_id: int | None
    changes: dict

    @property
    def stream_id(self):
        return self.label_id


@dataclass(frozen=True, kw_only=True)
class LabelPrinted(DomainEventData):
    event_type: ClassVar[str] = "tests.label.printed"
    stream_type: ClassVar[str] = "label"
    label_id: int

    @property
    def stream_id(self):
        return self.label_id


def test_the_first_event_of_a_staff_edit_carries_its_details_and_only_the_first():
    with transaction.atomic(), staff_edit({"changes": {"text": {"before": "a", "after": "b"}}, "password": "x"},
                                          customer_id=5, product_id=6) as edit:
        record(LabelPrinted(label_id=1))
        record(LabelPrinted(label_id=1))

    first, second = DomainEvent.objects.order_by("version")
    assert first.payload == {"label_id": 1, "changes": {"text": {"before": "a", "after": "b"}}, "password": "***"}
    assert (first.customer_id, first.product_id) == (5, 6)
    assert second.payload == {"label_id": 1} and (second.customer_id, second.product_id) == (None, None)
    assert edit.recorded == 2


def test_an_events_own_fields_win_over_the_staff_edits():
    with transaction.atomic(), staff_edit({"changes": {"text": "admin's"}}, customer_id=5):
        record(LabelEdited(label_id=1, customer_id=9, changes={"text": "service's"}))

    row = DomainEvent.objects.get()
    assert row.payload["changes"] == {"text": "service's"} and row.customer_id == 9


def test_outside_a_staff_edit_events_are_as_the_service_wrote_them():
    with transaction.atomic():
        record(LabelPrinted(label_id=1))

    assert DomainEvent.objects.get().payload == {"label_id": 1}


@pytest.fixture
def superuser(client):
    user = UserFactory(username="boss", is_staff=True, is_superuser=True, password=NO_PASSWORD)
    client.force_login(user)
    return user


def test_an_address_edit_in_the_admin_is_one_row_with_actor_channel_and_diff(client, superuser):
    customer = CustomerFactory(password=NO_PASSWORD)
    address = accounts.address_create(customer=customer, recipient="Ada", street="1 Rue", city="Lyon", zip_code="69002",
                                      country="FR")
    url = reverse("admin:accounts_address_change", args=[address.pk])
    page = client.get(url)
    rows_before = DomainEvent.objects.count()

    response = client.post(url, admin_form_data(page, city="Lyon 2e"))

    assert response.status_code == 302
    [row] = DomainEvent.objects.order_by("id")[rows_before:]
    assert row.event_type == "accounts.address.updated"
    assert (row.actor, row.channel, row.customer_id) == (superuser, "admin", customer.pk)
    assert row.payload["changes"] == {"city": {"before": "Lyon", "after": "Lyon 2e"}}


def test_a_product_edit_in_the_admin_is_one_row(client, superuser):
    product = ProductFactory(name="Butter")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)
    rows_before = DomainEvent.objects.count()

    client.post(url, admin_form_data(page, name="Salted butter"))

    [row] = DomainEvent.objects.order_by("id")[rows_before:]
    assert row.event_type == "catalog.product.updated" and row.channel == "admin" and row.actor == superuser
    assert row.payload["changes"] == {"name": {"before": "Butter", "after": "Salted butter"}}


def test_an_edit_no_service_records_keeps_one_admin_row(client, superuser):
    staff = UserFactory(username="clerk", is_staff=True, password=NO_PASSWORD)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    page = client.get(url)
    rows_before = DomainEvent.objects.count()

    client.post(url, admin_form_data(page, first_name="Clara"))

    [row] = DomainEvent.objects.order_by("id")[rows_before:]
    assert row.event_type == "admin.accounts.user.changed" and row.actor == superuser
    assert row.payload["changes"]["first_name"] == {"before": "", "after": "Clara"}
