"""``GetRecommendationPerformance``: lists served, seen and clicked, adds to cart, purchases and revenue
per placement, intent and model version over a period of days, with the click-through, add-to-cart and
conversion rates.

Past days come from the daily read model (``RecommendationDayStat``, one query); today, which the
nightly task has not stored yet, is computed the same way (``stats.day_rows``, three queries).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from commerce.money import Money
from recommendations.models import RecommendationDayStat
from recommendations.serving.stats import COUNTS, day_rows


@dataclass
class PerformanceRow:
    placement: str
    intent: str
    model_version: int | None
    lists: int = 0
    impressions: int = 0
    clicks: int = 0
    clicked_lists: int = 0
    add_to_carts: int = 0
    carted_lists: int = 0
    purchases: int = 0
    purchased_lists: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount

    @property
    def ctr(self) -> float | None:
        """Clicks per list seen, or None when none was seen."""
        return self.clicks / self.impressions if self.impressions else None

    @property
    def add_to_cart_rate(self) -> float | None:
        """Lists seen that led to an add to cart, per list seen."""
        return self.carted_lists / self.impressions if self.impressions else None

    @property
    def conversion_rate(self) -> float | None:
        """Lists seen that led to a purchase, per list seen."""
        return self.purchased_lists / self.impressions if self.impressions else None

    @property
    def revenue_money(self) -> list[Money]:
        return [Money(amount, currency) for currency, amount in sorted(self.revenue.items())]

    def add(self, stat: RecommendationDayStat) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(stat, name))
        if stat.revenue_amount:
            self.revenue[stat.currency] = self.revenue.get(stat.currency, Decimal("0")) + stat.revenue_amount


def period_stats(*, first_day: datetime.date, last_day: datetime.date,
                 today: datetime.date | None = None) -> list[RecommendationDayStat]:
    """The daily rows of ``[first_day, last_day]``: stored ones for past days, today's computed now."""
    today = today or timezone.localdate()
    stats = list(RecommendationDayStat.objects.filter(day__gte=first_day, day__lte=min(last_day, today - datetime.timedelta(days=1))))
    if first_day <= today <= last_day:
        stats += day_rows(day=today)
    return stats


def group(stats, by: tuple[str, ...] = ("placement", "intent", "model_version")) -> list[PerformanceRow]:
    """The daily rows summed per ``by`` (any of placement, intent, model_version)."""
    rows: dict[tuple, PerformanceRow] = {}
    for stat in stats:
        key = tuple(getattr(stat, f) for f in by)
        if key not in rows:
            values = {"placement": "", "intent": "", "model_version": None} | dict(zip(by, key, strict=True))
            values["model_version"] = values["model_version"] or None
            rows[key] = PerformanceRow(**values)
        rows[key].add(stat)
    return [rows[k] for k in sorted(rows)]  # strings and ints (0: no model), never None


def recommendation_performance(*, days: int, today: datetime.date | None = None) -> list[PerformanceRow]:
    """The last ``days`` days (today included), per placement, intent and model version."""
    today = today or timezone.localdate()
    return group(period_stats(first_day=today - datetime.timedelta(days=days - 1), last_day=today, today=today))


def daily(stats) -> list[tuple[datetime.date, PerformanceRow]]:
    """The rows summed per day, oldest first (the charts' line)."""
    by_day: dict[datetime.date, PerformanceRow] = defaultdict(lambda: PerformanceRow("", "", None))
    for stat in stats:
        by_day[stat.day].add(stat)
    return sorted(by_day.items())
