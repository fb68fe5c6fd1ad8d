"""The placements and their merchandising rules, as the back office and the staff API read them
(serving reads them through ``serving.placements``, cached)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from recommendations.errors import PlacementNotFound
from recommendations.models import Placement, PlacementRule


def placement_list() -> QuerySet[Placement]:
    """Every placement with its rules (two queries)."""
    return Placement.objects.prefetch_related(
        Prefetch("rules", queryset=PlacementRule.objects.order_by("kind", "position", "product_id")))


def placement_get(*, key: str) -> Placement:
    placement = placement_list().filter(key=key).first()
    if placement is None:
        raise PlacementNotFound(f"No placement {key!r}.")
    return placement
