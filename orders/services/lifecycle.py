"""The order lifecycle: one service per transition, the allowed transitions declared once.

pending -> confirmed -> paid -> allocated -> ready_to_ship -> shipped -> delivered -> completed,
with cancelled and refunded where they make sense. Cash-on-delivery orders skip ``paid``: they
are allocated from ``confirmed`` and their cash is recorded on delivery.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.inventory import stock_consume_reference, stock_release_reference, stock_return_many
from commerce.errors import DomainError
from commerce.locks import Kind, lock_one
from orders import events
from orders.discounts import discount_provider
from orders.errors import CancelNotAllowed, InvalidTransition, OrderNotFound, PaymentInProgress, ShipmentInvalid
from orders.guests import is_buyer
from orders.models import Order, OrderLine, OrderLineAllocation

S = Order.Status
logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "confirm": (frozenset({S.PENDING}), S.CONFIRMED),
    "pay": (frozenset({S.PENDING, S.CONFIRMED}), S.PAID),
    "allocate": (frozenset({S.PAID, S.CONFIRMED}), S.ALLOCATED),
    "mark_ready": (frozenset({S.ALLOCATED}), S.READY_TO_SHIP),
    "ship": (frozenset({S.READY_TO_SHIP}), S.SHIPPED),
    "deliver": (frozenset({S.SHIPPED}), S.DELIVERED),
    "complete": (frozenset({S.DELIVERED}), S.COMPLETED),
    "cancel": (frozenset({S.PENDING, S.CONFIRMED, S.PAID, S.ALLOCATED, S.READY_TO_SHIP}), S.CANCELLED),
    "refund": (frozenset({S.PAID, S.ALLOCATED, S.READY_TO_SHIP, S.SHIPPED, S.DELIVERED, S.COMPLETED}), S.REFUNDED),
    "void": (frozenset({S.PENDING}), S.VOIDED),  # checkout's payment failed: see checkout_place_and_pay
}
PAST = {
    "confirm": "confirmed", "pay": "paid", "allocate": "allocated", "mark_ready": "marked ready to ship",
    "ship": "shipped", "deliver": "delivered", "complete": "completed", "cancel": "cancelled", "refund": "refunded",
    "void": "voided",
}
#: what a customer may cancel themselves (before the warehouse has touched it)
CUSTOMER_CANCELLABLE = frozenset({S.PENDING, S.CONFIRMED, S.PAID})


def allowed_actions(order: Order) -> list[str]:
    actions = [name for name, (sources, _) in TRANSITIONS.items() if order.status in sources]
    if "allocate" in actions and order.status == S.CONFIRMED and order.payment_method != Order.PaymentMethod.CASH_ON_DELIVERY:
        actions.remove("allocate")
    if order.paid_amount <= order.refunded_amount and "refund" in actions:
        actions.remove("refund")
    return actions


def lock_order(order: Order | int) -> Order:
    order_id = order.pk if isinstance(order, Order) else order
    locked = lock_one(Kind.ORDER, Order.objects.filter(pk=order_id))
    if locked is None:
        raise OrderNotFound("No such order.")
    return locked


def check_transition(order: Order, action: str) -> str:
    _, target = TRANSITIONS[action]
    if action not in allowed_actions(order):
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}; it cannot be {PAST[action]} now.",
            extra={"status": order.status, "action": action},
        )
    return target


def _ids(order: Order) -> dict:
    return {"order_id": order.pk, "order_number": order.number, "customer_id": order.customer_id}


def _now_iso() -> str:
    return timezone.now().isoformat()


def order_confirm(*, order: Order | int) -> Order:
    with telemetry.command_span("commerce.order.confirm"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "confirm")
        if order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY:
            order.payment_status = Order.PaymentStatus.DUE_ON_DELIVERY
            order.hold_until = None
        order.save(update_fields=["status", "payment_status", "hold_until", "updated_at"])
        record(events.OrderConfirmed(**_ids(order), confirmed_at=_now_iso()))
        return order


def order_allocate(*, order: Order | int) -> Order:
    """Consume the order's reservations and record on each line the batches it received."""
    with telemetry.command_span("commerce.order.allocate"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "allocate")
        by_product = stock_consume_reference(reference=order.reference)
        lines = {line.product_id: line for line in OrderLine.objects.filter(order=order)}
        rows, payload = [], []
        for product_id, allocations in by_product.items():
            line = lines[product_id]
            for allocation in allocations:
                rows.append(OrderLineAllocation(line=line, batch_number=allocation.batch_number, quantity=allocation.quantity,
                                                expires_on=allocation.expires_on, location=allocation.location))
                payload.append({"line_id": line.pk, "product_id": product_id, **allocation.as_dict()})
        OrderLineAllocation.objects.bulk_create(rows)
        order.save(update_fields=["status", "updated_at"])
        record(events.InventoryAllocated(**_ids(order), allocations=payload))
        return order


def order_mark_ready(*, order: Order | int) -> Order:
    with telemetry.command_span("commerce.order.prepare_for_shipping"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "mark_ready")
        order.save(update_fields=["status", "updated_at"])
        record(events.OrderReadyToShip(**_ids(order)))
        return order


