"""Orders queries. History, search and analytics read the ``OrderSummary`` read model only.

This module is the orders app's public read API for other apps: another app reads orders through
these functions (and their frozen value types, ``CustomerPurchaseFacts``, ``OrderFacts``), never
through ``orders.models`` (the import contract in ``pyproject.toml`` checks it, see
``ARCHITECTURE.md``). The promotions app uses ``cart_find`` (the "My coupons" page),
``customer_purchase_facts``, ``customers_with_orders`` and ``customer_has_orders`` (segments) and
``order_facts`` (the redemptions written at checkout); logistics uses ``orders_ready_to_ship`` and
``order_shipping_facts`` (deliveries made from orders ready to ship, planned after
``ShippingFacts.plan_after``: the eve of the day promised at checkout); the recommendations app uses
``customer_received_product_ids`` (verified purchases), ``received_order_lines`` (review figures),
``customer_received_product`` (who may answer a product question as a verified buyer) and
``received_purchases`` (its demo data), ``purchased_lines`` (what the recommender learns from), and to
serve recommendations ``purchased_baskets`` (co-purchases), ``customer_purchases`` (no one-off
purchase just made), ``product_purchase_counts`` (popularity) and ``cart_product_ids`` (never what is
in the cart); logistics also uses ``customer_order_ids_with_product`` (the
delivery a review's delivery stars are about). A new need of another app is a new function here, with its query count in mind, not an import of a model.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Max, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from commerce.accounts import access
from commerce.audit.models import DomainEvent
from commerce.catalog.models import Category
from commerce.money import default_currency, round_amount
from orders.errors import OrderNotFound
from orders.models import Cart, CartLine, Order, OrderLine, OrderLineAllocation, OrderNote, OrderSummary
from orders.pricing import LineInput, Pricing, price_lines
from orders.shipping.selectors import shipping_option_for


# --- carts ------------------------------------------------------------------------------------------
def cart_find(*, customer=None, session_key: str = "") -> Cart | None:
    if customer is not None:  # one row of a unique index: the customer's one open cart
        return Cart.objects.filter(open_for=customer).first()
    if session_key:
        return Cart.objects.filter(customer__isnull=True, session_key=session_key, status=Cart.Status.OPEN).first()
    return None


def cart_items(*, cart: Cart) -> QuerySet[CartLine]:
    return CartLine.objects.filter(cart=cart).order_by("id")


def cart_summary(*, cart: Cart, shipping_options: list | None = None) -> Pricing:
    """Lines, subtotal, discounts, shipping, total: the same pipeline checkout uses. ``shipping_options``:
    the methods offered, when the caller has read them already (``orders.shipping.selectors``)."""
    lines = list(cart_items(cart=cart).values_list("pk", "product_id", "quantity", "seen_unit_price"))
    return price_lines(
        [LineInput(product_id, quantity, seen, pk) for pk, product_id, quantity, seen in lines],
        currency=cart.currency,
        customer_id=cart.customer_id,
        coupon_codes=cart.coupon_codes,
        shipping_option=shipping_option_for(method_id=cart.shipping_method_id, currency=cart.currency, options=shipping_options),
    )


#: orders that never became the customer's orders: cancelled ones, and voided checkout attempts
NOT_ORDERED = (Order.Status.CANCELLED, Order.Status.VOIDED)


# --- access -----------------------------------------------------------------------------------------
def visible_summaries(requester) -> QuerySet[OrderSummary]:
    """The orders a requester may see: their own; all with view_all_orders; their regions for Sales.

    A customer's own list leaves out checkout attempts voided because the payment failed (the
    order's number still answers; staff see the attempts)."""
    qs = OrderSummary.objects.all()
    if access.can_view_all_orders(requester):
        return qs
    scope = Q(customer_id=requester.pk) & ~Q(status=Order.Status.VOIDED)
    if access.has_permission(requester, "view_region_orders"):
        scope |= Q(region_id__in=access.region_ids_of(requester))
    return qs.filter(scope)


def can_view_order(requester, order: Order) -> bool:
    if requester is None or not requester.is_authenticated:
        return False
    if order.customer_id == requester.pk:
        return True
    return access.can_view_region(requester, order.region_id)


def order_get(*, number: str, requester) -> Order:
    """One order with its lines, allocations, payments and refunds; 404 for anyone not allowed."""
    order = (
        Order.objects.select_related("customer", "region")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id").prefetch_related(
                Prefetch("allocations", queryset=OrderLineAllocation.objects.order_by("id")))),
            "payments",
            "refunds",
        )
        .filter(number=number)
        .first()
    )
    if order is None or not can_view_order(requester, order):
        raise OrderNotFound("No such order.")
    return order


def order_timeline(*, order: Order) -> QuerySet[DomainEvent]:
    """The order's history, from its event stream."""
    return DomainEvent.objects.filter(stream_type="order", stream_id=str(order.pk)).order_by("version")


