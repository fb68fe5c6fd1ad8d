"""Facts for other apps: segments, redemptions, verified purchases and review requests read these;
they never read the orders app's tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Prefetch, QuerySet, Sum

from commerce.audit.models import DomainEvent
from orders.models import Order, OrderLine, OrderSummary
from orders.selectors.statuses import NOT_ORDERED, RECEIVED


@dataclass(frozen=True)
class CustomerPurchaseFacts:
    """A customer's purchase history over their non-cancelled orders (from the read model)."""

    customer_id: int
    orders: int
    first_order_at: datetime.datetime
    last_order_at: datetime.datetime
    spend: Decimal  # order totals less refunds


def customer_purchase_facts(*, customer_ids=None) -> dict[int, CustomerPurchaseFacts]:
    """Per customer with at least one non-cancelled order: count, first and last order, spend.

    One query, grouped in the database. ``customer_ids`` None: every customer. Guests' orders (no
    customer) are not a customer's: left out.
    """
    qs = OrderSummary.objects.exclude(status__in=NOT_ORDERED).filter(customer_id__isnull=False)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    rows = (
        qs.order_by().values("customer_id")
        .annotate(orders=Count("order_id"), first=Min("placed_at"), last=Max("placed_at"),
                  total=Sum("total_amount"), refunded=Sum("refunded_amount"))
    )
    return {
        row["customer_id"]: CustomerPurchaseFacts(
            customer_id=row["customer_id"], orders=row["orders"], first_order_at=row["first"], last_order_at=row["last"],
            spend=(row["total"] or Decimal(0)) - (row["refunded"] or Decimal(0)),
        )
        for row in rows
    }


def customers_with_orders() -> QuerySet:
    """The ids of customers with at least one order neither cancelled nor voided, as a subquery-able values queryset."""
    return OrderSummary.objects.exclude(status__in=NOT_ORDERED).filter(customer_id__isnull=False).order_by().values("customer_id")


def customer_has_orders(*, customer_id: int) -> bool:
    return customers_with_orders().filter(customer_id=customer_id).exists()


def customer_received_product_ids(*, customer_id: int, product_ids=None) -> set[int]:
    """The products (of ``product_ids``, or all) the customer received in a delivered order: one query.
    The recommendations app's verified-purchase flag comes from here, never from a request."""
    qs = OrderLine.objects.filter(order__customer_id=customer_id, order__status__in=RECEIVED)
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    return set(qs.values_list("product_id", flat=True).distinct())


def received_order_lines() -> QuerySet:
    """Every line of a delivered order as ``order_id``, ``customer_id``, ``product_id`` values, for
    another app to annotate and count in the database (the share of delivered orders reviewed).
    A guest's order (not claimed) is here too, with ``customer_id`` None."""
    return (OrderLine.objects.filter(order__status__in=RECEIVED).order_by()
            .values("order_id", "product_id", customer_id=F("order__customer_id")))


@dataclass(frozen=True)
class OrderFacts:
    """The figures another app copies from an order: its lines in id order (the cart's line order)."""

    order_id: int
    number: str
    customer_id: int
    currency: str
    subtotal_amount: Decimal
    total_amount: Decimal
    placed_at: datetime.datetime
    line_ids: tuple[int, ...]
    line_quantities: tuple[int, ...]


def order_facts(*, order_id: int) -> OrderFacts | None:
    """One query, from the order tables (usable inside the checkout transaction, before the read model)."""
    rows = list(
        OrderLine.objects.filter(order_id=order_id).order_by("id")
        .values_list("pk", "quantity", "order__number", "order__customer_id", "order__currency",
                     "order__subtotal_amount", "order__total_amount", "order__placed_at")
    )
    if not rows:
        order = Order.objects.filter(pk=order_id).values_list(
            "number", "customer_id", "currency", "subtotal_amount", "total_amount", "placed_at").first()
        if order is None:
            return None
        return OrderFacts(order_id, *order, line_ids=(), line_quantities=())
    first = rows[0]
    return OrderFacts(
        order_id=order_id, number=first[2], customer_id=first[3], currency=first[4], subtotal_amount=first[5],
        total_amount=first[6], placed_at=first[7], line_ids=tuple(r[0] for r in rows), line_quantities=tuple(r[1] for r in rows),
    )


def customer_received_product(*, customer_id: int, product_id: int) -> bool:
    """Whether the customer has a delivered (or completed) order with a line of the product: a verified
    buyer of it. One query (the orders' customer index)."""
    return OrderLine.objects.filter(order__customer_id=customer_id, order__status__in=RECEIVED, product_id=product_id).exists()


def customer_order_ids_with_product(*, customer_id: int, product_id: int) -> list[int]:
    """The customer's orders with a line of the product, any status (logistics ties a review's
    delivery stars to the delivery that brought it). One query."""
    return list(OrderLine.objects.filter(order__customer_id=customer_id, product_id=product_id)
                .values_list("order_id", flat=True).distinct())


def received_purchases(*, limit: int = 100) -> list[tuple[int, int]]:
    """(customer id, product id) of customers' delivered (or completed) order lines, newest order first,
    each pair once (a guest's order has no customer to name)."""
    rows = (OrderLine.objects.filter(order__status__in=RECEIVED, order__customer__isnull=False).order_by("-order__placed_at", "-order_id", "id")
            .values_list("order__customer_id", "product_id"))
    pairs: list[tuple[int, int]] = []
    for pair in rows.iterator(chunk_size=500):
        if pair not in pairs:
            pairs.append(pair)
            if len(pairs) >= limit:
                break
    return pairs


@dataclass(frozen=True)
class DeliveredOrder:
    """A delivered order as the review request reads it: who to ask, and what they received."""

    number: str
    customer_id: int
    email: str
    greeting_name: str
    products: tuple[tuple[int, str], ...]  # (product id, name on the order), each product once, in line order


def _delivered(order: Order) -> DeliveredOrder:
    products: dict[int, str] = {}
    for line in order.lines.all():
        if line.product_id is not None:
            products.setdefault(line.product_id, line.product_name)
    customer = order.customer
    return DeliveredOrder(order.number, customer.pk, customer.email or "", customer.first_name or customer.username,
                          tuple(products.items()))


def orders_delivered_between(*, start: datetime.datetime, end: datetime.datetime) -> list[DeliveredOrder]:
    """Orders delivered (by their ``orders.order.delivered`` event) in [start, end) and still delivered or
    completed: three queries whatever their number (events, orders with customers, lines)."""
    ids = [int(i) for i in DomainEvent.objects.filter(event_type="orders.order.delivered", stream_type="order",
                                                      occurred_at__gte=start, occurred_at__lt=end)
           .values_list("stream_id", flat=True) if i.isdigit()]
    # A guest's order (no customer) gets no review request: a review needs an account.
    orders = (Order.objects.filter(pk__in=ids, status__in=RECEIVED, customer__isnull=False).select_related("customer")
              .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id"))).order_by("id"))
    return [_delivered(order) for order in orders]


def delivered_order_of(*, number: str, customer_id: int) -> DeliveredOrder | None:
    """The customer's order ``number`` if it was delivered (or completed); None otherwise."""
    order = (Order.objects.filter(number=number, customer_id=customer_id, status__in=RECEIVED).select_related("customer")
             .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id"))).first())
    return None if order is None else _delivered(order)
