"""Placements as the serving code reads them: every placement with its rules, in one cached lookup.

The placements are few and change rarely (a merchandiser in the admin); they are read from the
cache under the global version, which every change of a placement or a rule bumps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recommendations.models import Intent, Placement, PlacementRule
from recommendations.serving import cache

#: the placements the pages and the API use, created by a migration; the admin changes them
DEFAULTS = {
    "home_for_you": ("Home: for you", Intent.FOR_YOU, 8),
    "home_trending": ("Home: trending now", Intent.TRENDING, 8),
    "home_recently_viewed": ("Home: recently viewed", Intent.RECENTLY_VIEWED, 8),
    "product_similar": ("Product page: similar products", Intent.SIMILAR, 6),
    "product_bought_together": ("Product page: frequently bought together", Intent.BOUGHT_TOGETHER, 4),
    "cart_bought_together": ("Cart: goes well with your cart", Intent.BOUGHT_TOGETHER, 4),
    "search_popular": ("Empty search: popular in the category", Intent.POPULAR, 6),
}
#: the placement an API query serves when the client names none
API_DEFAULTS = {
    Intent.FOR_YOU: "home_for_you",
    Intent.TRENDING: "home_trending",
    Intent.RECENTLY_VIEWED: "home_recently_viewed",
    Intent.SIMILAR: "product_similar",
    Intent.BOUGHT_TOGETHER: "product_bought_together",
    Intent.POPULAR: "search_popular",
}


@dataclass(frozen=True)
class PlacementSpec:
    key: str
    name: str
    intent: str
    size: int
    active: bool
    pins: tuple[tuple[int, int], ...] = ()  # (position from 1, product id), by position
    excluded: frozenset[int] = frozenset()
    boosts: dict[int, float] = field(default_factory=dict)


def _load() -> dict[str, PlacementSpec]:
    rules: dict[int, list[PlacementRule]] = {}
    for rule in PlacementRule.objects.order_by("position", "id"):
        rules.setdefault(rule.placement_id, []).append(rule)
    specs = {}
    for placement in Placement.objects.all():
        mine = rules.get(placement.pk, [])
        specs[placement.key] = PlacementSpec(
            key=placement.key, name=placement.name, intent=placement.intent, size=placement.size,
            active=placement.is_active,
            pins=tuple((r.position, r.product_id) for r in mine if r.kind == PlacementRule.Kind.PIN),
            excluded=frozenset(r.product_id for r in mine if r.kind == PlacementRule.Kind.EXCLUDE),
            boosts={r.product_id: float(r.boost) for r in mine if r.kind == PlacementRule.Kind.BOOST},
        )
    # The pages and the reactions ask for the default placements by key: one whose row is gone (a
    # database flushed or restored without the migration's rows, a row deleted in the admin) serves
    # with its defaults and no rules, never a PlacementNotFound from a page or an add to cart.
    for key, (name, intent, size) in DEFAULTS.items():
        specs.setdefault(key, PlacementSpec(key=key, name=name, intent=str(intent), size=size, active=True))
    return specs


def placements(global_version: int) -> dict[str, PlacementSpec]:
    """Every placement by key (two queries when not cached)."""
    specs, _source = cache.get_or_compute(f"rec:placements:g{global_version}", _load)
    return specs
