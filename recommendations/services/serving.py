"""Recommendation commands: placements and their rules (merchandising), generating a customer's
recommendations after what they did, and the tracking commands (impressions, clicks).

The placement commands record their events in the audit table and bump the serving cache's global
version after commit. The tracking commands write their own high-volume tables, never the audit
table (``recommendations.models.serving``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.models import Product
from commerce.locks import Kind, lock_one
from recommendations import events
from recommendations.errors import (
    PlacementInvalid,
    PlacementNotFound,
    ProductNotFound,
    RecommendationListNotFound,
    RecommendationNotInList,
)
from recommendations.models import Intent, Placement, PlacementRule, RecommendationClick, RecommendationList
from recommendations.serving import attribution, cache
from recommendations.serving.serve import recommendations_serve
from recommendations.serving.shopper import Shopper

PLACEMENT_FIELDS = ("name", "intent", "size", "is_active")


# --- placements (merchandising) ---------------------------------------------------------------------
# Every command on a placement or its rules locks the placement's row first (``Kind.PLACEMENT``):
# two merchandisers editing one placement at once run one after the other, so a product's rule is
# found or inserted under the lock (never two inserts racing for the unique key), and the pins'
# positions are read and moved under it (never two pins put at one place from stale reads).
MAX_POSITION = 24


def _lock_placement(placement_id: int) -> Placement:
    placement = lock_one(Kind.PLACEMENT, Placement.objects.filter(pk=placement_id))
    if placement is None:
        raise PlacementNotFound("No such placement.")
    return placement


def placement_update(*, placement_id: int, data: dict) -> Placement:
    """Change a placement's name, intent, size or activity (only the fields given: two merchandisers
    changing different fields keep both changes)."""
    unknown = set(data) - set(PLACEMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown placement fields: {sorted(unknown)}")
    errors = {}
    if "name" in data and not (isinstance(data["name"], str) and data["name"].strip() and len(data["name"]) <= 100):
        errors["name"] = ["1 to 100 characters."]
    if "intent" in data and data["intent"] not in Intent.values:
        errors["intent"] = [f"One of: {', '.join(Intent.values)}."]
    if "size" in data and not (isinstance(data["size"], int) and 1 <= data["size"] <= MAX_POSITION):
        errors["size"] = [f"Between 1 and {MAX_POSITION}."]
    if "is_active" in data and not isinstance(data["is_active"], bool):
        errors["is_active"] = ["true or false."]
    if errors:
        raise PlacementInvalid("The placement was not changed.", fields=errors)
    with telemetry.command_span("commerce.recommendation.placement_update", attributes={"placement.id": placement_id}), \
            transaction.atomic():
        placement = _lock_placement(placement_id)
        for name, value in data.items():
            setattr(placement, name, value.strip() if name == "name" else value)
        placement.save(update_fields=[*data, "updated_at"])
        record(events.PlacementSaved(placement_id=placement.pk, key=placement.key,
                                     values={f: getattr(placement, f) for f in PLACEMENT_FIELDS}))
        transaction.on_commit(cache.bump_global)
    return placement


def _make_room(placement: Placement, product_id: int, position: int) -> list[int]:
    """Pins hold distinct positions: a pin put where another one is moves that one, and the pins right
    behind it, one place down (as an insert into a list). Under the placement's lock; the products moved."""
    taken = {position: (rule_id, other) for position, rule_id, other in PlacementRule.objects.filter(
        placement=placement, kind=PlacementRule.Kind.PIN).exclude(product_id=product_id)
        .values_list("position", "id", "product_id")}
    run, at = [], position
    while at in taken:
        run.append(taken[at])
        at += 1
    if not run:
        return []
    if at > MAX_POSITION:
        raise PlacementInvalid("The rule was not saved.", fields={"position": [
            f"Pins hold every position from {position} to {MAX_POSITION}: there is no place to move them down to."]})
    PlacementRule.objects.filter(pk__in=[rule_id for rule_id, _p in run]).update(position=F("position") + 1)
    return [other for _rule_id, other in run]


