"""The inventory service (the spec's ProductServiceClient, in process).

Commands: ``stock_receive``, ``stock_adjust``, ``stock_return``, ``stock_reserve`` /
``stock_reserve_many``, ``stock_release``, ``stock_consume`` (and ``*_reference`` variants).
Queries: ``check_availability``, ``batch_traceability``.

Rules that keep stock honest under concurrency:
- demand is added up per product before anything is checked, so two lines of one request for
  the same product cannot each pass the check alone;
- batch rows are locked (``select_for_update``) in one fixed order, by id, so two checkouts can
  never deadlock each other;
- a reservation is all-or-nothing across batches and across every line of the request;
- batches are picked FEFO for perishables (earliest expiry first, never an expired batch) and
  FIFO otherwise (oldest received first);
- every counter change writes a ``StockMovement`` row, and the ledger sums to the counters.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from commerce import context, locks, telemetry
from commerce.audit.events import record, record_many
from commerce.catalog import events
from commerce.catalog.errors import (
    AdjustmentBelowReserved,
    BatchInvalid,
    BatchNotFound,
    InsufficientStock,
    InvalidQuantity,
    InvalidStockOperation,
    NothingToReceive,
    NothingToReserve,
    ProductInactive,
    ProductNotFound,
    ReservationNotActive,
    ReturnExceedsConsumed,
)
from commerce.catalog.models import (
    Product,
    ReservationAllocation,
    StockBatch,
    StockMovement,
    StockReservation,
)
from commerce.validation import full_clean_or_raise

MAX_QUANTITY = 10_000
#: at or below this many sellable units a product says "only N left" (catalog pages and cart lines alike)
LOW_STOCK_THRESHOLD = 5
Kind = StockMovement.Kind


def shopper_available(available: int) -> int | None:
    """The count a shopper may see: only when few are left ("only 3 left"), else None (staff see all)."""
    return max(available, 0) if available <= LOW_STOCK_THRESHOLD else None


# --- values ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Availability:
    product_id: int
    requested: int
    available: int

    @property
    def is_available(self) -> bool:
        return self.available >= self.requested


@dataclass(frozen=True)
class BatchAllocation:
    batch_number: str
    quantity: int
    expires_on: datetime.date | None
    location: str

    def as_dict(self) -> dict:
        return {
            "batch_number": self.batch_number,
            "quantity": self.quantity,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "location": self.location,
        }


# --- helpers --------------------------------------------------------------------------------------
def validate_quantity(quantity, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidQuantity("Quantity must be a whole number.", fields={field: ["Must be a whole number."]})
    if quantity <= 0:
        raise InvalidQuantity("Quantity must be at least 1.", fields={field: ["Must be at least 1."]})
    if quantity > MAX_QUANTITY:
        raise InvalidQuantity(
            f"Quantity must be at most {MAX_QUANTITY}.", fields={field: [f"Must be at most {MAX_QUANTITY}."]}
        )
    return quantity


def _actor_repr() -> str:
    actor = context.actor()
    return actor.get_username() if actor else f"<{context.channel()}>"


def _today() -> datetime.date:
    return timezone.localdate()


def sellable_batches_q(today: datetime.date | None = None) -> Q:
    """Batches that may be sold: not expired (a batch expiring today is no longer sold)."""
    today = today or _today()
    return Q(expires_on__isnull=True) | Q(expires_on__gt=today)


def pick_order_key(product: Product):
    """FEFO for perishables, FIFO otherwise; ties broken by id so the order is total."""
    if product.is_perishable:
        far = datetime.date.max
        return lambda b: (b.expires_on or far, b.received_at, b.id)
    return lambda b: (b.received_at, b.id)


def _movement(batch: StockBatch, kind: str, *, on_hand: int = 0, reserved: int = 0, reference="", reason="", actor=""):
    return StockMovement(
        batch=batch,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        reference=reference[:80],
        reason=reason[:200],
        actor_repr=actor,
    )


def _active_product(product_or_id) -> Product:
    product_id = product_or_id.pk if isinstance(product_or_id, Product) else product_or_id
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound("No such product.", extra={"product_id": product_id})
    if not product.is_active:
        raise ProductInactive(f"{product.name} is not for sale.", extra={"product_id": product.pk})
    return product


# --- queries --------------------------------------------------------------------------------------
def available_quantities(product_ids: Iterable[int]) -> dict[int, int]:
    """Sellable units per product (on hand minus reserved, expired batches excluded): one query."""
    ids = list(product_ids)
    rows = (
        StockBatch.objects.filter(sellable_batches_q(), product_id__in=ids)
        .values("product_id")
        .annotate(on_hand=Sum("quantity_on_hand"), reserved=Sum("quantity_reserved"))
    )
    result = dict.fromkeys(ids, 0)
    for row in rows:
        result[row["product_id"]] = (row["on_hand"] or 0) - (row["reserved"] or 0)
    return result


def check_availability(*, product: Product | int, quantity: int) -> Availability:
    validate_quantity(quantity)
    product = _active_product(product)
    return Availability(product.pk, quantity, available_quantities([product.pk])[product.pk])


# --- commands: receiving and adjusting ----------------------------------------------------------
def stock_receive(
    *,
    product: Product,
    batch_number: str,
    quantity: int,
    received_at: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    location: str = "MAIN",
    reason: str = "",
) -> StockBatch:
    validate_quantity(quantity)
    if product.is_perishable and expires_on is None:
        raise InvalidStockOperation(
            "A perishable product's batch needs an expiry date.", fields={"expires_on": ["Required for perishables."]}
        )
    with telemetry.command_span("commerce.stock.receive", attributes={"product.id": product.pk}), transaction.atomic():
        batch = StockBatch(
            product=product,
            batch_number=batch_number,
            quantity_received=quantity,
            quantity_on_hand=quantity,
            quantity_reserved=0,
            received_at=received_at or _today(),
            expires_on=expires_on,
            location=location,
        )
        full_clean_or_raise(batch, message="The batch is not valid.")
        batch.save()
        _movement(batch, Kind.RECEIPT, on_hand=quantity, reference=batch_number, reason=reason or "received", actor=_actor_repr()).save()
        record(
            events.BatchReceived(
                product_id=product.pk,
                batch_number=batch.batch_number,
                quantity=quantity,
                expires_on=expires_on.isoformat() if expires_on else None,
                location=location,
            )
        )
        return batch


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a delivery: what ``stock_receive`` takes, for ``stock_receive_many``."""

    product: Product
    batch_number: str
    quantity: int
    received_at: datetime.date | None = None
    expires_on: datetime.date | None = None
    location: str = "MAIN"


