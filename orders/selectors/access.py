"""Who may see which order, and one order as its pages show it: lines, timeline, notes, customer."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum

from commerce.accounts import access
from commerce.audit.models import DomainEvent
from orders.errors import OrderNotFound
from orders.models import Order, OrderLine, OrderLineAllocation, OrderNote, OrderSummary


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
    """One order with its lines (and their products), allocations, payments and refunds; 404 for anyone not allowed."""
    order = (
        Order.objects.select_related("customer", "region")
        .prefetch_related(
            # each line's product in the same query: the page links it (one query per line before)
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id").prefetch_related(
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