@dataclass(frozen=True)
class CustomerOverview:
    """What staff see of an order's customer: contact and purchase history (the order page)."""

    name: str
    username: str
    email: str
    phone: str
    order_count: int
    spent: dict  # currency -> amount of orders not cancelled or voided, less refunds
    first_order_at: object
    recent: list  # the latest OrderSummary rows


def customer_overview(*, customer_id: int, recent: int = 5) -> CustomerOverview | None:
    """An order customer's contact and history for staff, from the read model: three queries."""
    user = get_user_model().objects.filter(pk=customer_id).select_related("customer_profile").first()
    if user is None:
        return None
    rows = OrderSummary.objects.filter(customer_id=customer_id).exclude(status=Order.Status.VOIDED)
    totals = (rows.exclude(status=Order.Status.CANCELLED).values("currency")
              .annotate(total=Sum("total_amount"), refunded=Sum("refunded_amount"), count=Count("order_id"), first=Min("placed_at")))
    spent, first, count = {}, None, 0
    for row in totals:
        spent[row["currency"]] = row["total"] - row["refunded"]
        count += row["count"]
        first = row["first"] if first is None or row["first"] < first else first
    profile = getattr(user, "customer_profile", None)
    return CustomerOverview(
        name=user.get_full_name(), username=user.get_username(), email=user.email,
        phone=profile.phone if profile else "", order_count=count, spent=spent, first_order_at=first,
        recent=list(rows.order_by("-placed_at", "-order_id")[:recent]),
    )


def order_notes(*, order: Order) -> QuerySet[OrderNote]:
    return OrderNote.objects.filter(order=order).select_related("author").order_by("created_at", "id")


# --- history and search (read model) -----------------------------------------------------------------
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


# --- analytics (read model) --------------------------------------------------------------------------
REVENUE_STATUSES = [s for s in Order.Status.values if s not in (Order.Status.PENDING, *NOT_ORDERED)]
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def order_statistics(*, requester, period: str = "month", date_from=None, date_to=None) -> dict:
    """Counts and revenue (total less refunds) by status and by period."""
    qs = order_search(requester=requester, date_from=date_from, date_to=date_to).order_by()
    by_status = {
        row["status"]: {"count": row["count"], "revenue": row["revenue"] or Decimal(0)}
        for row in qs.values("status").annotate(count=Count("order_id"), revenue=Sum("total_amount"))
    }
    trunc = _TRUNC.get(period, TruncMonth)
    by_period = [
        {"period": row["period"], "orders": row["orders"], "revenue": (row["revenue"] or Decimal(0)) - (row["refunded"] or Decimal(0))}
        for row in qs.filter(status__in=REVENUE_STATUSES)
        .annotate(period=trunc("placed_at"))
        .values("period")
        .annotate(orders=Count("order_id"), revenue=Sum("total_amount"), refunded=Sum("refunded_amount"))
        .order_by("period")
    ]
    totals = qs.filter(status__in=REVENUE_STATUSES).aggregate(
        orders=Count("order_id"), revenue=Sum("total_amount"), refunded=Sum("refunded_amount"), aov=Avg("total_amount")
    )
    return {
        "by_status": by_status,
        "by_period": by_period,
        "orders": totals["orders"],
        "revenue": (totals["revenue"] or Decimal(0)) - (totals["refunded"] or Decimal(0)),
        "average_order_value": round_amount(totals["aov"] or Decimal(0), default_currency()),
    }


def average_order_value(*, requester, date_from=None, date_to=None) -> Decimal:
    return order_statistics(requester=requester, date_from=date_from, date_to=date_to)["average_order_value"]


def customer_lifetime_value(*, customer_id: int) -> Decimal:
    agg = OrderSummary.objects.filter(customer_id=customer_id, status__in=REVENUE_STATUSES).aggregate(
        total=Sum("total_amount"), refunded=Sum("refunded_amount")
    )
    return (agg["total"] or Decimal(0)) - (agg["refunded"] or Decimal(0))


def customer_purchase_pattern(*, customer_id: int) -> dict:
    """Frequency (days between orders), favourite categories, typical basket."""
    summaries = list(
        OrderSummary.objects.filter(customer_id=customer_id, status__in=REVENUE_STATUSES).order_by("placed_at")
        .only("placed_at", "lines", "item_count", "total_amount", "currency")
    )
    if not summaries:
        return {"orders": 0, "average_days_between_orders": None, "favourite_categories": [], "typical_basket": {},
                "lifetime_value": Decimal(0)}
    gaps = [(b.placed_at - a.placed_at).days for a, b in zip(summaries, summaries[1:], strict=False)]
    categories, products = Counter(), Counter()
    for s in summaries:
        for line in s.lines:
            categories[line["category_id"]] += line["quantity"]
            products[(line["product_id"], line["name"])] += 1
    names = dict(Category.objects.filter(pk__in=list(categories)).values_list("pk", "name"))
    item_counts = sorted(s.item_count for s in summaries)
    return {
        "orders": len(summaries),
        "average_days_between_orders": round(sum(gaps) / len(gaps), 1) if gaps else None,
        "favourite_categories": [{"category_id": c, "name": names.get(c, ""), "units": n} for c, n in categories.most_common(5)],
        "typical_basket": {
            "median_items": item_counts[len(item_counts) // 2],
            "average_total": round_amount(sum(s.total_amount for s in summaries) / len(summaries), summaries[-1].currency),
            "usual_products": [{"product_id": p, "name": n, "orders": k} for (p, n), k in products.most_common(5)],
        },
        "lifetime_value": customer_lifetime_value(customer_id=customer_id),
    }


def best_selling_products(*, requester, date_from=None, date_to=None, category: Category | None = None, limit: int = 10,
                          by: str = "units") -> list[dict]:
    """Best sellers by units or revenue over a period, optionally within a category subtree."""
    qs = order_search(requester=requester, date_from=date_from, date_to=date_to).filter(status__in=REVENUE_STATUSES)
    allowed = None
    if category is not None:
        allowed = set(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))
    return _rank_lines(qs, allowed=allowed, limit=limit, by=by)


