"""``GetRecommendationPerformance``: lists served, seen and clicked, per placement, intent and model
version over a period, with the click-through rate. Two grouped queries on the tracking tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from recommendations.models import RecommendationClick, RecommendationList


@dataclass(frozen=True)
class PerformanceRow:
    placement: str
    intent: str
    model_version: int | None
    lists: int
    impressions: int
    clicks: int

    @property
    def ctr(self) -> float | None:
        """Clicks per list seen, or None when none was seen."""
        return self.clicks / self.impressions if self.impressions else None


def recommendation_performance(*, since: datetime.datetime, until: datetime.datetime) -> list[PerformanceRow]:
    """Lists served in ``[since, until)`` and the clicks on them, by placement, intent and model version."""
    served = (RecommendationList.objects.filter(created_at__gte=since, created_at__lt=until)
              .values("placement", "intent", "model_version")
              .annotate(lists=Count("id"), impressions=Count("id", filter=Q(impressed_at__isnull=False)))
              .order_by("placement", "intent", "model_version"))
    clicks = {
        (row["recommendation_list__placement"], row["recommendation_list__intent"], row["recommendation_list__model_version"]):
            row["n"]
        for row in RecommendationClick.objects.filter(recommendation_list__created_at__gte=since,
                                                      recommendation_list__created_at__lt=until)
        .values("recommendation_list__placement", "recommendation_list__intent", "recommendation_list__model_version")
        .annotate(n=Count("id")).order_by()
    }
    return [PerformanceRow(placement=row["placement"], intent=row["intent"], model_version=row["model_version"],
                           lists=row["lists"], impressions=row["impressions"],
                           clicks=clicks.get((row["placement"], row["intent"], row["model_version"]), 0))
            for row in served]
