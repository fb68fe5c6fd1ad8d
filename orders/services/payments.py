"""Payments: pay an order, settle what the gateway reports, refund.

Paying is three steps so that money and the order never disagree:
1. in a transaction, the order is locked and a ``pending`` payment row is written under the
   request's idempotency key (a retried request finds it and goes no further than it did);
2. the gateway is called outside any transaction, carrying that key;
3. in a transaction, the outcome is written: captured (the order is paid), declined (the order
   stays payable), or failed. When the gateway's answer is lost, the payment stays ``pending``
   and is settled by the gateway's webhook or by ``payments_settle_pending`` (a beat task that
   asks the gateway what it knows of the key), never charged a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.locks import Kind, lock, lock_get
from commerce.money import Money
from orders import events, idempotency
from orders.errors import (
    IdempotencyConflict,
    OrderNotFound,
    OrdersError,
    PaymentDeclined,
    PaymentGatewayError,
    PaymentInProgress,
    PaymentNotNeeded,
    PaymentPending,
    RefundExceedsPaid,
    RefundInvalid,
    RefundPending,
    WebhookRejected,
    WebhookStale,
)
from orders.gateways import CardDetails, GatewayError, GatewayResult, gateway_for
from orders.guests import Guest, is_buyer
from orders.models import GatewayNotification, Order, OrderLine, Payment, Refund
from orders.services.lifecycle import TRANSITIONS, check_transition, lock_order

S = Order.Status
P = Payment.Status


def _ids(order: Order) -> dict:
    return {"order_id": order.pk, "order_number": order.number, "customer_id": order.customer_id}


def _processed_event(order: Order, payment: Payment) -> events.PaymentProcessed:
    return events.PaymentProcessed(**_ids(order), payment_id=payment.pk, amount=str(payment.amount),
                                   currency=payment.currency, status=payment.status, gateway=payment.gateway,
                                   error_code=payment.error_code)


def _processed(order: Order, payment: Payment) -> None:
    record(_processed_event(order, payment))


def _mark_paid(order: Order, payment: Payment) -> list:
    """The order learns of captured money (order and payment rows locked by the caller).

    Returns the events to record (the caller records them together, in one statement)."""
    raised = []
    order.paid_amount += payment.amount
    if order.paid_amount >= order.total_amount:
        order.payment_status = Order.PaymentStatus.PAID
        order.hold_until = None
        if order.status == S.PENDING:
            order.status = S.CONFIRMED
            raised.append(events.OrderConfirmed(**_ids(order), confirmed_at=timezone.now().isoformat()))
        if order.status == S.CONFIRMED:
            order.status = check_transition(order, "pay")
            raised.append(events.OrderPaid(**_ids(order), payment_id=payment.pk, amount=str(order.paid_amount),
                                           currency=order.currency, paid_at=timezone.now().isoformat()))
    order.save(update_fields=["paid_amount", "payment_status", "status", "hold_until", "updated_at"])
    return raised


def _settle(payment: Payment, result: GatewayResult | None, *, error: GatewayError | None = None) -> Payment:
    with transaction.atomic():
        # The order, then its payment: the lock order every command on an order takes (a refund too).
        order = lock_order(payment.order_id)
        payment = lock_get(Kind.PAYMENT, Payment.objects.filter(pk=payment.pk))
        if payment.status != P.PENDING:
            return payment  # settled already (webhook and response racing): nothing more
        if error is not None:
            payment.status, payment.error_code, payment.message = P.FAILED, error.code, str(error)[:200]
        elif result.status == "captured":
            payment.status, payment.gateway_reference = P.CAPTURED, result.reference
            payment.card_last4 = result.card_last4 or payment.card_last4
        elif result.status == "authorized":
            payment.status, payment.gateway_reference = P.AUTHORIZED, result.reference
        else:
            payment.status, payment.error_code, payment.message = P.DECLINED, result.error_code, result.message[:200]
            payment.card_last4 = result.card_last4 or payment.card_last4
        payment.save(update_fields=["status", "error_code", "message", "gateway_reference", "card_last4", "updated_at"])
        raised = [_processed_event(order, payment)]
        if payment.status == P.CAPTURED:
            raised += _mark_paid(order, payment)
        record_many(raised)
        return payment


def order_pay(*, order: Order | int, customer=None, guest: Guest | None = None, idempotency_key: str | None = None, card: CardDetails | None = None) -> Payment:
    """Take payment for an order (card), or confirm it for cash on delivery.

    Raises ``PaymentDeclined`` (402; the order stays payable), ``PaymentGatewayError`` (502) or
    ``Conflict`` ``payment_in_progress`` when another attempt is still waiting for the gateway.
    """
    key = (idempotency_key or uuid.uuid4().hex)[:100]
    with telemetry.command_span("commerce.order.pay"):
        with transaction.atomic():
            order = lock_order(order)
            if not is_buyer(order, customer=customer, guest=guest):
                raise OrderNotFound("No such order.")
            # One read for both questions asked below: a payment under this key, a pending one of this order.
            found = list(Payment.objects.filter(Q(idempotency_key=key) | Q(order=order, status=P.PENDING)))
            existing = next((p for p in found if p.idempotency_key == key), None)
            if existing is not None:
                if existing.order_id != order.pk:
                    raise IdempotencyConflict("This idempotency key was used for another order.")
                return payment_outcome(existing)
            if order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY:
                if order.status != S.PENDING:
                    raise PaymentNotNeeded(f"Order {order.number} is already confirmed.")
                from orders.services.lifecycle import order_confirm

                order_confirm(order=order)
                return Payment.objects.create(order=order, gateway="cod", amount=order.total_amount, currency=order.currency,
                                              status=P.AUTHORIZED, idempotency_key=key, message="due on delivery")
            check_transition(order, "pay")
            due = order.balance_due
            if not due.is_positive():
                raise PaymentNotNeeded(f"Order {order.number} is paid.")
            if any(p.order_id == order.pk and p.status == P.PENDING for p in found):
                raise PaymentInProgress("A payment for this order is still being processed.")
            gateway = gateway_for(order.payment_method)
            payment = Payment.objects.create(order=order, gateway=gateway.name, amount=due.amount, currency=due.currency,
                                             status=P.PENDING, idempotency_key=key,
                                             card_last4=card.last4 if card else "")
            idempotency.link_payment(payment)
        try:
            result = gateway.charge(amount=due, card=card, idempotency_key=key)
        except GatewayError as exc:
            if exc.outcome_unknown:
                raise PaymentPending(
                    "The payment could not be confirmed yet. It will not be taken twice; check the order shortly.",
                    extra={"payment_id": payment.pk},
                ) from exc
            _settle(payment, None, error=exc)
            raise PaymentGatewayError("The payment service had an error; nothing was charged. Please try again.",
                                      extra={"payment_id": payment.pk}) from exc
        payment = _settle(payment, result)
        return payment_outcome(payment)


def payment_outcome(payment: Payment) -> Payment:
    """The outcome of a payment attempt, as the first request saw it."""
    if payment.status == P.DECLINED:
        raise PaymentDeclined(payment.message or "The card was declined.",
                              extra={"payment_id": payment.pk, "decline_code": payment.error_code or OrdersError.PAYMENT_DECLINED.value})
    if payment.status == P.FAILED:
        raise PaymentGatewayError("The payment service had an error; nothing was charged. Please try again.",
                                  extra={"payment_id": payment.pk})
    if payment.status == P.PENDING:
        raise PaymentPending("The payment is still being processed.", extra={"payment_id": payment.pk})
    return payment


def payments_settle_pending(*, older_than_seconds: int = 60) -> int:
    """Ask the gateway about payments (and refunds) whose answer was lost; settle each. Returns how many."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    settled = refunds_settle_pending(older_than_seconds=older_than_seconds)
    for payment in Payment.objects.filter(status=P.PENDING, created_at__lt=cutoff).order_by("id")[:200]:
        payment_settle_from_gateway(payment=payment)
        settled += 1
    return settled


