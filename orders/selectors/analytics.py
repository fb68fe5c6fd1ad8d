"""Sales analytics from the ``OrderSummary`` read model: statistics, customer value and patterns, best sellers."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from commerce.catalog.models import Category
from commerce.money import default_currency, round_amount
from orders.models import OrderSummary
from orders.selectors.history import order_search
from orders.selectors.statuses import REVENUE_STATUSES

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
