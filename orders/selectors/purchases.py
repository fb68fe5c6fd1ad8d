"""What the recommendations app learns from and serves by: streamed purchase lines and baskets,
a customer's recent purchases, purchase counts. Each in one query, streamed where the history is big."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max

from orders.models import Order, OrderLine
from orders.selectors.statuses import NOT_ORDERED

#: orders that did not fall through: every status but a voided checkout, a cancel or a refund
_BOUGHT_EXCLUDED = (Order.Status.VOIDED, Order.Status.CANCELLED, Order.Status.REFUNDED)


def purchased_baskets(*, since: datetime.datetime, chunk_size: int = 2000):
    """Stream (order id, customer id, product id, quantity, placed at) of the lines of orders placed
    since ``since`` that were not voided, cancelled or refunded, ordered by order: the baskets the
    recommendations app counts co-purchases and popularity from, in flat memory."""
    return (OrderLine.objects.filter(order__placed_at__gte=since).exclude(order__status__in=_BOUGHT_EXCLUDED)
            .order_by("order_id", "id")
            .values_list("order_id", "order__customer_id", "product_id", "quantity", "order__placed_at")
            .iterator(chunk_size=chunk_size))


def customer_purchases(*, customer_id: int, since: datetime.datetime) -> dict[int, tuple[int, datetime.datetime]]:
    """The products the customer bought since ``since`` (orders not voided, cancelled or refunded), each
    with how many orders had it and the latest one's time: one query."""
    rows = (OrderLine.objects.filter(order__customer_id=customer_id, order__placed_at__gte=since)
            .exclude(order__status__in=_BOUGHT_EXCLUDED).values("product_id")
            .annotate(orders=Count("order_id", distinct=True), last=Max("order__placed_at")).order_by()
            .values_list("product_id", "orders", "last"))
    return {product_id: (orders, last) for product_id, orders, last in rows}


def product_purchase_counts(*, since: datetime.datetime, limit: int = 200) -> list[tuple[int, int]]:
    """(product id, orders with it) of orders placed since ``since`` (not voided, cancelled or refunded),
    most bought first: one grouped query."""
    rows = (OrderLine.objects.filter(order__placed_at__gte=since).exclude(order__status__in=_BOUGHT_EXCLUDED)
            .values("product_id").annotate(orders=Count("order_id", distinct=True))
            .order_by("-orders", "product_id").values_list("product_id", "orders")[:limit])
    return list(rows)


def purchased_lines(*, since: datetime.datetime, customer_id: int | None = None, chunk_size: int = 5000):
    """Stream every line of an order placed since ``since`` and not cancelled or voided, as
    ``(customer_id, product_id, quantity, placed_at)`` tuples, unordered: one query read
    ``chunk_size`` rows at a time, so memory stays flat whatever the history (the recommender's
    training reads the whole shop through this; with ``customer_id``, one customer's lines). Guests'
    orders (no customer) are left out: there is nobody to learn a taste for."""
    lines = OrderLine.objects.filter(order__placed_at__gte=since, product_id__isnull=False, order__customer__isnull=False)
    if customer_id is not None:
        lines = lines.filter(order__customer_id=customer_id)
    return (lines.exclude(order__status__in=NOT_ORDERED).order_by()
            .values_list("order__customer_id", "product_id", "quantity", "order__placed_at")
            .iterator(chunk_size=chunk_size))
