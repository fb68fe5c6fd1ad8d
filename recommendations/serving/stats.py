"""The lists' performance per day (``RecommendationDayStat``): computed from the tracking tables a day
at a time, stored by the nightly task, read by ``performance``.

A day's rows are a cohort: the lists served that day (the shop's local day) and everything that
happened to them since (clicks, adds to cart, purchases, revenue), per placement, intent, model
version and A/B test variant. A purchase can reach a list up to the attribution window later, so
the nightly run recomputes the last ``purchase_days + 1`` days. Rebuilding a day replaces its rows
in one transaction: a rerun gives the same rows, readers see the old ones or the new ones.
Three grouped queries compute a day, whatever its volume.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from recommendations.events import RecommendationStatsRebuilt
from recommendations.models import (
    RecommendationClick,
    RecommendationConversion,
    RecommendationDayStat,
    RecommendationList,
)

#: a list's fields a day's rows are grouped by
GROUP = ("placement", "intent", "model_version", "variant_id")
COUNTS = ("lists", "impressions", "clicks", "clicked_lists", "add_to_carts", "carted_lists", "purchases",
          "purchased_lists")


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The shop's local day as [start, end) aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def _key(values: dict, prefix: str = "") -> tuple:
    return tuple((values[f"{prefix}{f}"] or 0) if f in ("model_version", "variant_id") else values[f"{prefix}{f}"]
                 for f in GROUP)


def day_rows(*, day: datetime.date, now: datetime.datetime | None = None) -> list[RecommendationDayStat]:
    """A day's rows, computed (unsaved): three grouped queries."""
    start, end = day_bounds(day)
    shop = settings.DEFAULT_CURRENCY
    rows: dict[tuple, RecommendationDayStat] = {}

    def row(group: tuple, currency: str) -> RecommendationDayStat:
        key = (*group, currency)
        if key not in rows:
            rows[key] = RecommendationDayStat(day=day, **dict(zip(GROUP, group, strict=True)), currency=currency,
                                              revenue_amount=Decimal("0"), computed_at=now or timezone.now())
        return rows[key]

    served = (RecommendationList.objects.filter(created_at__gte=start, created_at__lt=end).values(*GROUP)
              .annotate(n=Count("id"), seen=Count("id", filter=Q(impressed_at__isnull=False))).order_by())
    for values in served:
        target = row(_key(values), shop)
        target.lists, target.impressions = values["n"], values["seen"]
    of_list = [f"recommendation_list__{f}" for f in GROUP]
    clicks = (RecommendationClick.objects.filter(recommendation_list__created_at__gte=start,
                                                 recommendation_list__created_at__lt=end)
              .values(*of_list).annotate(n=Count("id"), lists=Count("recommendation_list", distinct=True)).order_by())
    for values in clicks:
        target = row(_key(values, "recommendation_list__"), shop)
        target.clicks, target.clicked_lists = values["n"], values["lists"]
    conversions = (RecommendationConversion.objects.filter(recommendation_list__created_at__gte=start,
                                                           recommendation_list__created_at__lt=end)
                   .values(*of_list, "kind", "revenue_currency")
                   .annotate(n=Count("id"), lists=Count("recommendation_list", distinct=True), revenue=Sum("revenue_amount"))
                   .order_by())
    for values in conversions:
        group = _key(values, "recommendation_list__")
        if values["kind"] == RecommendationConversion.Kind.ADD_TO_CART:
            target = row(group, shop)
            target.add_to_carts += values["n"]
            target.carted_lists += values["lists"]
        else:
            target = row(group, values["revenue_currency"] or shop)
            target.purchases += values["n"]
            target.purchased_lists += values["lists"]
            target.revenue_amount += values["revenue"] or Decimal("0")
    return sorted(rows.values(), key=lambda r: (r.placement, r.intent, r.model_version, r.variant_id, r.currency))


def stats_rebuild_day(*, day: datetime.date) -> int:
    """Replace a day's rows with what the tracking tables say now; how many rows it has."""
    with telemetry.command_span("commerce.recommendation.stats_rebuild", attributes={"stats.day": day.isoformat()}):
        rows = day_rows(day=day)  # the reads, before the transaction
        with transaction.atomic():
            RecommendationDayStat.objects.filter(day=day).delete()
            RecommendationDayStat.objects.bulk_create(rows)
            record(RecommendationStatsRebuilt(day=day.isoformat(), rows=len(rows),
                                              lists=sum(r.lists for r in rows), purchases=sum(r.purchases for r in rows)))
        return len(rows)


def stats_days_to_refresh(*, today: datetime.date | None = None) -> list[datetime.date]:
    """The days a purchase can still reach, oldest first, up to yesterday."""
    today = today or timezone.localdate()
    back = settings.RECOMMENDATIONS_ATTRIBUTION["purchase_days"] + 1
    return [today - datetime.timedelta(days=n) for n in range(back, 0, -1)]