def placement_rule_set(*, placement_id: int, product_id: int, kind: str, position: int = 1,
                       boost: Decimal | str = "1") -> PlacementRule:
    """Pin a product at a position of a placement (the pins there and right behind it move one place
    down), exclude it there, or boost its score there (``UpdateRecommendationScore``); replaces the
    product's earlier rule in that placement."""
    errors = {}
    if kind not in PlacementRule.Kind.values:
        errors["kind"] = [f"One of: {', '.join(PlacementRule.Kind.values)}."]
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= MAX_POSITION:
        errors["position"] = [f"Between 1 and {MAX_POSITION}."]
    try:
        boost = Decimal(str(boost))
        if not Decimal("0.1") <= boost <= Decimal("10"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["boost"] = ["A number between 0.1 and 10."]
    if errors:
        raise PlacementInvalid("The rule was not saved.", fields=errors)
    with telemetry.command_span("commerce.recommendation.score_update",
                                attributes={"placement.id": placement_id, "product.id": product_id}), transaction.atomic():
        placement = _lock_placement(placement_id)
        if not Product.objects.filter(pk=product_id).exists():
            raise ProductNotFound("No such product.", fields={"product": ["No such product."]})
        moved = _make_room(placement, product_id, position) if kind == PlacementRule.Kind.PIN else []
        rule = PlacementRule.objects.filter(placement=placement, product_id=product_id).first()
        values = {"kind": kind, "position": position, "boost": boost.quantize(Decimal("0.01"))}
        if rule is None:
            rule = PlacementRule.objects.create(placement=placement, product_id=product_id, **values)
        else:
            for name, value in values.items():
                setattr(rule, name, value)
            rule.save(update_fields=list(values))
        record(events.PlacementRuleSet(placement_id=placement.pk, key=placement.key, product_id=product_id, kind=kind,
                                       position=position, boost=str(rule.boost), moved=moved))
        transaction.on_commit(cache.bump_global)
    return rule


def placement_rule_remove(*, rule_id: int) -> None:
    with telemetry.command_span("commerce.recommendation.rule_remove", attributes={"rule.id": rule_id}), transaction.atomic():
        placement_id = PlacementRule.objects.filter(pk=rule_id).values_list("placement_id", flat=True).first()
        placement = _lock_placement(placement_id) if placement_id is not None else None
        rule = PlacementRule.objects.filter(pk=rule_id).first() if placement is not None else None
        if rule is None:  # never there, or removed by someone else while this waited for the lock
            raise PlacementNotFound("No such rule.")
        rule.delete()
        record(events.PlacementRuleRemoved(placement_id=placement.pk, key=placement.key,
                                           product_id=rule.product_id, kind=rule.kind))
        transaction.on_commit(cache.bump_global)


# --- generating (the real-time reaction) -------------------------------------------------------------
def recommendations_generate(*, customer_id: int, trigger: str, placement: str = "home_for_you") -> list[int]:
    """``GenerateRecommendations``: compute a customer's list again now (after a cart change or an order),
    so their next page finds it warm, and record that it was (coarse: one event per reaction)."""
    cache.bump_shopper(customer_id=customer_id)
    served = recommendations_serve(placement=placement, shopper=Shopper(customer_id=customer_id), track=False)
    product_ids = [p.pk for p in served.products]
    with transaction.atomic():
        record(events.RecommendationsGenerated(customer_id=customer_id, trigger=trigger, intent=served.intent,
                                               product_ids=product_ids, model_version=served.model_version))
    return product_ids


# --- tracking (MarkRecommendationAsViewed, TrackRecommendationInteraction) -----------------------------
def _owned(shopper: Shopper):
    qs = RecommendationList.objects.all()
    if shopper.customer_id is not None:
        return qs.filter(customer_id=shopper.customer_id)
    if shopper.session_id:
        return qs.filter(customer__isnull=True, session_id=shopper.session_id)
    return qs.none()


def recommendation_impressions_mark(*, list_ids: list[uuid.UUID], shopper: Shopper) -> int:
    """The shopper saw these lists (a client reports it; pages mark theirs when served): one UPDATE of the
    shopper's own lists not marked yet; how many it marked. Unknown ids are ignored (a retry is harmless)."""
    if not list_ids:
        return 0
    return _owned(shopper).filter(pk__in=list_ids, impressed_at__isnull=True).update(impressed_at=timezone.now())


def recommendation_click_track(*, list_id: uuid.UUID, product_id: int, shopper: Shopper) -> RecommendationClick:
    """The shopper opened a product of a list they were served: one read, one INSERT."""
    row = _owned(shopper).filter(pk=list_id).values_list("product_ids", "impressed_at").first()
    if row is None:
        raise RecommendationListNotFound("No such recommendation list.")
    product_ids, impressed_at = row
    if product_id not in product_ids:
        raise RecommendationNotInList("That product is not in the list.", fields={"product_id": ["Not in the list."]})
    now = timezone.now()
    if impressed_at is None:  # a click proves the list was seen
        RecommendationList.objects.filter(pk=list_id, impressed_at__isnull=True).update(impressed_at=now)
    click = RecommendationClick.objects.create(
        recommendation_list_id=list_id, product_id=product_id, position=product_ids.index(product_id) + 1,
        customer_id=shopper.customer_id, session_id=shopper.session_id, clicked_at=now,
    )
    attribution.click_noted(customer_id=shopper.customer_id, session_id=shopper.session_id)
    return click
