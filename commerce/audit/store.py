"""Writing rows to the event store. Only the audit receiver and the admin audit mixin call this."""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, connections, router, transaction
from django.db.models import AutoField
from django.utils import timezone

from commerce import context, telemetry
from commerce.audit.events import DomainEventData, mask_secrets
from commerce.audit.models import DomainEvent

_RETRIES = 8
T = TypeVar("T")


@dataclass
class StaffEdit:
    """What staff changed in the admin (``{"changes": {field: {"before", "after"}}}`` or
    ``{"values": {...}}``), waiting for the event the service records for that change."""

    details: dict
    customer_id: int | None = None  # the customer and product the edited row belongs to, for an
    product_id: int | None = None   # event that names neither itself
    recorded: int = 0  # domain events written while the edit was open


_staff_edit: contextvars.ContextVar[StaffEdit | None] = contextvars.ContextVar("audit_staff_edit", default=None)


@contextmanager
def staff_edit(details: dict, *, customer_id: int | None = None, product_id: int | None = None) -> Iterator[StaffEdit]:
    """While open, the first domain event recorded carries ``details`` in its payload (keys the
    event has itself, such as a service's own ``changes``, are kept as the service wrote them), so
    one staff edit is one row: the service's event, with the staff actor and channel ``admin`` of
    the request context, and the edited row's customer and product where the event names none.
    ``recorded`` tells the admin whether any event was written; when none
    was (an edit no service records), the admin writes its own ``admin.*`` row instead.
    """
    edit = StaffEdit(details=mask_secrets(details), customer_id=customer_id, product_id=product_id)
    token = _staff_edit.set(edit)
    try:
        yield edit
    finally:
        _staff_edit.reset(token)


def _event_columns(event: DomainEventData) -> dict:
    """The row columns of an event, with what an open staff edit adds to the first one."""
    columns = {"payload": event.payload(), "customer_id": event.customer, "product_id": event.product}
    edit = _staff_edit.get()
    if edit is None:
        return columns
    edit.recorded += 1
    if edit.recorded > 1:
        return columns
    return {
        "payload": {**columns["payload"], **{k: v for k, v in edit.details.items() if k not in columns["payload"]}},
        "customer_id": columns["customer_id"] if columns["customer_id"] is not None else edit.customer_id,
        "product_id": columns["product_id"] if columns["product_id"] is not None else edit.product_id,
    }


def _statement_rolls_back_alone(using: str, rows: int) -> bool:
    """Whether a failed INSERT of ``rows`` events undoes only itself and leaves the transaction usable.

    True on MariaDB/MySQL (InnoDB rolls back just the statement on a duplicate key) and on SQLite
    (the default ABORT conflict resolution does the same) when the rows go in one statement. Not on
    PostgreSQL, where any error aborts the whole transaction, so a savepoint is needed there.
    """
    connection = connections[using]
    if connection.vendor == "mysql":
        return True  # one INSERT however many rows: Django does not split bulk inserts on MySQL
    if connection.vendor == "sqlite":
        fields = [f for f in DomainEvent._meta.concrete_fields if not isinstance(f, AutoField)]
        return rows <= connection.ops.bulk_batch_size(fields, [None] * rows)
    return False


def _insert(insert: Callable[[], T], *, rows: int) -> T:
    """Run one event INSERT that may lose a version race (``IntegrityError``, for the caller to retry).

    Outside a transaction the statement commits on its own: no transaction is opened around it.
    Inside one, a savepoint is taken only where a failed statement would break the transaction
    (see ``_statement_rolls_back_alone``); elsewhere the failed INSERT has undone itself, so the
    transaction is intact and the rollback mark Django set while the error went by is cleared.
    Any other error propagates with the mark kept: the enclosing transaction then rolls back whole.
    """
    using = router.db_for_write(DomainEvent)
    connection = connections[using]
    if not connection.in_atomic_block:
        return insert()
    if not _statement_rolls_back_alone(using, rows):
        with transaction.atomic(using=using):
            return insert()
    try:
        return insert()
    except IntegrityError:
        # Only this INSERT was undone (a statement-level rollback); the transaction was usable
        # before it (Django refuses queries in a broken one), so it is usable now.
        transaction.set_rollback(False, using=using)
        raise