def payment_settle_from_gateway(*, payment: Payment) -> Payment:
    """Settle a pending payment from what the gateway knows of its key (never charges)."""
    gateway = gateway_for("card") if payment.gateway != "cod" else gateway_for("cod")
    found = gateway.lookup(idempotency_key=payment.idempotency_key)
    if found is None:
        return _settle(payment, None, error=GatewayError("The gateway never received the charge.", code="not_received"))
    return _settle(payment, found)


def record_cash_collected(*, order: Order) -> Payment:
    """Cash on delivery: the courier collected the balance (called inside order_deliver)."""
    due = order.balance_due
    payment = Payment.objects.filter(order=order, gateway="cod", status=P.AUTHORIZED).first()
    if payment is None:
        payment = Payment(order=order, gateway="cod", idempotency_key=f"cod-{order.number}-{uuid.uuid4().hex[:8]}")
    payment.amount, payment.currency, payment.status = due.amount, due.currency, P.CAPTURED
    payment.gateway_reference = payment.gateway_reference or f"cash-{order.number}"
    payment.save()
    _processed(order, payment)
    order.paid_amount += due.amount
    order.payment_status = Order.PaymentStatus.PAID
    order.save(update_fields=["paid_amount", "payment_status", "updated_at"])
    return payment


# --- refunds ---------------------------------------------------------------------------------------
def _line_refunds(order: Order, lines: list[dict]) -> tuple[Money, list[dict]]:
    """The discounted amount of each refunded unit; the last unit takes the rounding remainder."""
    by_id = {line.pk: line for line in lock(Kind.ORDER_LINE, OrderLine.objects.filter(order=order))}
    total, detail = Money.zero(order.currency), []
    for item in lines:
        line = by_id.get(int(item.get("line_id", 0)))
        quantity = item.get("quantity")
        if line is None:
            raise RefundInvalid("That line is not on this order.", fields={"lines": ["Unknown line."]})
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise RefundInvalid("Refund at least one unit.", fields={"lines": ["Quantity must be a positive whole number."]})
        left = line.quantity - line.refunded_quantity
        if quantity > left:
            raise RefundInvalid(f"Only {left} of {line.product_code} can still be refunded.", fields={"lines": ["Too many units."]})
        if quantity == left:
            amount = Money.of(line.line_total_amount - line.refunded_amount, order.currency)
        else:
            amount = order.money(line.line_total_amount).share(quantity, line.quantity)
        line.refunded_quantity += quantity
        line.refunded_amount += amount.amount
        line.save(update_fields=["refunded_quantity", "refunded_amount"])
        total += amount
        detail.append({"line_id": line.pk, "product_code": line.product_code, "quantity": quantity, "amount": str(amount.amount)})
    return total, detail


