"""The order read model: ``OrderSummary`` rows projected from the order stream's events.

The projection runs synchronously in the transaction that records the event (never a change
without its summary), and only reads event payloads, so replaying the audit table rebuilds
exactly the same rows (``manage.py rebuild_order_summaries``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.dateparse import parse_datetime

from commerce.audit.models import DomainEvent
from commerce.locks import Kind, lock
from orders.models import Order, OrderSummary
from orders.timeline import STATUS_BY_EVENT, cash_collected

S, PS = Order.Status, Order.PaymentStatus


def created_amounts(payload: dict) -> dict[str, Decimal]:
    """The order's amounts from its created event, in today's meaning (see ``orders.models``).

    Events written before the shipping discount was stored apart (no ``shipping_discount_amount``)
    held shipping after its discount: the shipping discount is what their applied promotions took
    off shipping, added back to give shipping before it. Replaying old and new events alike yields
    ``total = subtotal - discount + shipping``.
    """
    shipping = Decimal(payload["shipping_amount"])
    if "shipping_discount_amount" in payload:
        shipping_discount = Decimal(payload["shipping_discount_amount"])
    else:
        shipping_discount = sum((Decimal(d.get("shipping_amount") or 0) for d in payload.get("applied_promotions") or []),
                                Decimal(0))
        shipping += shipping_discount
    return {
        "subtotal_amount": Decimal(payload["subtotal_amount"]),
        "discount_amount": Decimal(payload["discount_amount"]),
        "shipping_amount": shipping,
        "shipping_discount_amount": shipping_discount,
        "total_amount": Decimal(payload["total_amount"]),
    }


def _created(event: DomainEvent) -> OrderSummary:
    p = event.payload
    items = p["items"]
    return OrderSummary(
        order_id=int(event.stream_id),
        number=p["order_number"],
        customer_id=p["customer_id"],
        region_id=p.get("region_id"),
        status=S.PENDING,
        payment_status=PS.UNPAID,
        payment_method=p["payment_method"],
        currency=p["currency"],
        **created_amounts(p),
        refunded_amount=Decimal(0),
        item_count=sum(i["quantity"] for i in items),
        lines=[
            {"product_id": i["product_id"], "code": i["product_code"], "name": i["product_name"], "category_id": i["category_id"],
             "quantity": i["quantity"], "unit_price": i["unit_price"], "line_total": i["line_total"]}
            for i in items
        ],
        product_codes="|" + "|".join(i["product_code"] for i in items) + "|",
        placed_at=parse_datetime(p["placed_at"]),
        updated_at=event.occurred_at,
        version=event.version,
    )


def apply(summary: OrderSummary | None, event: DomainEvent) -> OrderSummary | None:
    """Fold one order-stream event into its summary (pure: no queries)."""
    if event.event_type == "orders.order.created":
        return _created(event)
    if summary is None or event.version <= summary.version:
        return summary
    p = event.payload
    if event.event_type in STATUS_BY_EVENT:
        summary.status = STATUS_BY_EVENT[event.event_type]
        if event.event_type == "orders.order.confirmed" and summary.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY:
            summary.payment_status = PS.DUE_ON_DELIVERY
        if event.event_type == "orders.order.paid":
            summary.payment_status = PS.PAID
    elif event.event_type == "orders.payment.processed":
        if cash_collected(p):
            summary.payment_status = PS.PAID
    elif event.event_type == "orders.order.claimed":
        summary.customer_id = p["customer_id"]
    elif event.event_type == "orders.order.refunded":
        summary.refunded_amount += Decimal(p["amount"])
        summary.payment_status = PS.REFUNDED if p.get("full") else PS.PARTIALLY_REFUNDED
        if p.get("full") and summary.status != S.CANCELLED:
            summary.status = S.REFUNDED
    summary.updated_at = event.occurred_at
    summary.version = event.version
    return summary


def project(rows: list[DomainEvent]) -> None:
    order_rows = [r for r in rows if r.stream_type == "order"]
    if not order_rows:
        return
    ids = {int(r.stream_id) for r in order_rows}
    # An order whose created event is in this batch has no summary yet: nothing to read or lock.
    stored = ids - {int(r.stream_id) for r in order_rows if r.event_type == "orders.order.created"}
    summaries = {s.order_id: s for s in lock(Kind.ORDER_SUMMARY, OrderSummary.objects.filter(order_id__in=stored))} if stored else {}
    existing, changed = set(summaries), {}
    for row in order_rows:
        order_id = int(row.stream_id)
        after = apply(summaries.get(order_id), row)
        if after is None:
            continue
        summaries[order_id] = changed[order_id] = after
    for order_id, summary in changed.items():  # one write per order, however many events
        summary.save(force_insert=order_id not in existing)


def rebuild() -> int:
    """Drop and replay every summary from the audit table; returns how many orders."""
    with transaction.atomic():
        OrderSummary.objects.all().delete()
        summaries: dict[int, OrderSummary] = {}
        events = DomainEvent.objects.filter(stream_type="order").order_by("id").iterator(chunk_size=2000)
        for event in events:
            order_id = int(event.stream_id)
            summary = apply(summaries.get(order_id), event)
            if summary is not None:
                summaries[order_id] = summary
        OrderSummary.objects.bulk_create(summaries.values(), batch_size=500)
        return len(summaries)
