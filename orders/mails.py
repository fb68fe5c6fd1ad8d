"""The orders app's mails: reactions to its domain events, through the core's outbox (``commerce.mail``).

Subscribed on the audit bus by ``OrdersConfig.ready`` (``SUBSCRIPTIONS``), so each runs in Celery
after the event's transaction committed. Each mail has one idempotency key, the event type and the
order number (and the payment or refund for what an order can have several of), so an event handled
twice sends one mail. A guest's order mails go to the address the guest checked out with, their
links to the order's signed page (no log-in); a customer without an e-mail address gets none.

| Event | Mail | Key |
|---|---|---|
| ``orders.order.confirmed`` (paid by card, or confirmed for cash on delivery) | confirmation | type:number |
| ``orders.payment.processed`` with a declined or failed payment | payment failure | type:number:payment |
| ``orders.order.shipped`` | shipped, the tracking number a link where the carrier is known (none for a carrier whose app mails itself, ``carriers.register_self_notifying``: the own fleet) | type:number |
| ``orders.order.cancelled`` | cancelled, with what is refunded | type:number |
| ``orders.order.refunded`` | refunded (each refund, full or partial) | type:number:refund |
| ``accounts.customer.registered`` with guest orders at that address | claim them (``services.guests``) | orders.guest_claim:customer:address |
"""

from __future__ import annotations

import logging

from django.urls import reverse

from commerce.mail.rendering import absolute_url
from commerce.mail.services import mail_send_once
from commerce.money_format import money_text
from orders.carriers import notifies_itself, tracking_url
from orders.guests import order_link_token
from orders.models import Order, Payment

logger = logging.getLogger(__name__)

SUBSCRIPTIONS = {
    "orders.order.confirmed": "orders.mails.order_confirmed",
    "orders.payment.processed": "orders.mails.payment_processed",
    "orders.order.shipped": "orders.mails.order_shipped",
    "orders.order.cancelled": "orders.mails.order_cancelled",
    "orders.order.refunded": "orders.mails.order_refunded",
    "accounts.customer.registered": "orders.services.guests.guest_claim_offer",
    "accounts.customer.profile_updated": "orders.services.guests.guest_claim_offer_on_email_change",
}
FAILED_PAYMENTS = frozenset({Payment.Status.DECLINED, Payment.Status.FAILED})


def _order(event) -> Order:
    return Order.objects.select_related("customer").get(pk=event.payload["order_id"])


def order_page_url(order: Order) -> str:
    """The order's page for its mails: a guest's signed page, a customer's page behind the log-in."""
    if order.is_guest:
        return absolute_url(reverse("orders:guest_order", kwargs={"token": order_link_token(number=order.number, email=order.guest_email)}))
    return absolute_url(reverse("orders:order_detail", kwargs={"number": order.number}))


def _send(event, order: Order, template: str, *, also: str = "", **context):
    customer = order.customer
    to = order.contact_email
    if not to:
        logger.info("no %s mail for order %s: its customer has no e-mail address", template, order.number)
        return None
    key = f"{event.event_type}:{order.number}" + (f":{also}" if also else "")
    return mail_send_once(
        key=key, to=to, template=f"orders/mail/{template}", customer_id=order.customer_id,
        context={
            "order": order,
            "greeting_name": (customer.first_name or customer.username) if customer is not None
            else (order.shipping_address or {}).get("recipient") or "there",
            "order_url": order_page_url(order),
            "total": money_text(order.total_amount, order.currency),
            "address": order.shipping_address,
            **context,
        },
    )


def _lines(order: Order) -> list[dict]:
    return [
        {"name": line.product_name, "code": line.product_code, "quantity": line.quantity,
         "unit_price": money_text(line.unit_price_amount, order.currency),
         "total": money_text(line.line_total_amount, order.currency)}
        for line in order.lines.order_by("id")
    ]


def order_confirmed(event) -> None:
    order = _order(event)
    if order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY:
        payment = f"Cash on delivery: {money_text(order.total_amount - order.paid_amount, order.currency)} to pay the courier."
    elif order.paid_amount >= order.total_amount:
        payment = f"Paid by card: {money_text(order.paid_amount, order.currency)}."
    else:
        payment = f"Awaiting payment: {money_text(order.total_amount - order.paid_amount, order.currency)}."
    _send(event, order, "confirmation", lines=_lines(order), payment=payment,
          subtotal=money_text(order.subtotal_amount, order.currency),
          discount=money_text(order.discount_amount, order.currency) if order.discount_amount else "",
          shipping=money_text(order.shipping_amount, order.currency), delivery=delivery_promise_text(order))


def delivery_promise_text(order: Order) -> str:
    """``Express, expected Tue 9 Dec`` (or a window), or "" for an order placed without a method."""
    if not order.shipping_method_name or order.delivery_earliest is None:
        return order.shipping_method_name
    when = (f"{order.delivery_earliest:%a %-d %b}" if order.delivery_earliest == order.delivery_latest
            else f"{order.delivery_earliest:%a %-d %b} – {order.delivery_latest:%a %-d %b}")
    return f"{order.shipping_method_name}, expected {when}"


def payment_processed(event) -> None:
    if event.payload["status"] not in FAILED_PAYMENTS:
        return
    order = _order(event)
    payment = Payment.objects.get(pk=event.payload["payment_id"])
    declined = payment.status == Payment.Status.DECLINED
    _send(event, order, "payment_failed", also=str(payment.pk),
          amount=money_text(payment.amount, payment.currency), declined=declined,
          reason=payment.message if declined else "the payment service had an error",
          cart_url=absolute_url(reverse("orders:cart")))


def order_shipped(event) -> None:
    carrier, number = event.payload["carrier"], event.payload["tracking_number"]
    if notifies_itself(carrier):  # the shop's own fleet: logistics sends "out for delivery" with the window
        return
    order = _order(event)
    _send(event, order, "shipped", carrier=carrier, tracking_number=number, tracking_url=tracking_url(carrier, number))


def order_cancelled(event) -> None:
    order = _order(event)
    paid = order.paid_amount > 0  # given back by the cancellation (its refund may still be on its way)
    _send(event, order, "cancelled", reason=event.payload["reason"], refund=money_text(order.paid_amount, order.currency) if paid else "")


def order_refunded(event) -> None:
    order = _order(event)
    payload = event.payload
    codes = {line.pk: line.product_name for line in order.lines.all()}
    lines = [{"name": codes.get(item["line_id"], item.get("product_code", "")), "quantity": item["quantity"],
              "amount": money_text(item["amount"], payload["currency"])} for item in payload["lines"]]
    _send(event, order, "refunded", also=str(payload["refund_id"]), amount=money_text(payload["amount"], payload["currency"]),
          full=payload["full"], lines=lines, reason=payload["reason"],
          refunded_total=money_text(order.refunded_amount, order.currency))