def pending_refunds(order: Order) -> Money:
    """What refunds still waiting for the gateway may take: not refundable again meanwhile."""
    total = sum((r.amount for r in order.refunds.filter(status=Refund.Status.PENDING)), Decimal(0))
    return order.money(total)


def refunds_begin(*, order: Order, amount: Money, reason: str, lines: list[dict]) -> list[int]:
    """Step 1 of a refund, inside the caller's transaction that holds the order lock: write one
    ``pending`` refund per captured payment it draws on (newest payment first), each under its own
    idempotency key. What pending refunds may take is not refundable again until they are settled.
    Returns the refunds' ids, for ``refunds_complete`` once that transaction has committed."""
    remaining, ids = amount, []
    pending_by_payment: dict[int, Decimal] = {}
    for refund in order.refunds.filter(status=Refund.Status.PENDING):
        pending_by_payment[refund.payment_id] = pending_by_payment.get(refund.payment_id, Decimal(0)) + refund.amount
    # locked in id order (the lock order), drawn on newest first
    for payment in reversed(lock(Kind.PAYMENT, order.payments.filter(status=P.CAPTURED))):
        if not remaining.is_positive():
            break
        left = Money.of(payment.amount - payment.refunded_amount - pending_by_payment.get(payment.pk, 0), payment.currency)
        take = min(left, remaining)
        if not take.is_positive():
            continue
        refund = Refund.objects.create(order=order, payment=payment, amount=take.amount, currency=take.currency,
                                       status=Refund.Status.PENDING, reason=reason[:200], lines=lines,
                                       idempotency_key=f"refund-{uuid.uuid4().hex}")
        ids.append(refund.pk)
        remaining -= take
    if remaining.is_positive():
        raise RefundExceedsPaid(f"Only {amount - remaining} could be refunded.")
    return ids


def _call_gateway(refund: Refund) -> tuple[GatewayResult | None, GatewayError | None]:
    """Step 2: the gateway, outside any transaction, with the refund's key (a repeat refunds once)."""
    payment = refund.payment
    gateway = gateway_for("cod" if payment.gateway == "cod" else refund.order.payment_method)
    try:
        return gateway.refund(reference=payment.gateway_reference, amount=Money.of(refund.amount, refund.currency),
                              idempotency_key=refund.idempotency_key), None
    except GatewayError as exc:
        return None, exc