def _current_versions(streams) -> dict[tuple[str, str], int]:
    """The latest version of each (stream type, stream id), in one statement, for the streams that have one.

    Read from the database the rows are written to, never a replica: a version read from a
    replica lagging behind would lose every race it retries. Hand-written SQL (the table's own
    quoted names) because it runs before every event insert, and the ORM's aggregate costs the
    server several times the round trip itself.
    """
    streams = list(streams)
    connection = connections[router.db_for_write(DomainEvent)]
    qn = connection.ops.quote_name
    stream_type, stream_id, version = (qn(DomainEvent._meta.get_field(name).column) for name in ("stream_type", "stream_id", "version"))
    where = " OR ".join([f"({stream_type} = %s AND {stream_id} = %s)"] * len(streams))
    sql = (f"SELECT {stream_type}, {stream_id}, MAX({version}) FROM {qn(DomainEvent._meta.db_table)} "  # noqa: S608
           f"WHERE {where} GROUP BY {stream_type}, {stream_id}")  # names from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for stream in streams for value in stream])
        return {(row_type, row_id): current for row_type, row_id, current in cursor.fetchall()}


def _next_version(stream_type: str, stream_id: str) -> int:
    return _current_versions([(stream_type, stream_id)]).get((stream_type, stream_id), 0) + 1


def _row(*, event_type, stream_type, stream_id, payload, customer_id=None, product_id=None, session_id="",
         masked=False) -> DomainEvent:
    actor = context.actor()
    return DomainEvent(
        event_type=event_type,
        stream_type=stream_type,
        stream_id=str(stream_id),
        payload=payload if masked else mask_secrets(payload),
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
    masked: bool = False,
) -> DomainEvent:
    """Append one event at the next version of its stream.

    Two writers racing for the same stream version: the loser's INSERT fails on the unique
    constraint, undoing only itself (see ``_insert``), and it retries at the next version, so no
    event is ever lost. ``masked``: the payload's secrets are masked already (an event's payload).
    """
    row = _row(
        event_type=event_type, stream_type=stream_type, stream_id=stream_id, payload=payload,
        customer_id=customer_id, product_id=product_id, session_id=session_id, masked=masked,
    )
    for attempt in range(_RETRIES):
        row.version = _next_version(row.stream_type, row.stream_id)
        try:
            _insert(lambda: row.save(force_insert=True), rows=1)
            return row
        except IntegrityError:
            row.pk = None
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _masks_own_payload(event: DomainEventData) -> bool:
    """The base ``payload()`` masks secrets already; an event class with its own is masked here again."""
    return type(event).payload is DomainEventData.payload


def append(event: DomainEventData) -> DomainEvent:
    return append_row(
        event_type=event.event_type,
        stream_type=event.stream_type,
        stream_id=event.stream_id,
        **_event_columns(event),
        session_id=event.session,
        masked=_masks_own_payload(event),
    )


def _event_row(event: DomainEventData) -> DomainEvent:
    return _row(
        event_type=event.event_type,
        stream_type=event.stream_type,
        stream_id=event.stream_id,
        **_event_columns(event),
        session_id=event.session,
        masked=_masks_own_payload(event),
    )


def append_many(events: list[DomainEventData]) -> list[DomainEvent]:
    """Append events in one version query and one insert, retried as a whole on a version race."""
    return _append_rows([_event_row(e) for e in events])


def append_rows(rows: list[dict]) -> list[DomainEvent]:
    """``append_row`` for several rows at once (keyword dicts of its arguments): one version query,
    one insert, retried as a whole on a version race; for callers outside a transaction too."""
    return _append_rows([_row(**row) for row in rows])


def _append_rows(rows: list[DomainEvent]) -> list[DomainEvent]:
    streams = {(r.stream_type, r.stream_id) for r in rows}
    for attempt in range(_RETRIES):
        current = _current_versions(streams)
        for row in rows:
            key = (row.stream_type, row.stream_id)
            current[key] = (current.get(key) or 0) + 1
            row.version = current[key]
            row.pk = None
        try:
            return _insert(lambda: DomainEvent.objects.bulk_create(rows), rows=len(rows))
        except IntegrityError:
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")
