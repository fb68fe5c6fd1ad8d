"""Order history and search (the ``OrderSummary`` read model), reorder suggestions, and what logistics
reads of orders ready to ship."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from orders.models import Order, OrderLine, OrderLineAllocation, OrderSummary
from orders.selectors.access import visible_summaries
from orders.selectors.statuses import NOT_ORDERED


def order_history(*, customer) -> QuerySet[OrderSummary]:
    """The shopper's orders, as the API lists them to them: voided checkout attempts left out."""
    return OrderSummary.objects.filter(customer_id=customer.pk).exclude(status=Order.Status.VOIDED).order_by("-placed_at", "-order_id")


def order_search(
    *,
    requester,
    status: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    min_total: Decimal | None = None,
    max_total: Decimal | None = None,
    customer_id: int | None = None,
    product_code: str | None = None,
    number: str | None = None,
    region_id: int | None = None,
    payment_status: str | None = None,
) -> QuerySet[OrderSummary]:
    qs = visible_summaries(requester)
    if status:
        qs = qs.filter(status=status)
    if payment_status:
        qs = qs.filter(payment_status=payment_status)
    if date_from:
        qs = qs.filter(placed_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(placed_at__date__lte=date_to)
    if min_total is not None:
        qs = qs.filter(total_amount__gte=min_total)
    if max_total is not None:
        qs = qs.filter(total_amount__lte=max_total)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if product_code:
        qs = qs.filter(product_codes__contains=f"|{product_code.strip().upper()}|")
    if number:
        qs = qs.filter(number__iexact=number.strip())
    if region_id:
        qs = qs.filter(region_id=region_id)
    return qs.order_by("-placed_at", "-order_id")


@dataclass(frozen=True)
class ReorderSuggestion:
    product_id: int
    code: str
    name: str
    times_ordered: int
    total_quantity: int
    last_ordered_at: datetime.datetime


def reorder_suggestions(*, customer, limit: int = 10) -> list[ReorderSuggestion]:
    """Items the customer buys again and again (in at least two orders), most frequent first."""
    orders = OrderSummary.objects.filter(customer_id=customer.pk).exclude(status__in=NOT_ORDERED).only("lines", "placed_at")
    times, quantity, last, names = Counter(), Counter(), {}, {}
    for summary in orders:
        for line in summary.lines:
            pid = line["product_id"]
            times[pid] += 1
            quantity[pid] += line["quantity"]
            names[pid] = (line["code"], line["name"])
            last[pid] = max(last.get(pid, summary.placed_at), summary.placed_at)
    ranked = sorted((pid for pid in times if times[pid] >= 2), key=lambda p: (-times[p], -quantity[p], p))
    return [ReorderSuggestion(pid, names[pid][0], names[pid][1], times[pid], quantity[pid], last[pid]) for pid in ranked[:limit]]


def orders_ready_to_ship() -> QuerySet[Order]:
    """The seam for logistics: orders packed and waiting for a delivery route."""
    return Order.objects.filter(status=Order.Status.READY_TO_SHIP).order_by("placed_at", "id")


@dataclass(frozen=True)
class ShippingFacts:
    """What logistics needs to deliver an order: where to, and what the parcel weighs and takes up
    (the products' own weight and volume times the units still owed, refunded units left out)."""

    order_id: int
    number: str
    customer_id: int | None  # None: a guest's order
    status: str
    shipping_address: dict
    weight_kg: Decimal
    volume_l: Decimal
    units: int
    locations: tuple[str, ...]  # the warehouse codes its units were allocated from
    payment_method: str  # card or cod: cash on delivery asks the courier for more proof
    delivery_earliest: datetime.date | None = None  # the window promised at checkout (orders.shipping)
    delivery_latest: datetime.date | None = None
    contact_email: str = ""  # where its mails go: the customer's address, or the guest's

    def plan_after(self, today: datetime.date) -> datetime.date:
        """The day after which its delivery is planned: today, or the eve of the day promised."""
        if self.delivery_earliest is None:
            return today
        return max(today, self.delivery_earliest - datetime.timedelta(days=1))


def order_shipping_facts(*, order_ids: list[int]) -> list[ShippingFacts]:
    """Shipping facts of these orders (unknown ids left out), in id order: three queries for any number."""
    orders = list(Order.objects.filter(pk__in=order_ids).order_by("pk")
                  .values_list("pk", "number", "customer_id", "status", "shipping_address", "payment_method",
                               "delivery_earliest", "delivery_latest", "customer__email", "guest_email"))
    weight, volume, units = defaultdict(Decimal), defaultdict(Decimal), Counter()
    lines = OrderLine.objects.filter(order_id__in=[o[0] for o in orders]).values_list(
        "order_id", "quantity", "refunded_quantity", "product__weight_kg", "product__volume_l")
    for order_id, quantity, refunded, kg, litres in lines:
        owed = max(0, quantity - refunded)
        weight[order_id] += owed * (kg or 0)
        volume[order_id] += owed * (litres or 0)
        units[order_id] += owed
    locations = defaultdict(set)
    for order_id, location in OrderLineAllocation.objects.filter(line__order_id__in=[o[0] for o in orders]).values_list(
            "line__order_id", "location"):
        if location:
            locations[order_id].add(location)
    return [
        ShippingFacts(pk, number, customer_id, status, address or {}, weight[pk], volume[pk], units[pk],
                      tuple(sorted(locations[pk])), payment_method, earliest, latest,
                      (customer_email if customer_id is not None else guest_email) or "")
        for pk, number, customer_id, status, address, payment_method, earliest, latest, customer_email, guest_email in orders
    ]