def _settle_refund(refund_id: int, result: GatewayResult | None, error: GatewayError | None) -> Refund:
    """Step 3, in a transaction: record what the gateway did (an unknown outcome stays pending)."""
    from commerce.catalog.inventory import stock_release_reference

    with transaction.atomic():
        order = lock_order(Refund.objects.values_list("order_id", flat=True).get(pk=refund_id))
        refund = lock_get(Kind.REFUND, Refund.objects.filter(pk=refund_id))
        if refund.status != Refund.Status.PENDING or (error is not None and error.outcome_unknown):
            return refund
        if result is not None and result.status == "refunded":
            refund.status, refund.gateway_reference = Refund.Status.SUCCEEDED, result.reference
            refund.save(update_fields=["status", "gateway_reference", "updated_at"])
            order.refunded_amount += refund.amount
            full = order.refunded_amount >= order.paid_amount
            order.payment_status = Order.PaymentStatus.REFUNDED if full else Order.PaymentStatus.PARTIALLY_REFUNDED
            if full and order.status in TRANSITIONS["refund"][0]:  # a cancelled order stays cancelled
                if order.status == S.PAID:
                    stock_release_reference(reference=order.reference)  # the stock before the payment: the lock order
                order.status, order.hold_until = S.REFUNDED, None
            order.save(update_fields=["refunded_amount", "payment_status", "status", "hold_until", "updated_at"])
            payment = lock_get(Kind.PAYMENT, Payment.objects.filter(pk=refund.payment_id))
            payment.refunded_amount += refund.amount
            payment.save(update_fields=["refunded_amount", "updated_at"])
            record(events.OrderRefunded(**_ids(order), refund_id=refund.pk, amount=str(refund.amount),
                                        currency=refund.currency, full=full, lines=refund.lines, reason=refund.reason))
            return refund
        # refused or failed: nothing was refunded, so the units it was for may be refunded again
        refund.status = Refund.Status.FAILED
        refund.error_code = (error.code if error is not None else result.error_code or "refund_failed")[:40]
        refund.save(update_fields=["status", "error_code", "updated_at"])
        record(events.RefundFailed(**_ids(order), refund_id=refund.pk, amount=str(refund.amount), currency=refund.currency,
                                   error_code=refund.error_code))
        lines = {line.pk: line for line in lock(Kind.ORDER_LINE, OrderLine.objects.filter(order=order))}
        for item in refund.lines:
            line = lines.get(item["line_id"])
            if line is not None:
                line.refunded_quantity -= item["quantity"]
                line.refunded_amount -= Decimal(item["amount"])
                line.save(update_fields=["refunded_quantity", "refunded_amount"])
        return refund


def refunds_complete(refund_ids: list[int]) -> list[Refund]:
    """Steps 2 and 3 for refunds written by ``refunds_begin``, after their transaction committed.

    Raises ``RefundPending`` when a gateway's answer was lost (settled later, once) and
    ``PaymentGatewayError`` when the gateway refused or failed (nothing refunded)."""
    settled, problem = [], None
    for refund in Refund.objects.select_related("payment", "order").filter(pk__in=refund_ids).order_by("id"):
        result, error = _call_gateway(refund)
        refund = _settle_refund(refund.pk, result, error)
        settled.append(refund)
        if problem is None and error is not None and error.outcome_unknown:
            problem = RefundPending("The refund could not be confirmed yet. It will not be made twice; it is settled shortly.",
                                    extra={"refund_id": refund.pk})
        elif problem is None and refund.status == Refund.Status.FAILED:
            message = str(error) if error is not None else (result.message or "the gateway refused it")
            problem = PaymentGatewayError(f"The refund could not be made: {message}", extra={"refund_id": refund.pk})
    if problem is not None:
        raise problem
    return settled


