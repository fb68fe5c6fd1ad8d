"""Promotions analytics: performance, coupon usage, campaign ROI.

Analytics read ``Redemption`` rows only (the order figures are copied there at checkout).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from promotions.errors import PeriodInvalid
from promotions.models import (
    Campaign,
    Coupon,
    CouponBatch,
    Promotion,
    Redemption,
)
from promotions.selectors._common import CENT

# --- analytics --------------------------------------------------------------------------------------
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def promotion_performance(
    *, promotion: Promotion, period: str = "day", date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[dict]:
    """Per period: orders, units on the discounted lines, revenue (order totals) and discount
    granted by the promotion, cancelled redemptions excluded."""
    if period not in _TRUNC:
        raise PeriodInvalid("Choose day, week or month.", fields={"period": ["day, week or month."]})
    qs = Redemption.objects.filter(promotion=promotion, cancelled_at__isnull=True)
    # Periods and date bounds are UTC days, whatever time zone the request has activated.
    if date_from:
        qs = qs.filter(placed_at__gte=_utc_midnight(date_from))
    if date_to and date_to < datetime.date.max:  # the calendar's last day has no next midnight: no bound
        qs = qs.filter(placed_at__lt=_utc_midnight(date_to + datetime.timedelta(days=1)))
    rows = (
        qs.order_by().annotate(period=_TRUNC[period]("placed_at", tzinfo=datetime.UTC)).values("period")
        .annotate(orders=Count("order_id", distinct=True), units=Sum("units"), revenue=Sum("order_total"),
                  discount=Sum("amount"))
        .order_by("period")
    )
    return [
        {"period": row["period"], "orders": row["orders"], "units": row["units"] or 0,
         "revenue": _money(row["revenue"]), "discount": _money(row["discount"])}
        for row in rows
    ]


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _money(value) -> Decimal:
    """A sum of amounts, to the cent (SQLite sums decimals with float-like tails)."""
    return Decimal(value or 0).quantize(CENT)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def coupon_usage_stats(*, promotion: Promotion | None = None, batch: CouponBatch | None = None) -> dict:
    """Coupons issued, assigned to a customer and redeemed (used at least once, cancelled orders
    given back), the redemption rate (redeemed / issued) and total uses; also per batch."""
    qs = Coupon.objects.all()
    if promotion is not None:
        qs = qs.filter(promotion=promotion)
    if batch is not None:
        qs = qs.filter(batch=batch)
    figures = {
        "issued": Count("id"),
        "assigned": Count("id", filter=Q(assigned_to__isnull=False)),
        "redeemed": Count("id", filter=Q(used_count__gt=0)),
        "uses": Sum("used_count"),
        "invalidated": Count("id", filter=Q(status=Coupon.Status.INVALIDATED)),
    }
    totals = qs.aggregate(**figures)
    by_batch = []
    for row in qs.filter(batch__isnull=False).order_by().values("batch_id", "batch__prefix").annotate(**figures).order_by("batch_id"):
        by_batch.append({
            "batch_id": row["batch_id"], "prefix": row["batch__prefix"], "issued": row["issued"],
            "assigned": row["assigned"], "redeemed": row["redeemed"], "uses": row["uses"] or 0,
            "invalidated": row["invalidated"], "redemption_rate": _rate(row["redeemed"], row["issued"]),
        })
    return {
        "issued": totals["issued"], "assigned": totals["assigned"], "redeemed": totals["redeemed"],
        "uses": totals["uses"] or 0, "invalidated": totals["invalidated"],
        "redemption_rate": _rate(totals["redeemed"], totals["issued"]), "by_batch": by_batch,
    }


def campaign_roi(*, campaign: Campaign) -> dict:
    """Revenue of the orders carrying the campaign's promotions (each order counted once) against
    the discount granted: ROI = (revenue - discount) / discount, None when nothing was granted.
    (``campaign_roi_many`` for one campaign, with its budget and spend as they are now.)"""
    campaign = Campaign.objects.get(pk=campaign.pk)  # the spend as it is now, not as the caller loaded it
    return campaign_roi_many(campaigns=[campaign])[campaign.pk]


def campaign_roi_many(*, campaigns: Sequence[Campaign]) -> dict[int, dict]:
    """``campaign_roi`` of each campaign, by id, in two queries whatever their number.

    Cancelled redemptions are left out; an order is counted once per campaign however many of its
    promotions it got (its total is copied on each of its redemptions: one row per order is summed).
    Budget and spend are read from the campaigns as given.
    """
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    live = Redemption.objects.filter(campaign_id__in=ids, cancelled_at__isnull=True).order_by()
    discounts = dict(live.values("campaign_id").annotate(total=Sum("amount")).values_list("campaign_id", "total")) if ids else {}
    one_per_order = live.values("campaign_id", "order_id").annotate(first=Min("id")).values("first")
    per_order = {
        campaign_id: (orders, revenue)
        for campaign_id, orders, revenue in Redemption.objects.filter(pk__in=one_per_order).order_by()
        .values("campaign_id").annotate(orders=Count("id"), revenue=Sum("order_total"))
        .values_list("campaign_id", "orders", "revenue")
    } if ids else {}
    figures = {}
    for campaign in campaigns:
        discount = _money(discounts.get(campaign.pk))
        orders, revenue = per_order.get(campaign.pk, (0, None))
        revenue = _money(revenue)
        budget = campaign.budget_amount
        figures[campaign.pk] = {
            "campaign_id": campaign.pk, "currency": campaign.currency, "orders": orders, "revenue": revenue,
            "discount": discount, "roi": ((revenue - discount) / discount).quantize(Decimal("0.0001")) if discount else None,
            "budget": budget, "spent": campaign.spent_amount,
            "budget_left": (budget - campaign.spent_amount) if budget is not None else None,
        }
    return figures