def stock_receive_many(*, lines: Sequence[ReceiptLine], reason: str = "") -> list[StockBatch]:
    """Receive a whole delivery (many batches) at once, or nothing: the same rules as ``stock_receive``.

    Checks run per line first (quantity, expiry for perishables, field lengths), then batch numbers
    are checked for uniqueness in one query; batches and ledger rows are written in bulk and each
    batch still records its own ``catalog.batch.received`` event.
    """
    if not lines:
        raise NothingToReceive("Nothing to receive.")
    today = _today()
    batches, seen = [], set()
    for index, line in enumerate(lines):
        validate_quantity(line.quantity, field=f"lines[{index}].quantity")
        if line.product.pk is None:
            raise ProductNotFound("No such product.", extra={"line": index})
        if line.product.is_perishable and line.expires_on is None:
            raise InvalidStockOperation(
                "A perishable product's batch needs an expiry date.",
                fields={f"lines[{index}].expires_on": ["Required for perishables."]},
            )
        if line.batch_number in seen:
            raise InvalidStockOperation(
                f"Batch {line.batch_number} appears twice.", fields={f"lines[{index}].batch_number": ["Duplicate."]}
            )
        seen.add(line.batch_number)
        batch = StockBatch(
            product=line.product,
            batch_number=line.batch_number,
            quantity_received=line.quantity,
            quantity_on_hand=line.quantity,
            quantity_reserved=0,
            received_at=line.received_at or today,
            expires_on=line.expires_on,
            location=line.location,
        )
        # Field checks here (no query); the product and batch-number checks below take one query
        # each for the whole delivery, and reserved (0) <= on hand holds by construction.
        try:
            batch.full_clean(exclude=["product"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise BatchInvalid(
                "The batch is not valid.", fields={f"lines[{index}].{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        batches.append(batch)

    with telemetry.command_span("commerce.stock.receive", attributes={"stock.batches": len(batches)}), transaction.atomic():
        product_ids = {b.product_id for b in batches}
        if Product.objects.filter(pk__in=product_ids).count() != len(product_ids):
            raise ProductNotFound("No such product.")
        taken = sorted(StockBatch.objects.filter(batch_number__in=seen).values_list("batch_number", flat=True))
        if taken:
            raise InvalidStockOperation(
                f"Batch number already used: {', '.join(taken)}.", fields={"batch_number": ["Batch number already used."]}
            )
        StockBatch.objects.bulk_create(batches)
        if any(b.pk is None for b in batches):  # backends without RETURNING (MySQL): fetch ids
            ids = dict(StockBatch.objects.filter(batch_number__in=seen).values_list("batch_number", "pk"))
            for batch in batches:
                batch.pk = batch.id = ids[batch.batch_number]
        actor = _actor_repr()
        StockMovement.objects.bulk_create(
            [_movement(b, Kind.RECEIPT, on_hand=b.quantity_received, reference=b.batch_number, reason=reason or "received", actor=actor)
             for b in batches]
        )
        for batch in batches:
            record(
                events.BatchReceived(
                    product_id=batch.product_id,
                    batch_number=batch.batch_number,
                    quantity=batch.quantity_received,
                    expires_on=batch.expires_on.isoformat() if batch.expires_on else None,
                    location=batch.location,
                )
            )
        return batches


def _locked_batch(batch_number: str) -> StockBatch:
    batch = locks.lock_one(locks.Kind.STOCK_BATCH, StockBatch.objects.filter(batch_number=batch_number))
    if batch is None:
        raise BatchNotFound(f"No batch {batch_number}.")
    return batch


def stock_adjust(*, batch_number: str, delta: int, reason: str) -> StockBatch:
    """Correct a batch's on-hand count (stock take, damage). Never below what is reserved."""
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidQuantity("The adjustment must be a non-zero whole number.", fields={"delta": ["Non-zero whole number."]})
    if not reason.strip():
        raise InvalidStockOperation("Say why the stock is adjusted.", fields={"reason": ["Required."]})
    with telemetry.command_span("commerce.stock.adjust"), transaction.atomic():
        batch = _locked_batch(batch_number)
        new_on_hand = batch.quantity_on_hand + delta
        if new_on_hand < batch.quantity_reserved:
            raise AdjustmentBelowReserved(
                f"Batch {batch_number} would have {new_on_hand} on hand but {batch.quantity_reserved} reserved."
            )
        batch.quantity_on_hand = new_on_hand
        batch.save(update_fields=["quantity_on_hand"])
        _movement(batch, Kind.ADJUSTMENT, on_hand=delta, reference=batch_number, reason=reason, actor=_actor_repr()).save()
        record(events.StockAdjusted(product_id=batch.product_id, batch_number=batch_number, delta=delta, reason=reason))
        return batch


def stock_return(*, batch_number: str, quantity: int, reference: str, reason: str = "customer return") -> StockBatch:
    """Put returned units back on hand in the batch they came from."""
    validate_quantity(quantity)
    with telemetry.command_span("commerce.stock.return"), transaction.atomic():
        batch = _locked_batch(batch_number)
        consumed = (
            ReservationAllocation.objects.filter(
                batch=batch, reservation__reference=reference, reservation__status=StockReservation.Status.CONSUMED
            ).aggregate(q=Sum("quantity"))["q"]
            or 0
        )
        returned = (
            StockMovement.objects.filter(batch=batch, kind=Kind.RETURN, reference=reference).aggregate(q=Sum("on_hand_delta"))["q"]
            or 0
        )
        if quantity > consumed - returned:
            raise ReturnExceedsConsumed(
                f"{reference} received {consumed - returned} returnable units of batch {batch_number}."
            )
        batch.quantity_on_hand += quantity
        batch.save(update_fields=["quantity_on_hand"])
        _movement(batch, Kind.RETURN, on_hand=quantity, reference=reference, reason=reason, actor=_actor_repr()).save()
        record(
            events.StockReturned(
                product_id=batch.product_id, batch_number=batch_number, quantity=quantity, reference=reference, reason=reason
            )
        )
        return batch


def stock_return_many(*, returns: Sequence[tuple[str, int]], reference: str, reason: str = "customer return") -> list[StockBatch]:
    """Put returned units back on hand, each in the batch it came from (``returns``: pairs of batch
    number and quantity), or none. Every batch is locked first in one statement, in id order, as a
    checkout locks them, so a cancel returning several batches never deadlocks with a checkout;
    each is then returned by ``stock_return``, in that order."""
    wanted: dict[str, int] = defaultdict(int)
    for batch_number, quantity in returns:
        wanted[batch_number] += quantity
    with transaction.atomic():
        ids = {b.batch_number: b.pk for b in locks.lock(locks.Kind.STOCK_BATCH, StockBatch.objects.filter(batch_number__in=sorted(wanted)))}
        # an unknown batch number first: ``stock_return`` refuses it before anything is written
        return [stock_return(batch_number=number, quantity=wanted[number], reference=reference, reason=reason)
                for number in sorted(wanted, key=lambda number: ids.get(number, 0))]


# --- commands: reservations ---------------------------------------------------------------------
def stock_reserve_many(*, lines: Sequence[tuple[Product | int, int]], reference: str) -> list[StockReservation]:
    """Reserve every line of one request, or nothing.

    Raises ``InsufficientStock`` listing every short product when any line cannot be met. A line
    may name its product by id (read here) or by a ``Product`` the caller loaded (taken as loaded).

    Every refusal (unknown or inactive product, short stock) is raised once nothing has been
    written, outside the block that locks and writes, so that block needs no savepoint of its own
    inside a caller's transaction: a caller may still catch the refusal and go on. Only an
    unexpected error while writing marks the enclosing transaction for rollback, as it must.
    """
    if not lines:
        raise NothingToReserve("Nothing to reserve.")
    if not reference:
        raise InvalidStockOperation("A reservation needs a reference.", fields={"reference": ["Required."]})
    demand: dict[int, int] = defaultdict(int)
    products: dict[int, Product] = {}
    for product, quantity in lines:
        validate_quantity(quantity)
        if isinstance(product, Product):
            products[product.pk] = product
            demand[product.pk] += quantity
        else:
            demand[int(product)] += quantity
    for product_id, total in demand.items():
        if total > MAX_QUANTITY:
            raise InvalidQuantity(f"Quantity must be at most {MAX_QUANTITY}.", extra={"product_id": product_id})

    with telemetry.command_span(
        "commerce.stock.reserve", attributes={"stock.reference": reference, "stock.products": len(demand)}
    ):
        unread = [product_id for product_id in demand if product_id not in products]
        if unread:
            products.update(Product.objects.in_bulk(unread))
        for product_id in demand:
            product = products.get(product_id)
            if product is None:
                raise ProductNotFound("No such product.", extra={"product_id": product_id})
            if not product.is_active:
                raise ProductInactive(f"{product.name} is not for sale.", extra={"product_id": product_id})

        shortages: list[dict] = []
        with transaction.atomic(savepoint=False):
            # One statement locks every candidate batch, in id order: no deadlock between checkouts.
            locked = locks.lock(locks.Kind.STOCK_BATCH, StockBatch.objects.filter(sellable_batches_q(), product_id__in=sorted(demand)))
            by_product: dict[int, list[StockBatch]] = defaultdict(list)
            for batch in locked:
                by_product[batch.product_id].append(batch)

            for product_id, wanted in demand.items():
                available = sum(b.quantity_available for b in by_product[product_id])
                if available < wanted:
                    shortages.append(
                        {"product_id": product_id, "code": products[product_id].code, "requested": wanted, "available": available}
                    )
            if not shortages:
                reservations = _reserve(demand, products, by_product, reference)
        if shortages:
            names = ", ".join(f"{products[s['product_id']].name} (only {max(s['available'], 0)} left)" for s in shortages)
            raise InsufficientStock(f"Not enough stock: {names}.", extra={"shortages": shortages})
        return reservations


def _reserve(demand: dict[int, int], products: dict[int, Product], by_product: dict[int, list[StockBatch]],
             reference: str) -> list[StockReservation]:
    """The writes of ``stock_reserve_many`` once every line is known to fit (batches locked by the caller)."""
    actor = _actor_repr()
    reservations, allocations, movements, touched = [], [], [], {}
    plan = []
    for product_id, wanted in demand.items():
        product = products[product_id]
        remaining = wanted
        picks = []
        for batch in sorted(by_product[product_id], key=pick_order_key(product)):
            if remaining == 0:
                break
            take = min(batch.quantity_available, remaining)
            if take <= 0:
                continue
            batch.quantity_reserved += take
            touched[batch.pk] = batch
            picks.append((batch, take))
            remaining -= take
        reservation = StockReservation(reference=reference, product=product, quantity=wanted)
        reservations.append(reservation)
        plan.append((reservation, picks))

    StockBatch.objects.bulk_update(sorted(touched.values(), key=lambda b: b.pk), ["quantity_reserved"])
    created = StockReservation.objects.bulk_create(reservations)
    if any(r.pk is None for r in created):  # backends without RETURNING (MySQL): fetch ids
        by_product_id = {
            r.product_id: r for r in StockReservation.objects.filter(reference=reference, status=StockReservation.Status.ACTIVE, product_id__in=list(demand)).order_by("id")
        }
        for reservation in reservations:
            reservation.pk = reservation.id = by_product_id[reservation.product_id].pk
    for reservation, picks in plan:
        for batch, take in picks:
            allocations.append(ReservationAllocation(reservation=reservation, batch=batch, quantity=take))
            movements.append(_movement(batch, Kind.RESERVATION, reserved=take, reference=reference, actor=actor))
    ReservationAllocation.objects.bulk_create(allocations)
    StockMovement.objects.bulk_create(movements)
    record_many(
        [
            events.StockReserved(
                product_id=reservation.product_id,
                reservation_id=reservation.pk,
                reference=reference,
                quantity=reservation.quantity,
                allocations=[{"batch_number": b.batch_number, "quantity": q} for b, q in picks],
            )
            for reservation, picks in plan
        ]
    )
    return reservations


def stock_reserve(*, product: Product | int, quantity: int, reference: str) -> StockReservation:
    return stock_reserve_many(lines=[(product, quantity)], reference=reference)[0]


def _lock_reservations(ids: list[int]) -> list[StockReservation]:
    reservations = locks.lock(locks.Kind.STOCK_RESERVATION, StockReservation.objects.filter(pk__in=ids))
    inactive = [r for r in reservations if r.status != StockReservation.Status.ACTIVE]
    if inactive:
        raise ReservationNotActive(
            f"Reservation {inactive[0].pk} is already {inactive[0].status}.", extra={"reservation_id": inactive[0].pk}
        )
    return reservations


def _close(reservations: list[StockReservation], *, consume: bool) -> dict[int, list[BatchAllocation]]:
    allocations = list(
        ReservationAllocation.objects.filter(reservation__in=reservations).order_by("batch_id", "id")
    )
    batch_ids = sorted({a.batch_id for a in allocations})
    batches = {b.pk: b for b in locks.lock(locks.Kind.STOCK_BATCH, StockBatch.objects.filter(pk__in=batch_ids))}
    kind = Kind.CONSUMPTION if consume else Kind.RELEASE
    actor = _actor_repr()
    by_reservation: dict[int, list[BatchAllocation]] = defaultdict(list)
    references = {r.pk: r.reference for r in reservations}
    movements = []
    for allocation in allocations:
        batch = batches[allocation.batch_id]
        batch.quantity_reserved -= allocation.quantity
        if consume:
            batch.quantity_on_hand -= allocation.quantity
        movements.append(
            _movement(
                batch, kind, reserved=-allocation.quantity, on_hand=-allocation.quantity if consume else 0,
                reference=references[allocation.reservation_id], actor=actor,
            )
        )
        by_reservation[allocation.reservation_id].append(
            BatchAllocation(batch.batch_number, allocation.quantity, batch.expires_on, batch.location)
        )
    StockBatch.objects.bulk_update([batches[i] for i in batch_ids], ["quantity_reserved", "quantity_on_hand"])
    StockMovement.objects.bulk_create(movements)
    status = StockReservation.Status.CONSUMED if consume else StockReservation.Status.RELEASED
    now = timezone.now()
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).update(status=status, closed_at=now)
    closed = []
    for reservation in reservations:
        reservation.status, reservation.closed_at = status, now
        allocs = [a.as_dict() for a in by_reservation[reservation.pk]]
        if consume:
            closed.append(events.StockConsumed(product_id=reservation.product_id, reservation_id=reservation.pk,
                                               reference=reservation.reference, quantity=reservation.quantity, allocations=allocs))
        else:
            closed.append(events.StockReleased(product_id=reservation.product_id, reservation_id=reservation.pk,
                                               reference=reservation.reference, quantity=reservation.quantity))
    record_many(closed)
    return by_reservation


def stock_release(*, reservation: StockReservation | int) -> None:
    """Give a reservation's units back to their batches."""
    reservation_id = reservation.pk if isinstance(reservation, StockReservation) else reservation
    with telemetry.command_span("commerce.stock.release"), transaction.atomic():
        _close(_lock_reservations([reservation_id]), consume=False)


def stock_consume(*, reservation: StockReservation | int) -> list[BatchAllocation]:
    """Take a reservation's units off hand for good (allocation/shipping); returns the batches used."""
    reservation_id = reservation.pk if isinstance(reservation, StockReservation) else reservation
    with telemetry.command_span("commerce.stock.consume"), transaction.atomic():
        return _close(_lock_reservations([reservation_id]), consume=True)[reservation_id]


def _active_ids_for(reference: str) -> list[int]:
    return list(
        StockReservation.objects.filter(reference=reference, status=StockReservation.Status.ACTIVE).values_list("pk", flat=True)
    )


def stock_release_reference(*, reference: str) -> int:
    """Release every active reservation held by ``reference``; returns how many."""
    with telemetry.command_span("commerce.stock.release", attributes={"stock.reference": reference}), transaction.atomic():
        reservations = _lock_reservations(_active_ids_for(reference))
        if reservations:
            _close(reservations, consume=False)
        return len(reservations)


def stock_consume_reference(*, reference: str) -> dict[int, list[BatchAllocation]]:
    """Consume every active reservation held by ``reference``; allocations by product id."""
    with telemetry.command_span("commerce.stock.consume", attributes={"stock.reference": reference}), transaction.atomic():
        reservations = _lock_reservations(_active_ids_for(reference))
        if not reservations:
            return {}
        result = _close(reservations, consume=True)
        return {r.product_id: result[r.pk] for r in reservations}
