"""The back office's figures (the admin home's panels; seen by staff the panel allows) and the batch
recall's resolver of order references."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from commerce.money import default_currency, round_amount
from orders.models import Order, OrderSummary
from orders.selectors.analytics import _rank_lines
from orders.selectors.statuses import REVENUE_STATUSES


@dataclass(frozen=True)
class DaySales:
    day: datetime.date
    orders: int
    revenue: Decimal  # order totals less refunds, in the shop's currency


def sales_by_day(*, date_from: datetime.date, date_to: datetime.date, currency: str | None = None) -> list[DaySales]:
    """Every day from ``date_from`` to ``date_to`` (local days, days without orders as zeros): orders
    placed and their revenue, the way ``order_statistics`` counts it. One query. All orders, not a
    requester's: the dashboard's panel permission decides who sees the shop's sales."""
    currency = currency or default_currency()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min), tz)
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min), tz)
    rows = (
        OrderSummary.objects.filter(placed_at__gte=start, placed_at__lt=end, status__in=REVENUE_STATUSES, currency=currency)
        .order_by().annotate(day=TruncDate("placed_at", tzinfo=tz)).values("day")
        .annotate(orders=Count("order_id"), revenue=Sum("total_amount"), refunded=Sum("refunded_amount"))
    )
    found = {row["day"]: row for row in rows}
    days = []
    for offset in range((date_to - date_from).days + 1):
        day = date_from + datetime.timedelta(days=offset)
        row = found.get(day)
        revenue = (row["revenue"] or Decimal(0)) - (row["refunded"] or Decimal(0)) if row else Decimal(0)
        days.append(DaySales(day, row["orders"] if row else 0, round_amount(revenue, currency)))
    return days


def top_products(*, since: datetime.datetime, limit: int = 5, currency: str | None = None) -> list[dict]:
    """The shop's best sellers by units since ``since`` (all orders; see ``sales_by_day``). One query."""
    qs = OrderSummary.objects.filter(placed_at__gte=since, status__in=REVENUE_STATUSES, currency=currency or default_currency())
    return _rank_lines(qs, allowed=None, limit=limit, by="units")


@dataclass(frozen=True)
class QueueOrder:
    order_id: int
    number: str
    status: str
    placed_at: datetime.datetime
    total: Decimal
    currency: str


@dataclass(frozen=True)
class FulfilmentQueue:
    to_allocate: int  # paid, or confirmed cash on delivery: the warehouse may allocate them
    to_pack: int  # allocated, not yet marked ready to ship
    to_ship: int  # ready to ship
    oldest: list[QueueOrder]  # the longest waiting of all three, oldest first


def _to_allocate_q() -> Q:
    return Q(status=Order.Status.PAID) | Q(status=Order.Status.CONFIRMED, payment_method=Order.PaymentMethod.CASH_ON_DELIVERY)


def fulfilment_queue(*, oldest: int = 5) -> FulfilmentQueue:
    """Orders waiting for the warehouse, by step, and the ``oldest`` longest waiting. Two queries."""
    waiting = _to_allocate_q() | Q(status__in=[Order.Status.ALLOCATED, Order.Status.READY_TO_SHIP])
    counts = Order.objects.aggregate(
        to_allocate=Count("id", filter=_to_allocate_q()),
        to_pack=Count("id", filter=Q(status=Order.Status.ALLOCATED)),
        to_ship=Count("id", filter=Q(status=Order.Status.READY_TO_SHIP)),
    )
    rows = Order.objects.filter(waiting).order_by("placed_at", "id").values_list(
        "id", "number", "status", "placed_at", "total_amount", "currency")[:oldest]
    return FulfilmentQueue(counts["to_allocate"], counts["to_pack"], counts["to_ship"], [QueueOrder(*row) for row in rows])


# --- traceability -----------------------------------------------------------------------------------
def trace_references(references: list[str]) -> dict[str, dict]:
    """Batch recall resolver: ``order:<number>`` references to order, customer and lines."""
    numbers = [ref.split(":", 1)[1] for ref in references if ref.startswith("order:")]
    if not numbers:
        return {}
    result = {}
    for order in Order.objects.filter(number__in=numbers).select_related("customer").prefetch_related("lines"):
        result[order.reference] = {
            "order": order.number,
            "order_id": order.pk,
            "order_status": order.status,
            "customer_id": order.customer_id,
            "customer": order.customer.get_username(),
            "order_lines": [{"id": line.pk, "code": line.product_code, "quantity": line.quantity} for line in order.lines.all()],
            "shipping_city": order.shipping_address.get("city", ""),
        }
    return result
