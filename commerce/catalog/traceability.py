"""Batch traceability and recall: from a batch number to everyone who received its units.

The core knows reservations and their references (``order:A1B2C3``). Subdomain apps that own a
reference (orders, logistics) register a resolver that turns references into order lines,
customers and deliveries; the core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from commerce.audit.models import DomainEvent
from commerce.catalog.errors import BatchNotFound
from commerce.catalog.models import ReservationAllocation, StockBatch, StockMovement, StockReservation

# resolver(references: list[str]) -> {reference: {"order": ..., "order_line": ..., "customer_id": ..., "delivery": ...}}
Resolver = Callable[[list[str]], dict[str, dict]]
_resolvers: list[Resolver] = []


def register_resolver(resolver: Resolver) -> Resolver:
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def unregister_resolver(resolver: Resolver) -> None:
    if resolver in _resolvers:
        _resolvers.remove(resolver)


@dataclass
class TraceEntry:
    reference: str
    quantity: int
    status: str
    reserved_at: object
    details: dict = field(default_factory=dict)


@dataclass
class BatchTrace:
    batch: StockBatch
    entries: list[TraceEntry]
    returned: int

    @property
    def shipped_quantity(self) -> int:
        return sum(e.quantity for e in self.entries if e.status == StockReservation.Status.CONSUMED)

    @property
    def reserved_quantity(self) -> int:
        return sum(e.quantity for e in self.entries if e.status == StockReservation.Status.ACTIVE)

    @property
    def customer_ids(self) -> list[int]:
        return sorted({e.details["customer_id"] for e in self.entries if e.details.get("customer_id")})


def batch_traceability(*, batch_number: str) -> BatchTrace:
    """Which references received (consumed) or hold (reserved) units of a batch, with details."""
    batch = StockBatch.objects.select_related("product").filter(batch_number=batch_number).first()
    if batch is None:
        raise BatchNotFound(f"No batch {batch_number}.")
    rows = (
        ReservationAllocation.objects.filter(batch=batch)
        .exclude(reservation__status=StockReservation.Status.RELEASED)
        .values("reservation__reference", "reservation__status", "reservation__created_at")
        .annotate(quantity=Sum("quantity"))
        .order_by("reservation__created_at", "reservation__reference")
    )
    entries = [
        TraceEntry(r["reservation__reference"], r["quantity"], r["reservation__status"], r["reservation__created_at"])
        for r in rows
    ]
    references = [e.reference for e in entries]
    for resolver in _resolvers:
        resolved = resolver(references) or {}
        for entry in entries:
            entry.details.update(resolved.get(entry.reference, {}))
    returned = (
        StockMovement.objects.filter(batch=batch, kind=StockMovement.Kind.RETURN).aggregate(q=Sum("on_hand_delta"))["q"] or 0
    )
    return BatchTrace(batch, entries, returned)


#: the events of a batch's own stock (their payload names the batch) and of what took units from it
_BATCH_OWN_EVENTS = ("catalog.batch.received", "catalog.stock.adjusted", "catalog.stock.returned")
_BATCH_TAKING_EVENTS = ("catalog.stock.reserved", "catalog.stock.consumed")
HISTORY_LIMIT = 200


def batch_history(*, trace: BatchTrace, limit: int = HISTORY_LIMIT) -> list[DomainEvent]:
    """The batch's timeline for a recall, oldest first: its receipt, adjustments and returns, and the
    reservations and shipments of the references that took its units (one query; the first ``limit``)."""
    batch = trace.batch
    own = Q(event_type__in=_BATCH_OWN_EVENTS, payload__batch_number=batch.batch_number)
    taking = Q(event_type__in=_BATCH_TAKING_EVENTS, payload__reference__in=[e.reference for e in trace.entries])
    events = DomainEvent.objects.filter(product_id=batch.product_id).filter(own | taking if trace.entries else own)
    return list(events.order_by("occurred_at", "id")[:limit])
