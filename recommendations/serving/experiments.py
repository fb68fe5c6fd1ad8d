"""A/B tests as serving reads them: the running experiments per placement (cached under the global
version, which starting or stopping one bumps), the variant of a shopper, and its exposure recorded.

A shopper's variant is a hash of the experiment's salt and the shopper (``c<customer id>``, else
``s<session digest>``), bucketed by the variants' weights: deterministic, so it is sticky without a
read, and independent between experiments. A visitor without a session is in no experiment (the
placement as it is, recorded without a variant). The first list a shopper is served in a test
stores their assignment (one INSERT that ignores a duplicate), after which the cache remembers it:
a warm list costs no query for the test at all.
"""

from __future__ import annotations

import dataclasses
import hashlib

from django.utils import timezone

from recommendations.models import Experiment, ExperimentAssignment, ExperimentVariant
from recommendations.serving import cache
from recommendations.serving.placements import PlacementSpec
from recommendations.serving.shopper import Shopper


@dataclasses.dataclass(frozen=True)
class VariantSpec:
    id: int
    key: str
    is_control: bool
    weight: int
    intent: str = ""
    model_version_id: int | None = None
    size: int | None = None


@dataclasses.dataclass(frozen=True)
class ExperimentSpec:
    id: int
    placement: str
    salt: str
    variants: tuple[VariantSpec, ...]


def _load() -> dict[str, ExperimentSpec]:
    variants: dict[int, list[VariantSpec]] = {}
    for v in ExperimentVariant.objects.filter(experiment__status=Experiment.Status.RUNNING).order_by("pk"):
        variants.setdefault(v.experiment_id, []).append(VariantSpec(
            id=v.pk, key=v.key, is_control=v.is_control, weight=v.weight, intent=v.intent,
            model_version_id=v.model_version_id, size=v.size))
    return {e.placement: ExperimentSpec(id=e.pk, placement=e.placement, salt=e.salt, variants=tuple(variants.get(e.pk, ())))
            for e in Experiment.objects.filter(status=Experiment.Status.RUNNING) if variants.get(e.pk)}


def running(global_version: int) -> dict[str, ExperimentSpec]:
    """The running experiments by placement key (two queries when not cached)."""
    specs, _source = cache.get_or_compute(f"rec:ab:g{global_version}", _load)
    return specs


def subject(shopper: Shopper) -> str:
    if shopper.customer_id is not None:
        return f"c{shopper.customer_id}"
    return f"s{shopper.session_id}" if shopper.session_id else ""


def bucket(salt: str, who: str, total: int) -> int:
    digest = hashlib.blake2b(f"{salt}:{who}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % total


def choose(experiment: ExperimentSpec, who: str) -> VariantSpec:
    """The shopper's variant: the same every time for the same experiment and shopper."""
    point = bucket(experiment.salt, who, sum(v.weight for v in experiment.variants))
    for variant in experiment.variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    return experiment.variants[-1]  # pragma: no cover - the weights sum to the total


def assigned(experiment: ExperimentSpec, shopper: Shopper, *, record: bool) -> VariantSpec | None:
    """The shopper's variant in this experiment (None: a visitor without a session is in none); with
    ``record``, their assignment is stored the first time (one INSERT, then remembered by the cache)."""
    who = subject(shopper)
    if not who:
        return None
    variant = choose(experiment, who)
    if record:
        def store() -> int:
            ExperimentAssignment.objects.bulk_create([ExperimentAssignment(
                experiment_id=experiment.id, variant_id=variant.id, subject=who, customer_id=shopper.customer_id,
                assigned_at=timezone.now())], ignore_conflicts=True)
            return variant.id

        cache.get_or_compute(f"rec:ab:a{experiment.id}:{who}", store)
    return variant


def applied(spec: PlacementSpec, variant: VariantSpec | None) -> PlacementSpec:
    """The placement as the variant serves it (another intent or size; the control: as it is)."""
    if variant is None or variant.is_control:
        return spec
    return dataclasses.replace(spec, intent=variant.intent or spec.intent, size=variant.size or spec.size)
