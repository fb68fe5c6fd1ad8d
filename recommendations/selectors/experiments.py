"""An A/B test's results: per variant, the shoppers assigned, the lists served and seen, the share of
lists seen that were clicked and that led to a purchase, each with its Wilson interval, the p-value
against the control, and the lists seen each arm needs to detect the test's minimum effect.

Read from the daily rows (``RecommendationDayStat``, by variant) from the day the test started,
today computed live: a fixed number of queries whatever the traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from recommendations.errors import ExperimentNotFound
from recommendations.models import Experiment, ExperimentAssignment, ExperimentVariant
from recommendations.serving import abstats
from recommendations.serving.performance import PerformanceRow, period_stats

CONFIDENCE = 0.95
POWER = 0.8


@dataclass(frozen=True)
class Rate:
    successes: int
    n: int
    interval: tuple[float, float] | None
    p_value: float | None  # against the control (None: the control, or nothing to compare)
    needed: int | None  # lists seen each arm needs for the minimum effect (from the control's rate)

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.n else None


@dataclass(frozen=True)
class VariantResult:
    variant: ExperimentVariant
    shoppers: int
    totals: PerformanceRow
    clicked: Rate
    converted: Rate

    @property
    def enough(self) -> bool:
        """Whether this arm has seen the lists the conversion comparison needs."""
        return self.converted.needed is not None and self.totals.impressions >= self.converted.needed


@dataclass(frozen=True)
class ExperimentResults:
    experiment: Experiment
    variants: list[VariantResult]


def experiment_get(*, experiment_id: int) -> Experiment:
    experiment = Experiment.objects.filter(pk=experiment_id).first()
    if experiment is None:
        raise ExperimentNotFound("No such A/B test.")
    return experiment


def experiment_results(*, experiment_id: int) -> ExperimentResults:
    experiment = experiment_get(experiment_id=experiment_id)
    variants = list(experiment.variants.select_related("model_version").order_by("-is_control", "pk"))
    totals = {v.pk: PerformanceRow("", "", None) for v in variants}
    shoppers: dict[int, int] = {}
    if experiment.started_at is not None and variants:
        shoppers = dict(ExperimentAssignment.objects.filter(experiment_id=experiment.pk).values("variant_id")
                        .annotate(n=Count("id")).order_by().values_list("variant_id", "n"))
        first = timezone.localdate(experiment.started_at)
        last = timezone.localdate(experiment.stopped_at) if experiment.stopped_at else timezone.localdate()
        for stat in period_stats(first_day=first, last_day=last):
            if stat.variant_id in totals:
                totals[stat.variant_id].add(stat)
    control = next((v for v in variants if v.is_control), None)
    base = totals[control.pk] if control is not None else None
    effect = float(experiment.minimum_effect)

    def rate(row: PerformanceRow, successes: int, base_successes: int | None, is_control: bool) -> Rate:
        baseline = base_successes / base.impressions if base is not None and base.impressions else None
        return Rate(
            successes=successes, n=row.impressions, interval=abstats.wilson(successes, row.impressions, confidence=CONFIDENCE),
            p_value=None if is_control or base is None else abstats.p_value(base_successes, base.impressions, successes,
                                                                             row.impressions),
            needed=abstats.sample_size(baseline, effect, alpha=1 - CONFIDENCE, power=POWER) if baseline else None,
        )

    results = []
    for variant in variants:
        row = totals[variant.pk]
        results.append(VariantResult(
            variant=variant, shoppers=shoppers.get(variant.pk, 0), totals=row,
            clicked=rate(row, row.clicked_lists, base.clicked_lists if base else None, variant.is_control),
            converted=rate(row, row.purchased_lists, base.purchased_lists if base else None, variant.is_control),
        ))
    return ExperimentResults(experiment=experiment, variants=results)
