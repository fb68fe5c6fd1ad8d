"""Writing rows to the event store. Only the audit receiver and the admin audit mixin call this."""

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from commerce import context, telemetry
from commerce.audit.events import DomainEventData, mask_secrets
from commerce.audit.models import DomainEvent

_RETRIES = 8


def _next_version(stream_type: str, stream_id: str) -> int:
    current = DomainEvent.objects.filter(stream_type=stream_type, stream_id=stream_id).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def _row(*, event_type, stream_type, stream_id, payload, customer_id=None, product_id=None, session_id="") -> DomainEvent:
    actor = context.actor()
    return DomainEvent(
        event_type=event_type,
        stream_type=stream_type,
        stream_id=str(stream_id),
        payload=mask_secrets(payload),
        actor=actor,
        actor_repr=actor.get_username() if actor else "",
        channel=context.channel(),
        customer_id=customer_id,
        product_id=product_id,
        session_id=(session_id or context.session_key())[:64],
        request_id=context.request_id(),
        trace_id=telemetry.current_trace_id(),
        occurred_at=timezone.now(),
    )


def append_row(
    *,
    event_type: str,
    stream_type: str,
    stream_id,
    payload: dict,
    customer_id: int | None = None,
    product_id: int | None = None,
    session_id: str = "",
) -> DomainEvent:
    """Append one event at the next version of its stream.

    Two writers racing for the same stream version: the loser's savepoint rolls back on the
    unique constraint and it retries at the next version, so no event is ever lost.
    """
    row = _row(
        event_type=event_type, stream_type=stream_type, stream_id=stream_id, payload=payload,
        customer_id=customer_id, product_id=product_id, session_id=session_id,
    )
    for attempt in range(_RETRIES):
        row.version = _next_version(row.stream_type, row.stream_id)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            return row
        except IntegrityError:
            row.pk = None
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def append(event: DomainEventData) -> DomainEvent:
    return append_row(
        event_type=event.event_type,
        stream_type=event.stream_type,
        stream_id=event.stream_id,
        payload=event.payload(),
        customer_id=event.customer,
        product_id=event.product,
        session_id=event.session,
    )


def _event_row(event: DomainEventData) -> DomainEvent:
    return _row(
        event_type=event.event_type,
        stream_type=event.stream_type,
        stream_id=event.stream_id,
        payload=event.payload(),
        customer_id=event.customer,
        product_id=event.product,
        session_id=event.session,
    )


def append_many(events: list[DomainEventData]) -> list[DomainEvent]:
    """Append events in one version query and one insert, retried as a whole on a version race."""
    rows = [_event_row(e) for e in events]
    streams = {(r.stream_type, r.stream_id) for r in rows}
    for attempt in range(_RETRIES):
        where = Q()
        for stream_type, stream_id in streams:
            where |= Q(stream_type=stream_type, stream_id=stream_id)
        current = {
            (r["stream_type"], r["stream_id"]): r["v"]
            for r in DomainEvent.objects.filter(where).values("stream_type", "stream_id").annotate(v=Max("version"))
        }
        for row in rows:
            key = (row.stream_type, row.stream_id)
            current[key] = (current.get(key) or 0) + 1
            row.version = current[key]
            row.pk = None
        try:
            with transaction.atomic():
                created = DomainEvent.objects.bulk_create(rows)
            return created
        except IntegrityError:
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")
