"""Every event type in words: each app words its own events or leaves them to the generic sentence on
purpose, and no sentence is a raw dump of the event's data."""

import dataclasses
import datetime
import logging
import re
import types
import typing

import pytest
from django.utils import timezone

from commerce.audit import events, wording
from commerce.audit.models import DomainEvent

RAW_DUMP = re.compile(r"[{}\[\]]|\b(None|True|False)\b|'\w+':")


def _sample(name: str, hint) -> object:
    """A value of the field's type, shaped like the apps' payloads (money, changes, records)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
    if hint is bool:
        return True
    if hint is int:
        return 3
    if hint is float:
        return 2.5
    if hint is dict or origin is dict:
        if name == "changes":
            return {"name": {"before": "Old name", "after": "New name"}, "position": [1, 2]}
        if "price" in name or name.endswith("address"):
            return {"amount": "12.50", "currency": "EUR"} if "price" in name else {"city": "Lyon", "street": "1 rue X"}
        return {"status": "active", "nested": {"level": 1}, "tags": ["a", "b"]}
    if hint is list or origin is list:
        return [{"batch_number": "B-1", "product_code": "P-1", "quantity": 2}, {"batch_number": "B-2", "product_code": "P-2", "quantity": 1}]
    if name.endswith(("_at", "date", "_on", "_from", "_to")):
        return "2026-12-07T10:00:00+00:00"
    if name.endswith(("_amount", "amount")):
        return "12.50"
    if name == "currency":
        return "EUR"
    return f"sample {name.replace('_', ' ')}"


def _sample_event(cls, *, optional_none: bool) -> DomainEvent:
    hints = typing.get_type_hints(cls)
    payload = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        nullable = type(None) in typing.get_args(hint)
        payload[field.name] = None if (optional_none and nullable) else _sample(field.name, hint)
    return DomainEvent(event_type=cls.event_type, stream_type=cls.stream_type, stream_id="3", version=1,
                       payload=payload, occurred_at=timezone.now(), actor_repr="ann")


def all_types() -> list[str]:
    """Every type the apps declare (not the tests' own example events)."""
    events.discover()
    return sorted(t for t in events.event_types() if not events.event_class(t).__module__.startswith("tests."))


@pytest.mark.parametrize("event_type", all_types())
def test_every_event_type_is_worded_or_left_generic_on_purpose(event_type):
    event = _sample_event(events.event_class(event_type), optional_none=False)

    worded = wording.worded(event)

    assert (worded is not None) != (event_type in wording.generic_types()), (
        f"{event_type}: word it in its app's wording or declare it generic (not both)")


@pytest.mark.parametrize("optional_none", [False, True], ids=["values", "nones"])
@pytest.mark.parametrize("event_type", all_types())
def test_every_event_type_renders_a_sentence_without_a_raw_dump(event_type, optional_none, caplog):
    event = _sample_event(events.event_class(event_type), optional_none=optional_none)

    with caplog.at_level(logging.ERROR, logger="commerce.audit.wording"):
        sentence = wording.event_sentence(event)

    assert not caplog.records, f"{event_type}: a provider raised"
    assert sentence and sentence[0].isupper()
    assert not RAW_DUMP.search(sentence), f"{event_type}: {sentence}"


def test_the_generic_sentence_names_the_event_and_escapes_nothing_itself():
    sentence = wording.generic_sentence(
        "promotions.campaign.budget_spent",
        {"name": "<b>Summer</b>", "spent": {"amount": "120", "currency": "EUR"}, "order_id": 7, "note": "",
         "changes": {"budget": {"before": "100", "after": "200"}}},
    )

    assert sentence == "Campaign budget spent: name: <b>Summer</b>; spent: 120.00 EUR; order id: 7; changes: budget: 100 → 200"


def test_a_failing_wording_is_logged_and_the_generic_sentence_shown(caplog):
    def broken(*, event):
        raise KeyError("boom")

    event = DomainEvent(event_type="orders.order.paid", payload={"order_number": "A1", "amount": "5", "currency": "EUR"},
                        occurred_at=datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC))
    with wording.providers.isolated():
        wording.providers.register("broken", broken)
        sentence = wording.event_sentence(event)

    assert sentence == "Order paid: order number: A1; amount: 5; currency: EUR"
    assert "event wording 'broken' failed for orders.order.paid" in caplog.text


def test_an_order_event_reuses_the_order_pages_wording():
    from orders.timeline import staff_words

    event = DomainEvent(event_type="orders.payment.processed", stream_type="order",
                        payload={"order_number": "A1B2", "amount": "45.00", "currency": "EUR", "status": "captured",
                                 "gateway": "sandbox", "error_code": ""},
                        occurred_at=timezone.now())

    assert wording.event_sentence(event) == f"Order A1B2: {staff_words(event)}" == "Order A1B2: Paid 45.00 EUR by card"


@pytest.mark.django_db
def test_the_audit_trail_says_each_event_in_words_and_names_its_actor(client, superuser):
    from django.urls import reverse

    from commerce.catalog import inventory
    from tests.factories import ProductFactory, days_ahead

    product = ProductFactory(code="BRIE")
    inventory.stock_receive(product=product, batch_number="B-17", quantity=12, expires_on=days_ahead(9), location="A-3")
    inventory.stock_reserve(product=product, quantity=2, reference="order:A1B2")
    client.force_login(superuser)

    changelist = client.get(reverse("admin:audit_domainevent_changelist")).content.decode()
    reserved = DomainEvent.objects.get(event_type="catalog.stock.reserved")
    change = client.get(reverse("admin:audit_domainevent_change", args=[reserved.pk])).content.decode()

    assert f"Batch B-17 of product {product.pk}: 12 units received, expires {days_ahead(9).isoformat()}, at A-3" in changelist
    assert f"Order A1B2 reserved 2 units of product {product.pk}: batch B-17 × 2" in changelist
    assert changelist.index("Order A1B2 reserved") < changelist.index("Batch B-17 of product")  # newest first
    assert "What happened" in change and f"Order A1B2 reserved 2 units of product {product.pk}" in change
    assert "Actor repr" not in change and ">Actor:<" in change
    assert "<div>batch number B-17, quantity 2</div>" in change  # the allocations, one per line, not JSON
    assert "{" not in change.split('class="event-data"', 1)[1].split("</dl>", 1)[0]
