import logging
from dataclasses import dataclass
from typing import ClassVar

import pytest
from celery.exceptions import Retry
from django.db import transaction

from commerce import context, telemetry
from commerce.audit import bus, selectors
from commerce.audit.events import DomainEventData, mask_secrets, record
from commerce.audit.journey import JourneyAction, journey_record
from commerce.audit.models import AppendOnlyError, DomainEvent
from tests.audit import handlers

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ThingHappened(DomainEventData):
    event_type: ClassVar[str] = "tests.thing.happened"
    stream_type: ClassVar[str] = "thing"
    thing_id: int
    customer_id: int | None = None
    product_id: int | None = None
    password: str = ""
    details: dict | None = None

    @property
    def stream_id(self):
        return self.thing_id


def test_record_writes_one_row_per_event_with_stream_versions():
    with transaction.atomic():
        record(ThingHappened(thing_id=1, customer_id=7, product_id=9))
        record(ThingHappened(thing_id=1))
        record(ThingHappened(thing_id=2))

    rows = list(DomainEvent.objects.values_list("stream_id", "version", "customer_id", "product_id"))
    assert rows == [("1", 1, 7, 9), ("1", 2, None, None), ("2", 1, None, None)]


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        record(ThingHappened(thing_id=1))
    assert DomainEvent.objects.count() == 0


def test_rolled_back_command_leaves_no_event():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(ThingHappened(thing_id=1))
        raise ZeroDivisionError
    assert DomainEvent.objects.count() == 0


def test_events_are_append_only():
    with transaction.atomic():
        record(ThingHappened(thing_id=1))
    event = DomainEvent.objects.get()
    event.event_type = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        DomainEvent.objects.all().update(event_type="tampered")
    with pytest.raises(AppendOnlyError):
        DomainEvent.objects.all().delete()
    assert DomainEvent.objects.get().event_type == "tests.thing.happened"


def test_secrets_are_masked_in_payloads():
    with transaction.atomic():
        record(ThingHappened(thing_id=1, password="hunter2", details={"card_number": "4242", "last4": "4242"}))
    payload = DomainEvent.objects.get().payload
    assert payload["password"] == "***"
    assert payload["details"] == {"card_number": "***", "last4": "4242"}
    assert mask_secrets({"api_key": "", "nested": [{"token": "x"}]}) == {"api_key": "", "nested": [{"token": "***"}]}


def test_event_carries_channel_and_trace_id(spans):
    context.set_channel(context.Channel.TASK)
    try:
        with telemetry.command_span("commerce.test.command") as span, transaction.atomic():
            record(ThingHappened(thing_id=1))
    finally:
        context.clear()
    event = DomainEvent.objects.get()
    assert event.channel == "task"
    assert event.trace_id == format(span.get_span_context().trace_id, "032x")
    finished = spans.get_finished_spans()
    assert finished[-1].name == "commerce.test.command"
    assert finished[-1].attributes["commerce.service"] == "commerce-service"


def test_log_lines_carry_the_trace_id(caplog):
    filt = telemetry.TraceIdLogFilter()
    logger = logging.getLogger("commerce.tests")
    with telemetry.command_span("commerce.test.log") as span:
        record_ = logger.makeRecord("commerce.tests", logging.INFO, __file__, 1, "hello", (), None)
        filt.filter(record_)
    assert record_.trace_id == format(span.get_span_context().trace_id, "032x")
    outside = logger.makeRecord("commerce.tests", logging.INFO, __file__, 1, "hello", (), None)
    filt.filter(outside)
    assert outside.trace_id == "-"


def test_selectors_read_streams_types_customers_and_products():
    with transaction.atomic():
        for i in range(3):
            record(ThingHappened(thing_id=1, customer_id=5, product_id=8 if i == 2 else None))
        record(ThingHappened(thing_id=2, customer_id=6))

    assert [e.version for e in selectors.stream_events(stream_type="thing", stream_id=1, from_version=2)] == [2, 3]
    assert selectors.events_by_type(event_type="tests.thing.happened").count() == 4
    assert selectors.customer_history(customer_id=5).count() == 3
    assert [e.version for e in selectors.product_history(product_id=8)] == [3]


def test_customer_journey_is_rebuilt_by_session():
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="s1", customer_id=5, details={"query": "milk"})
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s1", customer_id=5, product_id=11)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s2", customer_id=5, product_id=12)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s3", customer_id=99, product_id=13)

    journey = selectors.customer_journey(customer_id=5)

    assert [s.session_id for s in journey.sessions] == ["s1", "s2"]
    assert journey.sessions[0].actions == ["product_search", "product_view"]
    assert journey.action_counts == {"product_search": 1, "product_view": 2}
    assert journey.viewed_products == [11, 12]
    assert journey.searches == ["milk"]


def test_subscribers_run_after_commit_each_on_its_own(django_capture_on_commit_callbacks, celery_eager):
    handlers.seen.clear()
    bus.subscribe("tests.thing.happened", "tests.audit.handlers.explode")
    bus.subscribe("tests.thing.happened", "tests.audit.handlers.remember")
    try:
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            record(ThingHappened(thing_id=1))
        assert handlers.seen == []  # nothing ran before commit
        assert len(callbacks) == 2
        with pytest.raises(Retry):
            callbacks[0]()  # the failing reaction is retried by Celery...
        callbacks[1]()  # ...does not stop the other one
    finally:
        bus.unsubscribe("tests.thing.happened", "tests.audit.handlers.explode")
        bus.unsubscribe("tests.thing.happened", "tests.audit.handlers.remember")
    event = DomainEvent.objects.get()
    assert handlers.seen == [(event.pk, "tests.thing.happened")]


def test_rolled_back_command_queues_no_reaction(django_capture_on_commit_callbacks):
    bus.subscribe("tests.thing.happened", "tests.audit.handlers.remember")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            with pytest.raises(ZeroDivisionError), transaction.atomic():
                record(ThingHappened(thing_id=1))
                raise ZeroDivisionError
    finally:
        bus.unsubscribe("tests.thing.happened", "tests.audit.handlers.remember")
    assert callbacks == []


def test_events_recorded_while_the_bus_is_paused_queue_no_reaction(django_capture_on_commit_callbacks, celery_eager):
    handlers.seen.clear()
    bus.subscribe("tests.thing.happened", "tests.audit.handlers.remember")
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with bus.paused(), transaction.atomic():
                record(ThingHappened(thing_id=1))
            with transaction.atomic():
                record(ThingHappened(thing_id=2))
    finally:
        bus.unsubscribe("tests.thing.happened", "tests.audit.handlers.remember")
    assert len(callbacks) == 1 and DomainEvent.objects.count() == 2  # recorded all the same
    assert handlers.seen == [(DomainEvent.objects.get(payload__thing_id=2).pk, "tests.thing.happened")]
