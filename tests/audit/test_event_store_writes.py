"""How the store writes event rows: no savepoint where a failed INSERT undoes only itself, none at all
outside a transaction, and a lost version race retried at the next version with the transaction intact."""

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.audit import store
from commerce.audit.events import DomainEventData, record, record_many
from commerce.audit.journey import JourneyAction, Step, journey_record, journey_record_many
from commerce.audit.models import DomainEvent, JourneyStep

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ThingHappened(DomainEventData):
    event_type: ClassVar[str] = "tests.thing.written"
    stream_type: ClassVar[str] = "thing"
    thing_id: int
    note: str = ""

    @property
    def stream_id(self):
        return self.thing_id


@dataclass(frozen=True)
class OwnPayload(ThingHappened):
    """An event whose payload() does not mask: the store masks it."""

    event_type: ClassVar[str] = "tests.thing.own_payload"

    def payload(self) -> dict:
        return {"thing_id": self.thing_id, "password": "hunter2"}


def versions(stream_id=1) -> list[tuple[str, int]]:
    return list(DomainEvent.objects.filter(stream_type="thing", stream_id=str(stream_id)).order_by("version")
                .values_list("payload__note", "version"))


def statements(queries) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries.captured_queries]


@pytest.fixture
def racer(monkeypatch):
    """Once armed: before the next event INSERT, another writer takes the version it is about to use."""
    real = store._insert
    state = {"armed": False}

    def racing_insert(insert, *, rows):
        if state["armed"]:
            state["armed"] = False
            store.append_row(event_type="tests.thing.happened", stream_type="thing", stream_id=1,
                             payload={"thing_id": 1, "note": "racer"})
        return real(insert, rows=rows)

    monkeypatch.setattr(store, "_insert", racing_insert)
    return state


def test_an_event_insert_in_a_transaction_takes_no_savepoint():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record(ThingHappened(thing_id=1, note="a"))
        record_many([ThingHappened(thing_id=1, note="b"), ThingHappened(thing_id=2, note="c")])

    assert "SAVEPOINT" not in statements(queries)
    assert versions(1) == [("a", 1), ("b", 2)] and versions(2) == [("c", 1)]


def test_a_lost_version_race_retries_at_the_next_version_and_keeps_the_transaction(racer):
    with transaction.atomic():
        record(ThingHappened(thing_id=1, note="earlier"))
        racer["armed"] = True
        record(ThingHappened(thing_id=1, note="mine"))
        assert transaction.get_rollback() is False  # the failed INSERT undid only itself
        record(ThingHappened(thing_id=1, note="later"))

    assert versions() == [("earlier", 1), ("racer", 2), ("mine", 3), ("later", 4)]


def test_a_lost_version_race_of_a_batch_retries_the_whole_batch(racer):
    with transaction.atomic():
        record(ThingHappened(thing_id=1, note="earlier"))
        racer["armed"] = True
        record_many([ThingHappened(thing_id=1, note="b1"), ThingHappened(thing_id=1, note="b2"), ThingHappened(thing_id=2, note="c")])
        assert transaction.get_rollback() is False

    assert versions(1) == [("earlier", 1), ("racer", 2), ("b1", 3), ("b2", 4)]
    assert versions(2) == [("c", 1)]


def test_a_batch_too_big_for_one_sqlite_statement_is_written_under_a_savepoint():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record_many([ThingHappened(thing_id=1, note=str(i)) for i in range(200)])

    assert connection.vendor != "sqlite" or "SAVEPOINT" in statements(queries)
    assert [v for _, v in versions()] == list(range(1, 201))


def test_where_a_failed_insert_would_break_the_transaction_a_savepoint_is_taken(monkeypatch, racer):
    monkeypatch.setattr(store, "_statement_rolls_back_alone", lambda using, rows: False)  # as on PostgreSQL
    racer["armed"] = True

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record(ThingHappened(thing_id=1, note="mine"))

    assert "SAVEPOINT" in statements(queries)
    assert versions() == [("racer", 1), ("mine", 2)]


def test_an_event_class_with_its_own_payload_is_still_masked():
    with transaction.atomic():
        record(OwnPayload(thing_id=1))
        record_many([OwnPayload(thing_id=2)])

    assert [e.payload["password"] for e in DomainEvent.objects.order_by("id")] == ["***", "***"]


@pytest.mark.django_db(transaction=True)
def test_a_journey_step_outside_a_transaction_is_one_insert_with_no_transaction_around_it():
    with CaptureQueriesContext(connection) as queries:
        journey_record(action=JourneyAction.ADD_TO_CART, session_id="", customer_id=7, product_id=3, details={"quantity": 2})

    assert statements(queries) == ["INSERT"]  # no stream version to read: the journey has none
    step = JourneyStep.objects.get()
    assert (step.action, step.customer_id, step.product_id, step.session_id, step.payload) == (
        "add_to_cart", 7, 3, "", {"quantity": 2})


@pytest.mark.django_db(transaction=True)
def test_a_journey_step_is_not_an_audit_event_and_races_nobody():
    with transaction.atomic():
        record(ThingHappened(thing_id=7, note="a state change"))

    journey_record(action=JourneyAction.VIEW_CART, session_id="", customer_id=7)
    journey_record(action=JourneyAction.ADD_TO_CART, session_id="", customer_id=7, product_id=3)

    assert list(DomainEvent.objects.values_list("event_type", "version")) == [("tests.thing.written", 1)]
    assert list(JourneyStep.objects.order_by("id").values_list("action", flat=True)) == ["view_cart", "add_to_cart"]


def test_several_journey_steps_are_written_in_their_order_in_one_insert():
    journey_record(action=JourneyAction.VIEW_CART, session_id="", customer_id=7)

    with CaptureQueriesContext(connection) as queries:
        journey_record_many(
            steps=[Step(JourneyAction.REMOVE_FROM_CART, product_id=4),
                   Step(JourneyAction.ADD_TO_CART, product_id=5, details={"quantity": 2})],
            session_id="", customer_id=7,
        )

    assert statements(queries).count("INSERT") == 1
    rows = list(JourneyStep.objects.order_by("occurred_at", "id").values_list("action", "product_id", "payload", "customer_id"))
    assert rows == [
        ("view_cart", None, {}, 7),
        ("remove_from_cart", 4, {}, 7),
        ("add_to_cart", 5, {"quantity": 2}, 7),
    ]
