"""Serving a placement's list: candidates (cached), the business rules, the products, the list's id.

A warm request costs one round trip to Redis for the versions (local entries carry them in their
keys), no query for the candidates or the shopper's exclusions, one query for the products (two
with their pictures) and its share of the request's one INSERT of lists. The rules apply on every
request: never an inactive or out-of-stock product (checked against the products as loaded, so a
cached list cannot show one), never what is in the cart or a one-off purchase just made (the
shopper's exclusions, cached under the shopper's version, which their behaviour bumps), never the
product on show, never what the placement excludes; pins take their positions, boosts their share.

A placement under an A/B test serves the shopper's variant (``serving.experiments``: another model
version, intent or size; the control as it is), cached under its own key, and the list records it;
a warm list in a test costs no more queries, a shopper's first one INSERT more (their assignment).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from commerce import telemetry
from commerce.catalog.models import Product
from commerce.catalog.selectors import product_queryset, with_images
from orders.selectors import cart_product_ids, customer_purchases
from recommendations.errors import PlacementNotFound
from recommendations.models import Intent, Purpose
from recommendations.selectors.engine import active_recommender, loaded_version, recommender_of_version, stamp_key
from recommendations.selectors.interactions import customer_interactions, session_interactions
from recommendations.serving import cache, experiments, intents, tracking
from recommendations.serving.placements import PlacementSpec, placements
from recommendations.serving.shopper import Shopper, interactions, recent_steps, recently_viewed

OVERFETCH = 3  # candidates kept per place shown: room for the exclusions and products out of stock
PURCHASE_HISTORY_DAYS = 365


@dataclass
class Served:
    placement: str
    intent: str
    products: list[Product] = field(default_factory=list)
    list_id: uuid.UUID | None = None
    model_version: int | None = None
    variant_id: int = 0  # the A/B test variant it was served in (0: none)
    source: str = ""  # local, shared or computed: where the candidates came from


@dataclass(frozen=True)
class Context:
    """What a placement's list is about, besides the shopper."""

    product_id: int | None = None
    product_ids: tuple[int, ...] = ()  # the cart's products (cart placement)
    category_id: int | None = None


NO_CONTEXT = Context()


def _shopper_ident(shopper: Shopper) -> str:
    if shopper.customer_id is not None:
        return f"c{shopper.customer_id}"
    return f"s{shopper.session_id}" if shopper.session_id else "anon"


# --- the shopper's exclusions (cart, one-off purchases just made) ---------------------------------------
def _exclusions(shopper: Shopper, now: datetime.datetime) -> dict:
    cart = cart_product_ids(customer_id=shopper.customer_id, session_key=shopper.session_key)
    purchases = {}
    if shopper.customer_id is not None:
        purchases = customer_purchases(customer_id=shopper.customer_id,
                                       since=now - datetime.timedelta(days=PURCHASE_HISTORY_DAYS))
    recent = now - datetime.timedelta(days=settings.RECOMMENDATIONS_RECENT_PURCHASE_DAYS)
    one_off = [p for p, (orders, last) in purchases.items() if orders == 1 and last >= recent]
    return {"cart": cart, "one_off": one_off, "purchases": {p: list(v) for p, v in purchases.items()}}


