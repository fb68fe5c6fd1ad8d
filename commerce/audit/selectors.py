"""The event store's reads (the spec's CommerceEventStore) and the shopper journey's
(CustomerJourneyService): ``DomainEvent`` is the audit trail, ``JourneyStep`` the clickstream."""

import heapq
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from commerce.audit.models import DomainEvent, JourneyStep

# What ``journey_steps`` yields by default: enough to rebuild a path or count co-views.
JOURNEY_STEP_FIELDS = ("id", "occurred_at", "action", "customer_id", "session_id", "product_id", "query")


def event_list(
    *,
    event_type: str | None = None,
    stream_type: str | None = None,
    stream_id=None,
    customer_id: int | None = None,
    product_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[DomainEvent]:
    qs = DomainEvent.objects.all()
    if event_type:
        qs = qs.filter(event_type=event_type)
    if stream_type:
        qs = qs.filter(stream_type=stream_type)
    if stream_id is not None:
        qs = qs.filter(stream_id=str(stream_id))
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("occurred_at", "id")


def stream_events(*, stream_type: str, stream_id, from_version: int = 1) -> QuerySet[DomainEvent]:
    return DomainEvent.objects.filter(
        stream_type=stream_type, stream_id=str(stream_id), version__gte=from_version
    ).order_by("version")


def events_by_type(*, event_type: str, since: datetime | None = None) -> QuerySet[DomainEvent]:
    return event_list(event_type=event_type, since=since)


def customer_history(*, customer_id: int) -> QuerySet[DomainEvent]:
    return event_list(customer_id=customer_id)


def product_history(*, product_id: int) -> QuerySet[DomainEvent]:
    return event_list(product_id=product_id)


@dataclass
class JourneySession:
    session_id: str
    started_at: datetime
    ended_at: datetime
    steps: list = field(default_factory=list)

    @property
    def actions(self) -> list[str]:
        return [step["action"] for step in self.steps]


@dataclass
class CustomerJourney:
    customer_id: int
    sessions: list[JourneySession]
    action_counts: dict
    viewed_products: list[int]
    searches: list[str]


def _journey_queryset(*, customer_id=None, session_id=None, product_id=None, actions=None, since=None, until=None):
    qs = JourneyStep.objects.all()
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if session_id is not None:
        qs = qs.filter(session_id=session_id)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if actions is not None:
        qs = qs.filter(action__in=[str(a) for a in actions])
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("occurred_at", "id")


def journey_steps(
    *,
    since: datetime,
    until: datetime | None = None,
    actions: Iterable[str] | None = None,
    customer_id: int | None = None,
    session_id: str | None = None,
    product_id: int | None = None,
    fields: tuple[str, ...] = JOURNEY_STEP_FIELDS,
    chunk_size: int = 2000,
) -> Iterator[tuple]:
    """Stream journey steps, oldest first, as tuples of ``fields`` (default ``JOURNEY_STEP_FIELDS``).

    For readers of the whole clickstream (the recommendations app: co-views, co-purchases,
    popularity since a date): ``since`` is required so no reader scans the table from the start;
    ``actions`` (e.g. ``["product_view", "add_to_cart"]``), a customer, a session digest or a product
    narrow it, each served by an index (customer, session, action or product, then time). Rows are
    fetched ``chunk_size`` at a time with ``.iterator()``: memory stays flat whatever the volume.
    Steps are facts about browsing, not state: a reader must not expect a step per domain event.
    """
    qs = _journey_queryset(customer_id=customer_id, session_id=session_id, product_id=product_id,
                           actions=actions, since=since, until=until)
    return qs.values_list(*fields).iterator(chunk_size=chunk_size)


def session_journey(*, session_id: str) -> QuerySet[JourneyStep]:
    """The steps of one session (by its digest), in order."""
    return _journey_queryset(session_id=session_id)


def customer_journey(*, customer_id: int, since: datetime | None = None, until: datetime | None = None) -> CustomerJourney:
    """Rebuild what a customer did, session by session: their journey steps, with the domain events
    recorded for them (an order created, an address added) in time order between the steps."""
    steps = (
        (s.occurred_at, 0, s.id, s.action, s.session_id, s.product_id, s.payload)
        for s in _journey_queryset(customer_id=customer_id, since=since, until=until).only(
            "action", "session_id", "product_id", "payload", "occurred_at"
        ).iterator()
    )
    domain = (
        (e.occurred_at, 1, e.id, e.event_type, e.session_id, e.product_id, e.payload)
        for e in event_list(customer_id=customer_id, since=since, until=until).only(
            "event_type", "session_id", "product_id", "payload", "occurred_at"
        ).iterator()
    )
    sessions: OrderedDict[str, JourneySession] = OrderedDict()
    counts: dict[str, int] = {}
    viewed: list[int] = []
    searches: list[str] = []
    for at, _source, _id, action, session_id, product_id, payload in heapq.merge(steps, domain):
        key = session_id or "-"
        session = sessions.get(key)
        if session is None:
            session = sessions[key] = JourneySession(key, at, at)
        session.ended_at = at
        session.steps.append({"action": action, "product_id": product_id, "at": at, "details": payload})
        counts[action] = counts.get(action, 0) + 1
        if action == "product_view" and product_id and product_id not in viewed:
            viewed.append(product_id)
        if action == "product_search":
            searches.append(payload.get("query", ""))
    return CustomerJourney(customer_id, list(sessions.values()), counts, viewed, searches)
