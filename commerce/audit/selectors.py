"""The event store's reads (the spec's CommerceEventStore and CustomerJourneyService)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from commerce.audit.models import DomainEvent

JOURNEY_PREFIX = "journey."


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


def customer_journey(*, customer_id: int, since: datetime | None = None, until: datetime | None = None) -> CustomerJourney:
    """Rebuild what a customer did, session by session, from their events (journey and domain)."""
    events = event_list(customer_id=customer_id, since=since, until=until).only(
        "event_type", "session_id", "product_id", "payload", "occurred_at"
    )
    sessions: OrderedDict[str, JourneySession] = OrderedDict()
    counts: dict[str, int] = {}
    viewed: list[int] = []
    searches: list[str] = []
    for event in events:
        action = event.event_type.removeprefix(JOURNEY_PREFIX)
        key = event.session_id or "-"
        session = sessions.get(key)
        if session is None:
            session = sessions[key] = JourneySession(key, event.occurred_at, event.occurred_at)
        session.ended_at = event.occurred_at
        session.steps.append(
            {"action": action, "product_id": event.product_id, "at": event.occurred_at, "details": event.payload}
        )
        counts[action] = counts.get(action, 0) + 1
        if action == "product_view" and event.product_id and event.product_id not in viewed:
            viewed.append(event.product_id)
        if action == "product_search":
            searches.append(event.payload.get("query", ""))
    return CustomerJourney(customer_id, list(sessions.values()), counts, viewed, searches)