def refunds_settle_pending(*, older_than_seconds: int = 60) -> int:
    """Refunds whose gateway answer was lost (or whose process died before the call): repeat the
    call with the same key, which the gateway honours once, and record the outcome."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    pending = Refund.objects.select_related("payment", "order").filter(status=Refund.Status.PENDING, created_at__lt=cutoff)
    settled = 0
    for refund in pending.order_by("id")[:200]:
        result, error = _call_gateway(refund)
        if _settle_refund(refund.pk, result, error).status != Refund.Status.PENDING:
            settled += 1
    return settled


def order_refund(*, order: Order | int, amount: Decimal | None = None, lines: list[dict] | None = None, reason: str = "") -> Order:
    """Refund all that was paid, an amount, or chosen units of lines (at their discounted price).

    In one transaction the order is locked, the refund checked and written ``pending``; the
    gateway is called after it committed, holding no lock; the outcome is recorded in a second
    transaction. A full refund moves the order to ``refunded`` (releasing any stock still reserved).
    """
    with telemetry.command_span("commerce.order.refund"):
        with transaction.atomic():
            order = lock_order(order)
            check_transition(order, "refund")
            refundable = order.refundable - pending_refunds(order)
            if lines:
                if amount is not None:
                    raise RefundInvalid("Refund either lines or an amount, not both.")
                value, detail = _line_refunds(order, lines)
            elif amount is not None:
                try:
                    value = Money.of(amount, order.currency)
                except (TypeError, ValueError):
                    raise RefundInvalid("The amount is not a number.", fields={"amount": ["Not a number."]}) from None
                detail = []
            else:
                value, detail = refundable, []
            if not value.is_positive():
                raise RefundInvalid("The refund must be more than zero.", fields={"amount": ["Must be more than zero."]})
            if value > refundable:
                raise RefundExceedsPaid(f"At most {refundable} can be refunded.",
                                        fields={"amount": [f"At most {refundable.amount}."]})
            refund_ids = refunds_begin(order=order, amount=value, reason=reason, lines=detail)
        refunds_complete(refund_ids)
        order.refresh_from_db()
        return order


# --- gateway notifications (webhooks) --------------------------------------------------------------
def webhook_signature(body: bytes, timestamp: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


#: ``t`` is a unix time in ASCII digits (12 reach the year 33658); ``v1`` a lower-case hex SHA-256.
_WEBHOOK_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_WEBHOOK_SIGNATURE = re.compile(r"[0-9a-f]{64}", re.ASCII)


def verify_webhook(*, body: bytes, header: str, secret: str, tolerance: int = 300, now: float | None = None) -> None:
    """Header ``t=<unix time>,v1=<hex hmac-sha256 of "t." + body>``; stale or wrong: refused.

    The header is checked for shape before anything is computed from it: a non-ASCII signature
    (``hmac.compare_digest`` raises on it) or a 400-digit time (overflows the clock arithmetic) is
    as refused as a wrong one.
    """
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp, signature = parts["t"], parts["v1"]
    except (KeyError, ValueError, AttributeError):
        raise WebhookRejected("Missing or malformed signature.") from None
    if not (_WEBHOOK_TIMESTAMP.fullmatch(timestamp) and _WEBHOOK_SIGNATURE.fullmatch(signature)):
        raise WebhookRejected("Missing or malformed signature.")
    timestamp = int(timestamp)
    if abs((now or time.time()) - timestamp) > tolerance:
        raise WebhookStale("The signature is too old (replayed?).")
    if not hmac.compare_digest(webhook_signature(body, timestamp, secret), signature):
        raise WebhookRejected("The signature does not match.")


def payment_notification_process(*, gateway: str, notification_id: str, event: str, data: dict) -> bool:
    """Apply one gateway notification once. Returns False when it was processed before."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                GatewayNotification.objects.create(gateway=gateway, notification_id=notification_id[:100],
                                                   event=event[:40], payload=data)
        except IntegrityError:
            return False
        payment = Payment.objects.filter(idempotency_key=data.get("idempotency_key", "")).first()
        if payment is None:
            return True  # not ours: remembered, nothing to do
        if event == "charge.succeeded":
            _settle(payment, GatewayResult("captured", reference=data.get("reference", ""),
                                              card_last4=data.get("card_last4", "")))
        elif event == "charge.failed":
            _settle(payment, GatewayResult("declined", error_code=data.get("error_code", "card_declined"),
                                              message=data.get("message", "The card was declined.")))
        return True


def sandbox_webhook_secret() -> str:
    return settings.ORDERS_WEBHOOK_SECRET