def _rank_lines(qs: QuerySet[OrderSummary], *, allowed: set[int] | None, limit: int, by: str) -> list[dict]:
    """The products of the summaries' lines ranked by units (or revenue): one query, streamed."""
    units, revenue, names = defaultdict(int), defaultdict(Decimal), {}
    for lines in qs.values_list("lines", flat=True).iterator(chunk_size=1000):
        for line in lines:
            if allowed is not None and line["category_id"] not in allowed:
                continue
            pid = line["product_id"]
            units[pid] += line["quantity"]
            revenue[pid] += Decimal(line["line_total"])
            names[pid] = (line["code"], line["name"])
    key = (lambda p: (-revenue[p], p)) if by == "revenue" else (lambda p: (-units[p], -revenue[p], p))
    return [
        {"product_id": pid, "code": names[pid][0], "name": names[pid][1], "units": units[pid], "revenue": revenue[pid]}
        for pid in sorted(units, key=key)[:limit]
    ]


# --- the back office's figures (the admin home's panels; seen by staff the panel allows) -------------
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



# --- facts for other apps (segments and redemptions read these; they never read orders' tables) -------
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

    One query, grouped in the database. ``customer_ids`` None: every customer.
    """
    qs = OrderSummary.objects.exclude(status__in=NOT_ORDERED)
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
    return OrderSummary.objects.exclude(status__in=NOT_ORDERED).order_by().values("customer_id")


def customer_has_orders(*, customer_id: int) -> bool:
    return customers_with_orders().filter(customer_id=customer_id).exists()


#: orders whose goods reached the customer (a completed order was delivered first)
RECEIVED = (Order.Status.DELIVERED, Order.Status.COMPLETED)


def customer_received_product_ids(*, customer_id: int, product_ids=None) -> set[int]:
    """The products (of ``product_ids``, or all) the customer received in a delivered order: one query.
    The recommendations app's verified-purchase flag comes from here, never from a request."""
    qs = OrderLine.objects.filter(order__customer_id=customer_id, order__status__in=RECEIVED)
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    return set(qs.values_list("product_id", flat=True).distinct())


def received_order_lines() -> QuerySet:
    """Every line of a delivered order as ``order_id``, ``customer_id``, ``product_id`` values, for
    another app to annotate and count in the database (the share of delivered orders reviewed)."""
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


#: the statuses of an order whose goods reached the customer
RECEIVED = (Order.Status.DELIVERED, Order.Status.COMPLETED)


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
    """(customer id, product id) of delivered (or completed) order lines, newest order first, each pair once."""
    rows = (OrderLine.objects.filter(order__status__in=RECEIVED).order_by("-order__placed_at", "-order_id", "id")
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


# --- for the recommendations app --------------------------------------------------------------------
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


def cart_product_ids(*, customer_id: int | None = None, session_key: str = "") -> list[int]:
    """The products in the shopper's open cart (a customer's, else an anonymous session's): one query."""
    if customer_id is not None:
        qs = CartLine.objects.filter(cart__open_for_id=customer_id)
    elif session_key:
        qs = CartLine.objects.filter(cart__customer__isnull=True, cart__session_key=session_key, cart__status=Cart.Status.OPEN)
    else:
        return []
    return list(qs.order_by("id").values_list("product_id", flat=True))
def purchased_lines(*, since: datetime.datetime, customer_id: int | None = None, chunk_size: int = 5000):
    """Stream every line of an order placed since ``since`` and not cancelled or voided, as
    ``(customer_id, product_id, quantity, placed_at)`` tuples, unordered: one query read
    ``chunk_size`` rows at a time, so memory stays flat whatever the history (the recommender's
    training reads the whole shop through this; with ``customer_id``, one customer's lines)."""
    lines = OrderLine.objects.filter(order__placed_at__gte=since, product_id__isnull=False)
    if customer_id is not None:
        lines = lines.filter(order__customer_id=customer_id)
    return (lines.exclude(order__status__in=NOT_ORDERED).order_by()
            .values_list("order__customer_id", "product_id", "quantity", "order__placed_at")
            .iterator(chunk_size=chunk_size))