def order_ship(*, order: Order | int, carrier: str, tracking_number: str) -> Order:
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    fields = {}
    if not carrier or len(carrier) > 60:
        fields["carrier"] = ["Required, at most 60 characters."]
    if not tracking_number or len(tracking_number) > 80:
        fields["tracking_number"] = ["Required, at most 80 characters."]
    if fields:
        raise ShipmentInvalid("Say which carrier and tracking number.", fields=fields)
    with telemetry.command_span("commerce.order.ship"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "ship")
        order.carrier, order.tracking_number = carrier, tracking_number
        order.save(update_fields=["status", "carrier", "tracking_number", "updated_at"])
        record(events.OrderShipped(**_ids(order), carrier=carrier, tracking_number=tracking_number,
                                   shipping_address=order.shipping_address))
        return order


def order_deliver(*, order: Order | int) -> Order:
    """Delivered; for cash on delivery the courier collected the total, which is recorded now."""
    from orders.services.payments import record_cash_collected

    with telemetry.command_span("commerce.order.deliver"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "deliver")
        order.save(update_fields=["status", "updated_at"])
        if order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY and order.balance_due.is_positive():
            record_cash_collected(order=order)
        record(events.OrderDelivered(**_ids(order), delivered_at=_now_iso()))
        return order


def order_complete(*, order: Order | int) -> Order:
    with telemetry.command_span("commerce.order.complete"), transaction.atomic():
        order = lock_order(order)
        order.status = check_transition(order, "complete")
        order.save(update_fields=["status", "updated_at"])
        record(events.OrderCompleted(**_ids(order)))
        return order


def order_cancel(*, order: Order | int, reason: str = "", by_customer=None, by_guest=None) -> Order:
    """Cancel: release (or return) the stock, give coupon usage back, refund what was paid.

    ``by_customer``: the customer cancelling their own order, allowed only before allocation;
    ``by_guest`` (an ``orders.guests.Guest``): the guest cancelling theirs, under the same rule.
    What was paid is refunded after the cancellation committed, outside its locks: the refund is
    written pending in the cancel's transaction and the gateway called once it committed (at the
    outer transaction's commit when there is one). A refund the gateway refuses leaves the order
    cancelled with a failed refund for staff to retry; a lost answer is settled by the beat task.
    """
    from orders.services.payments import pending_refunds, refunds_begin

    refund_ids: list[int] = []
    with telemetry.command_span("commerce.order.cancel"), transaction.atomic():
        order = lock_order(order)
        previous = order.status
        target = check_transition(order, "cancel")
        if by_customer is not None or by_guest is not None:
            if not is_buyer(order, customer=by_customer, guest=by_guest):
                raise OrderNotFound("No such order.")
            if previous not in CUSTOMER_CANCELLABLE:
                raise CancelNotAllowed(
                    f"Order {order.number} is already being prepared; contact support to cancel it.",
                    extra={"status": previous},
                )
        if order.payments.filter(status="pending").exists():
            raise PaymentInProgress(
                "A payment for this order is still being processed; it can be cancelled once that is settled."
            )
        stock_release_reference(reference=order.reference)
        returns = list(OrderLineAllocation.objects.filter(line__order=order).order_by("id").values_list("batch_number", "quantity"))
        if returns:  # every returned batch locked at once, in id order
            stock_return_many(returns=returns, reference=order.reference, reason=f"order {order.number} cancelled")
        discount_provider().order_cancelled(order_id=order.pk)
        order.status = target
        order.cancel_reason = (reason or "")[:200]
        order.hold_until = None
        order.save(update_fields=["status", "cancel_reason", "hold_until", "updated_at"])
        record(events.OrderCancelled(**_ids(order), reason=order.cancel_reason, previous_status=previous))
        to_refund = order.refundable - pending_refunds(order)  # a refund in flight is not made twice
        if to_refund.is_positive():
            refund_ids = refunds_begin(order=order, amount=to_refund, lines=[], reason=f"cancelled: {order.cancel_reason}".strip())
    if refund_ids:
        transaction.on_commit(lambda: _refund_after_cancel(refund_ids))  # at once when no transaction is open
        order.refresh_from_db()
    return order


def _refund_after_cancel(refund_ids: list[int]) -> None:
    from orders.services.payments import refunds_complete

    try:
        refunds_complete(refund_ids)
    except DomainError:  # the order is cancelled: the refund's outcome is on its row (failed or pending)
        logger.warning("refunds %s after a cancellation were not completed", refund_ids, exc_info=True)


def orders_expire_unpaid(*, now: datetime.datetime | None = None) -> list[str]:
    """Cancel unpaid orders whose hold has run out, releasing their stock. Returns their numbers."""
    now = now or timezone.now()
    expired = list(
        Order.objects.filter(status=S.PENDING, hold_until__lt=now).order_by("id").values_list("pk", flat=True)[:500]
    )
    cancelled = []
    for order_id in expired:
        with transaction.atomic():
            order = lock_order(order_id)
            if order.status != S.PENDING or order.hold_until is None or order.hold_until >= now:
                continue  # paid or changed meanwhile
            if order.payments.filter(status="pending").exists():
                continue  # a payment is in flight: settle it first
            order_cancel(order=order, reason="payment not received in time")
            cancelled.append(order.number)
    return cancelled