# --- candidates per intent ----------------------------------------------------------------------------
def _for_you(shopper: Shopper, excluded: dict, limit: int, version_id: int | None = None) -> tuple[intents.Ranked, int | None]:
    """The trained model's list from the shopper's interactions (their user factors recalculated now
    from the item factors, so what they just did counts), else what goes with what they looked at,
    put in the cart and bought; a shopper with no history gets what is trending, topped up with what
    is popular."""
    never = set(excluded["cart"]) | set(excluded["one_off"])
    model, version = engine_for(Purpose.FOR_YOU, version_id)
    steps = None  # the shopper's recent steps, read only when the model does not answer (one query saved)
    if shopper.customer_id is not None and model is not None:
        weights = customer_interactions(customer_id=shopper.customer_id)
    elif shopper.session_id and model is not None:  # an anonymous session, weighed as training weighs steps
        weights = session_interactions(session_id=shopper.session_id)
    else:
        steps = recent_steps(shopper)
        weights = interactions(steps, {p: (o, at) for p, (o, at) in excluded["purchases"].items()})
    if model is not None and weights:
        ranked = model.recommend(weights, n=limit, exclude=never)
        if ranked:
            return intents.normalised(ranked), version
    if not weights:
        return intents.blend((intents.trending(limit=limit), 1.0), (intents.popular(limit=limit), 0.5), limit=limit), None
    top = [p for p, _w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
    lists = [(intents.bought_together(product_ids=top, limit=limit), 1.0), (intents.popular(limit=limit), 0.2)]
    for product_id in recently_viewed(recent_steps(shopper) if steps is None else steps, limit=3):
        lists.append((intents.similar_by_content(product_id=product_id, limit=limit), 0.5))
    ranked = intents.blend(*lists, limit=limit + len(weights))
    return [(p, s) for p, s in ranked if p not in weights][:limit], None


def _similar(product_id: int | None, limit: int, version_id: int | None = None) -> tuple[intents.Ranked, int | None]:
    """The model's neighbours of a product it knows (item factors); content similarity for a cold one."""
    if not product_id:
        return [], None
    model, version = engine_for(Purpose.SIMILAR, version_id)
    if model is not None and model.knows(product_id):
        ranked = model.similar(product_id, n=limit)
        if ranked:
            return intents.normalised(ranked), version
    return intents.similar_by_content(product_id=product_id, limit=limit), None


def _candidates(spec: PlacementSpec, shopper: Shopper, ctx: Context, excluded: dict, limit: int,
                version_id: int | None = None) -> tuple[list[int], int | None]:
    """The ranked product ids before the rules, and the model version that ranked them (None: no model).
    ``version_id``: a model version of its own (an A/B test's variant) instead of the active one."""
    version = None
    if spec.intent == Intent.FOR_YOU:
        ranked, version = _for_you(shopper, excluded, limit, version_id)
    elif spec.intent == Intent.RECENTLY_VIEWED:
        ranked = [(p, 1.0) for p in recently_viewed(recent_steps(shopper), limit=limit)]
    elif spec.intent == Intent.SIMILAR:
        ranked, version = _similar(ctx.product_id, limit, version_id)
    elif spec.intent == Intent.BOUGHT_TOGETHER:
        ranked = intents.bought_together(product_ids=list(ctx.product_ids or ([ctx.product_id] if ctx.product_id else [])),
                                         limit=limit)
    elif spec.intent == Intent.TRENDING:
        ranked = intents.trending(limit=limit)
    else:
        ranked = intents.popular(category_id=ctx.category_id, limit=limit)
    if spec.boosts:
        ranked = sorted(((p, s * spec.boosts.get(p, 1.0)) for p, s in ranked), key=lambda kv: (-kv[1], kv[0]))
    return [p for p, _s in ranked], version


def engine_for(purpose: str, version_id: int | None = None):
    """The active model of a purpose and its version id, or (None, None); ``version_id``: that version's
    model (the active one when it cannot be read)."""
    if version_id is not None:
        model = recommender_of_version(version_id)
        if model is not None:
            return model, version_id
    model = active_recommender(purpose)
    return (model, loaded_version(purpose)) if model is not None else (None, None)


def _personal(intent: str) -> bool:
    return intent in (Intent.FOR_YOU, Intent.RECENTLY_VIEWED)


def _context_key(ctx: Context) -> str:
    products = ",".join(str(p) for p in sorted(set(ctx.product_ids)))
    digest = hashlib.blake2b(products.encode(), digest_size=8).hexdigest() if products else ""
    return f"p{ctx.product_id or ''}:c{ctx.category_id or ''}:b{digest}"


# --- the list -----------------------------------------------------------------------------------------
def recommendations_serve(*, placement: str, shopper: Shopper, context: Context | None = None, images: bool = False,
                          impressed: bool = True, size: int | None = None, track: bool = True) -> Served:
    """The placement's list for the shopper, with the rules applied, recorded with its id.

    ``impressed``: a page shows the list as it is served; an API client reports its impressions.
    ``size`` (at most the placement's) asks for fewer products. ``track=False`` (warming the cache)
    records no list.
    """
    context = context or NO_CONTEXT
    shopper_version_key = cache.shopper_key(customer_id=shopper.customer_id, session_id=shopper.session_id)
    cart_version_key = cache.shopper_key(customer_id=shopper.customer_id, session_id=shopper.session_id, cart=True)
    with telemetry.command_span("commerce.recommendation.generate", attributes={
        "recommendation.placement": placement, "recommendation.customer_id": shopper.customer_id,
    }):
        # one round trip: the rules' version, the shopper's two, and the active models' stamps (a new
        # model activated anywhere changes them, so its lists are computed again)
        found = cache.versions(cache.GLOBAL, shopper_version_key, cart_version_key,
                               stamp_key(Purpose.FOR_YOU), stamp_key(Purpose.SIMILAR))
        global_version = found[cache.GLOBAL]
        shopper_version = found.get(shopper_version_key, 0)
        cart_version = found.get(cart_version_key, 0)
        spec = placements(global_version).get(placement)
        if spec is None:
            raise PlacementNotFound(f"No placement {placement!r}.")
        # an A/B test of the placement: the shopper's variant (cached; its first list stores the assignment)
        experiment = experiments.running(global_version).get(spec.key)
        variant = experiments.assigned(experiment, shopper, record=track) if experiment is not None else None
        spec = experiments.applied(spec, variant)
        served = Served(placement=spec.key, intent=spec.intent, variant_id=variant.id if variant else 0)
        if not spec.active:
            return served
        wanted = min(size or spec.size, spec.size)
        now = timezone.now()
        ident = _shopper_ident(shopper)
        excluded, _ = cache.get_or_compute(f"rec:excl:{ident}:x{cart_version}", lambda: _exclusions(shopper, now))
        limit = spec.size * OVERFETCH + len(spec.excluded)
        owner = f"{ident}:s{shopper_version}" if _personal(spec.intent) else "all"
        models = f"m{found.get(stamp_key(Purpose.FOR_YOU), 0)}-{found.get(stamp_key(Purpose.SIMILAR), 0)}"
        version_id = variant.model_version_id if variant is not None else None
        key = (f"rec:list:{spec.key}:{spec.intent}:{_context_key(context)}:{owner}:g{global_version}:{models}"
               f":ab{served.variant_id}")
        (ranked, served.model_version), served.source = cache.get_or_compute(
            key, lambda: _candidates(spec, shopper, context, excluded, limit, version_id))

        never = set(excluded["cart"]) | set(excluded["one_off"]) | set(spec.excluded) | set(context.product_ids)
        if context.product_id:
            never.add(context.product_id)
        pinned = [(position, p) for position, p in spec.pins if p not in never]
        pinned_ids = {p for _pos, p in pinned}
        chosen = [p for p in ranked if p not in never and p not in pinned_ids]
        products = _load([p for _pos, p in pinned] + chosen[: wanted * 2 + len(pinned)], images=images)
        ordered = [products[p] for p in chosen if p in products]
        for position, product_id in pinned:  # positions from 1, in order, so earlier pins keep theirs
            if product_id in products:
                ordered.insert(min(position - 1, len(ordered)), products[product_id])
        served.products = ordered[:wanted]
        if served.products and track:
            served.list_id = tracking.list_issue(
                placement=spec.key, intent=spec.intent, shopper=shopper, product_ids=[p.pk for p in served.products],
                model_version=served.model_version, impressed=impressed, variant_id=served.variant_id,
            )
        return served


def _load(product_ids: list[int], *, images: bool) -> dict[int, Product]:
    """The sellable products among these (active, in stock), by id: one query (two with the pictures
    and makers a page shows; the API's lists need neither, nor their joins)."""
    if not product_ids:
        return {}
    qs = product_queryset().filter(pk__in=product_ids, available__gt=0)
    if images:
        qs = with_images(qs)
    else:
        qs = qs.select_related(None).only("id", "code", "name", "slug", "price_amount", "price_currency", "is_active")
    return {p.pk: p for p in qs}
