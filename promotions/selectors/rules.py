"""The engine's inputs: compiled rules, their per-process and shared cache, counters read now, coupons and the cart.

``engine_inputs`` is on the pricing path of every cart view and checkout, so it runs a fixed
number of queries whatever the number of promotions and lines, and caches the compiled rules
(never the counters) in Django's cache under a version that every promotion, campaign or segment
change bumps (``rules_cache_bump``); each process keeps its own copy of them while that version
holds, so a pricing reads only the version key. A shop without live promotions pays that one
cache round trip.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q

from commerce.catalog.menu import category_paths
from commerce.coupon_codes import normalise_coupon_code
from commerce.money import Money, minor_unit
from promotions import engine
from promotions.models import (
    Coupon,
    Promotion,
    PromotionTier,
    Redemption,
    Segment,
)
from promotions.selectors._common import LIVE_CAMPAIGN_STATUSES, LIVE_PROMOTION_STATUSES
from promotions.selectors.lookups import badge_for
from promotions.selectors.segments import customer_segment_ids

RULES_CACHE_KEY = "promotions:rules"
RULES_VERSION_KEY = "promotions:rules:version"


# --- money in the engine's units --------------------------------------------------------------------
def to_minor(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> int:
    return int((Decimal(amount) / minor_unit(currency)).to_integral_value(rounding=rounding))


def from_minor(units: int, currency: str) -> Money:
    return Money(Decimal(units) * minor_unit(currency), currency)


def to_bp(percent: Decimal) -> int:
    return int((Decimal(percent) * 100).to_integral_value())


# --- the engine's inputs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CompiledRules:
    """The live promotions as engine rules, without their counters (safe to cache).

    ``limited`` lists the rules whose counters must be read fresh on every pricing: those with a
    usage limit or a campaign budget.
    """

    rules: tuple[engine.Rule, ...] = ()
    usage_limits: dict[int, int] = field(default_factory=dict)  # promotion id -> usage_limit
    per_customer_limits: dict[int, int] = field(default_factory=dict)
    budgets: dict[int, tuple[Decimal, str]] = field(default_factory=dict)  # campaign id -> (budget, currency)
    segments: dict[int, tuple] = field(default_factory=dict)  # segment id -> (kind, group_id, sales_region_id)
    currencies: dict[int, str] = field(default_factory=dict)  # promotion id -> currency
    target_category_ids: frozenset[int] = frozenset()
    badges: dict[int, str] = field(default_factory=dict)  # promotion id -> its label on product pages


def _window(promotion: Promotion) -> tuple:
    start, end = promotion.valid_from, promotion.valid_to
    campaign = promotion.campaign
    if campaign is not None:
        start = max(filter(None, [start, campaign.starts_at]))
        if campaign.ends_at is not None:
            end = min(filter(None, [end, campaign.ends_at]))
    return start, end


def compile_rules() -> CompiledRules:
    """Load the live promotions with their targets, tiers and segments: eight queries in all."""
    promotions = list(
        Promotion.objects.filter(status__in=LIVE_PROMOTION_STATUSES)
        .filter(Q(campaign__isnull=True) | Q(campaign__status__in=LIVE_CAMPAIGN_STATUSES))
        .select_related("campaign")
        .prefetch_related(
            Prefetch("tiers", queryset=PromotionTier.objects.order_by("min_quantity")),
        )
        .order_by("id")
    )
    if not promotions:
        return CompiledRules()
    ids = [p.pk for p in promotions]
    through = {
        name: defaultdict(set)
        for name in ("target_products", "target_categories", "target_manufacturers", "segments", "get_products")
    }
    columns = {
        "target_products": "product_id", "target_categories": "category_id", "target_manufacturers": "manufacturer_id",
        "segments": "segment_id", "get_products": "product_id",
    }
    for name, column in columns.items():
        model = getattr(Promotion, name).through
        for promotion_id, target_id in model.objects.filter(promotion_id__in=ids).values_list("promotion_id", column):
            through[name][promotion_id].add(target_id)
    segment_ids = set().union(*through["segments"].values()) if through["segments"] else set()
    segments = {
        pk: (kind, group_id, region_id)
        for pk, kind, group_id, region_id in Segment.objects.filter(pk__in=segment_ids)
        .values_list("pk", "kind", "group_id", "sales_region_id")
    } if segment_ids else {}

    rules, usage_limits, per_customer, budgets, currencies, labels = [], {}, {}, {}, {}, {}
    for p in promotions:
        currency = p.currency
        start, end = _window(p)
        rules.append(engine.Rule(
            id=p.pk,
            name=p.name,
            discount_class=p.discount_class,
            benefit=p.benefit_type,
            priority=p.priority,
            combines_with=frozenset(p.combines_with or ()),
            exclusive=p.exclusive,
            requires_coupon=p.requires_coupon,
            percent_bp=to_bp(p.percent) if p.percent is not None else None,
            amount=to_minor(p.amount, currency) if p.amount is not None else None,
            buy_quantity=p.buy_quantity,
            get_quantity=p.get_quantity,
            get_percent_bp=to_bp(p.get_percent) if p.get_percent is not None else 10000,
            get_product_ids=frozenset(through["get_products"][p.pk]),
            bundle_quantity=p.bundle_quantity,
            tiers=tuple(engine.Tier(t.min_quantity, to_bp(t.percent)) for t in p.tiers.all()),
            live=True,
            valid_from=start,
            valid_to=end,
            min_subtotal=to_minor(p.min_subtotal, currency) if p.min_subtotal is not None else None,
            min_quantity=p.min_quantity,
            product_ids=frozenset(through["target_products"][p.pk]),
            category_ids=frozenset(through["target_categories"][p.pk]),
            manufacturer_ids=frozenset(through["target_manufacturers"][p.pk]),
            segment_ids=frozenset(through["segments"][p.pk]),
            campaign_id=p.campaign_id,
        ))
        currencies[p.pk] = currency
        labels[p.pk] = badge_for(p)
        if p.usage_limit is not None:
            usage_limits[p.pk] = p.usage_limit
        if p.usage_limit_per_customer is not None:
            per_customer[p.pk] = p.usage_limit_per_customer
        if p.campaign is not None and p.campaign.budget_amount is not None:
            budgets[p.campaign_id] = (p.campaign.budget_amount, p.campaign.currency)
    return CompiledRules(
        rules=tuple(rules), usage_limits=usage_limits, per_customer_limits=per_customer, budgets=budgets,
        segments=segments, currencies=currencies, badges=labels,
        target_category_ids=frozenset().union(*(r.category_ids for r in rules)),
    )


def rules_cache_bump() -> None:
    """Every cached compilation is stale from now on (called on each change and on its commit)."""
    cache.set(RULES_VERSION_KEY, uuid.uuid4().hex, None)


# This process's copy of the compiled rules: (version, rules, monotonic time it was taken). Read
# whole and replaced whole (one reference), so threads of one process may share it.
_local_rules: tuple[str, CompiledRules, float] | None = None


def engine_rules() -> CompiledRules:
    """The compiled rules for the current version: one small cache read when this process holds them.

    The version key is read on every call (a few bytes); the compiled rules (200 promotions unpickle
    in about a tenth of a cart summary) are reused from this process's copy while its version is
    current, else read from the shared cache entry, else compiled and stored there. Another process's
    change bumps the shared version, so this process's copy is dropped on its next read. A missing
    version key (a cleared or evicted cache) is a new version: no copy can match it. The copy is
    kept no longer than the shared entry (``PROMOTIONS_RULES_CACHE_SECONDS``).
    """
    global _local_rules
    if not getattr(settings, "PROMOTIONS_RULES_CACHE", True):
        return compile_rules()
    version = cache.get(RULES_VERSION_KEY)
    if version is None:
        cache.add(RULES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(RULES_VERSION_KEY)
    local = _local_rules
    if local is not None and local[0] == version and time.monotonic() < local[2]:
        return local[1]
    seconds = getattr(settings, "PROMOTIONS_RULES_CACHE_SECONDS", 3600)
    cached = cache.get(RULES_CACHE_KEY)
    if cached is not None and cached[0] == version:
        compiled = cached[1]
    else:
        compiled = compile_rules()
        cache.set(RULES_CACHE_KEY, (version, compiled), seconds)
    _local_rules = (version, compiled, time.monotonic() + seconds)
    return compiled


def _with_counters(compiled: CompiledRules, *, customer_id: int | None, currency: str) -> list[engine.Rule]:
    """The rules of ``currency`` with their usage and budget left read now (one or two queries)."""
    rules = [r for r in compiled.rules if compiled.currencies[r.id] == currency]
    if not rules:
        return []
    limited = [r.id for r in rules if r.id in compiled.usage_limits or r.campaign_id in compiled.budgets]
    counters = {}
    if limited:
        counters = {
            pk: (used, spent)
            for pk, used, spent in Promotion.objects.filter(pk__in=limited)
            .values_list("pk", "usage_count", "campaign__spent_amount")
        }
    per_customer_used = {}
    wants_customer = [r.id for r in rules if r.id in compiled.per_customer_limits]
    if wants_customer and customer_id is not None:
        per_customer_used = dict(
            Redemption.objects.filter(customer_id=customer_id, promotion_id__in=wants_customer, cancelled_at__isnull=True)
            .order_by().values("promotion_id").annotate(n=Count("id")).values_list("promotion_id", "n")
        )
    out = []
    for rule in rules:
        changes = {}
        if rule.id in counters:
            used, spent = counters[rule.id]
            if rule.id in compiled.usage_limits:
                changes["usage_left"] = max(0, compiled.usage_limits[rule.id] - used)
            if rule.campaign_id in compiled.budgets:
                budget, budget_currency = compiled.budgets[rule.campaign_id]
                # rounded down: a budget left of 1.5 units grants 1, never 2 (order_placed would refuse it)
                changes["budget_left"] = max(0, to_minor(budget - (spent or Decimal(0)), budget_currency, ROUND_FLOOR))
        if rule.id in compiled.per_customer_limits:
            changes["customer_usage_left"] = max(0, compiled.per_customer_limits[rule.id] - per_customer_used.get(rule.id, 0))
        out.append(replace(rule, **changes) if changes else rule)
    return out


def coupon_infos(codes: Sequence[str]) -> tuple[engine.CouponInfo, ...]:
    """The entered codes as the engine sees them, in the order entered (one query)."""
    codes = [normalise_coupon_code(c) for c in codes if c and c.strip()]
    if not codes:
        return ()
    found = {
        c.code: c
        for c in Coupon.objects.filter(code__in=codes).only(
            "code", "promotion_id", "status", "expires_at", "max_uses", "used_count", "assigned_to_id")
    }
    infos = []
    for code in codes:
        coupon = found.get(code)
        if coupon is None:
            infos.append(engine.CouponInfo(code=code))
            continue
        infos.append(engine.CouponInfo(
            code=code, promotion_id=coupon.promotion_id, invalidated=coupon.status == Coupon.Status.INVALIDATED,
            expires_at=coupon.expires_at, uses_left=coupon.uses_left, assigned_to_id=coupon.assigned_to_id,
        ))
    return tuple(infos)


def _line_category_ids(snapshot_lines, target_category_ids: frozenset[int]) -> list[frozenset[int]]:
    """Each line's category plus those of the rules' target categories that are its ancestors.

    The paths come from the catalog's cached menu (no query while cached; a category change bumps it).
    """
    own = [line.category_id for line in snapshot_lines]
    if not target_category_ids:
        return [frozenset({c}) if c else frozenset() for c in own]
    paths = category_paths()
    targets = [(pk, paths[pk]) for pk in target_category_ids if pk in paths]
    out = []
    for category_id in own:
        path = paths.get(category_id, "")
        ids = {category_id} if category_id else set()
        ids |= {pk for pk, target_path in targets if path.startswith(target_path)}
        out.append(frozenset(ids))
    return out


def engine_inputs(snapshot) -> tuple[engine.Cart, list[engine.Rule]]:
    """The cart (with the customer's segments and the entered coupons) and the live rules.

    A fixed number of queries whatever the number of promotions and lines: the compiled rules
    (cached, else eight queries), the counters of limited rules (1), the customer's use of rules
    with a per-customer limit (1), the lines' category paths when a rule targets categories (1),
    the customer's segments (at most 4, by kind) and the entered coupons (1); each only when needed.
    """
    currency = snapshot.currency
    compiled = engine_rules()
    rules = _with_counters(compiled, customer_id=snapshot.customer_id, currency=currency)
    coupons = coupon_infos(snapshot.coupon_codes)
    if rules:
        used_segments = set().union(*(r.segment_ids for r in rules))
        segment_ids = customer_segment_ids(
            customer_id=snapshot.customer_id, segments={k: v for k, v in compiled.segments.items() if k in used_segments}
        )
        categories = _line_category_ids(
            snapshot.lines, frozenset().union(*(r.category_ids for r in rules))
        )
    else:
        segment_ids, categories = frozenset(), [frozenset() for _ in snapshot.lines]
    lines = tuple(
        engine.Line(
            index=i, product_id=line.product_id, quantity=line.quantity,
            unit_price=to_minor(line.unit_price.amount, currency), category_ids=categories[i],
            manufacturer_id=line.manufacturer_id,
        )
        for i, line in enumerate(snapshot.lines)
    )
    cart = engine.Cart(
        lines=lines, currency=currency, shipping=to_minor(snapshot.shipping.amount, currency),
        customer_id=snapshot.customer_id, segment_ids=segment_ids, coupons=coupons, now=snapshot.now,
    )
    return cart, rules
