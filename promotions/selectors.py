"""Promotions queries: lists, the engine's inputs, segment membership and analytics.

``engine_inputs`` is on the pricing path of every cart view and checkout, so it runs a fixed
number of queries whatever the number of promotions and lines, and caches the compiled rules
(never the counters) in Django's cache under a version that every promotion, campaign or segment
change bumps (``rules_cache_bump``); each process keeps its own copy of them while that version
holds, so a pricing reads only the version key. A shop without live promotions pays that one
cache round trip.

Analytics read ``Redemption`` rows only (the order figures are copied there at checkout).
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from commerce.accounts.models import CustomerProfile
from commerce.catalog.models import Category, Product
from commerce.errors import ValidationError
from commerce.money import Money, default_currency, minor_unit
from promotions import engine
from promotions.errors import (
    CampaignNotFound,
    CouponBatchNotFound,
    CouponNotFound,
    CustomerNotFound,
    PromotionNotFound,
    SegmentNotFound,
)
from promotions.models import (
    Campaign,
    Coupon,
    CouponBatch,
    Promotion,
    PromotionTier,
    Redemption,
    Segment,
    SegmentMembership,
)

PS = Promotion.Status
CS = Campaign.Status
LIVE_PROMOTION_STATUSES = (PS.SCHEDULED, PS.ACTIVE)
LIVE_CAMPAIGN_STATUSES = (CS.SCHEDULED, CS.ACTIVE)
CENT = Decimal("0.01")
RULES_CACHE_KEY = "promotions:rules"
RULES_VERSION_KEY = "promotions:rules:version"


# --- money in the engine's units --------------------------------------------------------------------
def to_minor(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> int:
    return int((Decimal(amount) / minor_unit(currency)).to_integral_value(rounding=rounding))


def from_minor(units: int, currency: str) -> Money:
    return Money(Decimal(units) * minor_unit(currency), currency)


def to_bp(percent: Decimal) -> int:
    return int((Decimal(percent) * 100).to_integral_value())


# --- lists ------------------------------------------------------------------------------------------
def _live_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Promotions that apply at ``now``: live status, inside their window and their campaign's."""
    p = prefix
    return (
        Q(**{f"{p}status__in": LIVE_PROMOTION_STATUSES})
        & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": now}))
        & (Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gt": now}))
        & (
            Q(**{f"{p}campaign__isnull": True})
            | (
                Q(**{f"{p}campaign__status__in": LIVE_CAMPAIGN_STATUSES})
                & Q(**{f"{p}campaign__starts_at__lte": now})
                & (Q(**{f"{p}campaign__ends_at__isnull": True}) | Q(**{f"{p}campaign__ends_at__gt": now}))
            )
        )
    )


def promotion_list(*, filters: dict | None = None) -> QuerySet[Promotion]:
    """Promotions for the back office. Filters: ``status``, ``campaign`` (id), ``discount_class``,
    ``benefit_type``, ``q`` (name contains), ``live`` (bool, applies now), ``requires_coupon`` (bool)."""
    filters = filters or {}
    qs = Promotion.objects.select_related("campaign").prefetch_related("tiers")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    else:
        qs = qs.exclude(status=PS.ARCHIVED)
    if filters.get("campaign"):
        qs = qs.filter(campaign_id=filters["campaign"])
    if filters.get("discount_class"):
        qs = qs.filter(discount_class=filters["discount_class"])
    if filters.get("benefit_type"):
        qs = qs.filter(benefit_type=filters["benefit_type"])
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"].strip())
    if filters.get("requires_coupon") is not None:
        qs = qs.filter(requires_coupon=bool(filters["requires_coupon"]))
    if filters.get("live"):
        qs = qs.filter(_live_q(timezone.now()))
    return qs.order_by("-priority", "id")


def promotion_get(*, promotion_id: int) -> Promotion:
    promotion = (
        Promotion.objects.select_related("campaign")
        .prefetch_related("tiers", "target_products", "target_categories", "target_manufacturers", "segments", "get_products")
        .filter(pk=promotion_id)
        .first()
    )
    if promotion is None:
        raise PromotionNotFound("No such promotion.")
    return promotion


def promotion_status(*, promotion_id: int) -> str | None:
    """The promotion's status now, or None when it is gone (deleted)."""
    return Promotion.objects.filter(pk=promotion_id).values_list("status", flat=True).first()


def promotion_active_list(*, now: datetime.datetime | None = None) -> QuerySet[Promotion]:
    """Promotions that apply right now (status, window and campaign), highest priority first."""
    return (
        Promotion.objects.filter(_live_q(now or timezone.now()))
        .select_related("campaign").prefetch_related("tiers").order_by("-priority", "id")
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(promotion_count=Count("promotions")).order_by("-starts_at", "-id")


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.select_related("group", "sales_region").order_by("name")


def segment_promotions(*, segment: Segment) -> QuerySet[Promotion]:
    """The promotions that target a segment (archived ones left out)."""
    return (
        Promotion.objects.filter(segments=segment).exclude(status=PS.ARCHIVED)
        .select_related("campaign").order_by("-priority", "id")
    )


def customer_coupons(*, customer) -> QuerySet[Coupon]:
    """The coupons assigned to a customer, newest first, with their promotion."""
    return Coupon.objects.filter(assigned_to=customer).select_related("promotion").order_by("-assigned_at", "-id")


def coupon_batch_csv_rows(*, batch: CouponBatch) -> Iterable[list[str]]:
    """The batch's coupons as CSV rows (a header first), streamed in chunks."""
    yield ["code", "status", "max_uses", "used_count", "assigned_to", "expires_at", "promotion"]
    rows = (
        Coupon.objects.filter(batch=batch).order_by("id")
        .values_list("code", "status", "max_uses", "used_count", "assigned_to__username", "expires_at", "promotion__name")
    )
    for code, status, max_uses, used, assignee, expires_at, promotion_name in rows.iterator(chunk_size=2000):
        yield [code, status, "" if max_uses is None else str(max_uses), str(used), assignee or "",
               expires_at.isoformat() if expires_at else "", promotion_name]


# --- one row by its id or code (a missing one is the app's NotFound, a 404 in the API) ----------------
def campaign_get(*, campaign_id: int) -> Campaign:
    """A campaign with its ``promotion_count`` (as ``campaign_list`` gives it)."""
    campaign = campaign_list().filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound("No such campaign.")
    return campaign


def segment_get(*, segment_id: int) -> Segment:
    segment = segment_list().filter(pk=segment_id).first()
    if segment is None:
        raise SegmentNotFound("No such segment.")
    return segment


def coupon_batch_get(*, batch_id: int) -> CouponBatch:
    batch = CouponBatch.objects.select_related("promotion").filter(pk=batch_id).first()
    if batch is None:
        raise CouponBatchNotFound("No such coupon batch.")
    return batch


def _code(code: str) -> str:
    return (code or "").strip().upper()


def coupon_get(*, code: str) -> Coupon:
    """A coupon by its code, matched case-insensitively (codes are stored upper-case)."""
    coupon = Coupon.objects.filter(code=_code(code)).first()
    if coupon is None:
        raise CouponNotFound("No such coupon.")
    return coupon


def customer_coupon_get(*, customer, code: str) -> Coupon:
    """One of the customer's own coupons by its code; another customer's coupon is not found either."""
    coupon = customer_coupons(customer=customer).select_related("promotion__campaign").filter(code=_code(code)).first()
    if coupon is None:
        raise CouponNotFound("No such coupon.")
    return coupon


def customer_get(*, customer_id: int, field: str = "customer"):
    """A customer (any user) by id, for the staff tools that name one (simulate, assign a coupon)."""
    customer = get_user_model().objects.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound("No such customer.", fields={field: ["No such customer."]})
    return customer


# --- a coupon as its holder sees it ---------------------------------------------------------------------
@dataclass(frozen=True)
class CouponState:
    """Whether a customer's coupon can be used now, said for the shopper."""

    status: str  # usable, not_yet_valid, unavailable, used_up, expired, invalidated
    label: str
    expires_at: datetime.datetime | None  # the earliest of the coupon's, its promotion's and its campaign's end
    starts_at: datetime.datetime | None = None

    @property
    def usable(self) -> bool:
        return self.status == "usable"

    @property
    def current(self) -> bool:
        """Usable now or later (the "Usable" filter of the page)."""
        return self.status in ("usable", "not_yet_valid", "unavailable")


def coupon_state(*, coupon: Coupon, now: datetime.datetime | None = None) -> CouponState:
    """The coupon's state for its holder, from the coupon, its promotion and the promotion's campaign.

    Reads ``coupon.promotion`` and ``promotion.campaign``: load them with ``select_related``.
    """
    now = now or timezone.now()
    promotion: Promotion = coupon.promotion
    campaign: Campaign | None = promotion.campaign if promotion.campaign_id else None
    ends = [d for d in (coupon.expires_at, promotion.valid_to, campaign.ends_at if campaign else None) if d is not None]
    expires_at = min(ends) if ends else None
    starts = [d for d in (promotion.valid_from, campaign.starts_at if campaign else None) if d is not None]
    starts_at = max(starts) if starts else None

    def state(status: str, label: str) -> CouponState:
        return CouponState(status, label, expires_at, starts_at)

    if coupon.status == Coupon.Status.INVALIDATED or promotion.status == PS.ARCHIVED:
        return state("invalidated", "No longer valid")
    if coupon.uses_left == 0:
        return state("used_up", "Used")
    if (expires_at is not None and expires_at <= now) or promotion.status == PS.EXPIRED or (
        campaign is not None and campaign.status == CS.ENDED
    ):
        return state("expired", "Expired")
    if promotion.status in (PS.DRAFT, PS.INACTIVE) or (campaign is not None and campaign.status == CS.DRAFT):
        return state("unavailable", "Not available at the moment")
    if starts_at is not None and starts_at > now:
        local = timezone.localtime(starts_at)
        return state("not_yet_valid", f"Valid from {local.day} {local:%B %Y}")
    return state("usable", "Ready to use")


# --- segments ---------------------------------------------------------------------------------------
def _orders():
    from orders import selectors as order_selectors

    return order_selectors


def segment_member_ids(*, segment: Segment) -> list[int]:
    """The customer ids in a segment now: live kinds evaluated, the others from their rows."""
    users = get_user_model().objects.filter(is_active=True)
    kind = segment.kind
    if kind == Segment.Kind.GROUP:
        qs = users.filter(groups=segment.group_id)
    elif kind == Segment.Kind.SALES_REGION:
        qs = users.filter(customer_profile__sales_region_id=segment.sales_region_id)
    elif kind == Segment.Kind.NEW_CUSTOMERS:
        qs = users.filter(is_staff=False).exclude(pk__in=_orders().customers_with_orders())
    else:
        qs = users.filter(segment_memberships__segment=segment)
    return list(qs.order_by("pk").values_list("pk", flat=True).distinct())


def dynamic_segment_members(*, segment: Segment, now: datetime.datetime | None = None) -> dict[int, tuple]:
    """Members of a dynamic segment computed from purchase history (non-cancelled orders).

    Returns ``{customer_id: (recency_days, frequency, monetary)}``. The rules:

    * ``lifetime_value``: spend (order totals less refunds) >= ``min_lifetime_value``.
    * ``rfm`` labels (a customer may carry several):
      - ``new``: first order within the last 30 days;
      - ``active``: last order within the last 90 days, and not new;
      - ``lapsing``: last order between 90 and 365 days ago;
      - ``vip``: lifetime spend >= ``settings.PROMOTIONS_VIP_LIFETIME_VALUE`` (default 500.00) and at
        least 3 orders.
    """
    now = now or timezone.now()
    facts = _orders().customer_purchase_facts()
    vip_value = Decimal(str(getattr(settings, "PROMOTIONS_VIP_LIFETIME_VALUE", "500.00")))
    members = {}
    for customer_id, f in facts.items():
        recency = max(0, (now - f.last_order_at).days)
        first_age = (now - f.first_order_at).days
        if segment.kind == Segment.Kind.LIFETIME_VALUE:
            hit = f.spend >= segment.min_lifetime_value
        else:
            label = segment.rfm_label
            is_new = first_age < 30
            hit = (
                (label == Segment.RfmLabel.NEW and is_new)
                or (label == Segment.RfmLabel.ACTIVE and recency < 90 and not is_new)
                or (label == Segment.RfmLabel.LAPSING and 90 <= recency < 365)
                or (label == Segment.RfmLabel.VIP and f.spend >= vip_value and f.orders >= 3)
            )
        if hit:
            members[customer_id] = (recency, f.orders, f.spend)
    return members


def customer_segment_ids(*, customer_id: int | None, segments: dict[int, tuple]) -> frozenset[int]:
    """Which of ``segments`` ({id: (kind, group_id, sales_region_id)}) the customer belongs to.

    At most four queries whatever the number of segments: memberships, groups, sales region and
    whether they have ordered, each only when a segment of that kind is asked about.
    """
    if customer_id is None or not segments:
        return frozenset()
    kinds = {kind for kind, _, _ in segments.values()}
    found = set()
    stored = [sid for sid, (kind, _, _) in segments.items()
              if kind in (Segment.Kind.MANUAL, Segment.Kind.LIFETIME_VALUE, Segment.Kind.RFM)]
    if stored:
        found |= set(SegmentMembership.objects.filter(customer_id=customer_id, segment_id__in=stored)
                     .values_list("segment_id", flat=True))
    if Segment.Kind.GROUP in kinds:
        group_ids = set(get_user_model().groups.through.objects.filter(user_id=customer_id).values_list("group_id", flat=True))
        found |= {sid for sid, (kind, group_id, _) in segments.items() if kind == Segment.Kind.GROUP and group_id in group_ids}
    if Segment.Kind.SALES_REGION in kinds:
        region_id = CustomerProfile.objects.filter(user_id=customer_id).values_list("sales_region_id", flat=True).first()
        found |= {sid for sid, (kind, _, rid) in segments.items()
                  if kind == Segment.Kind.SALES_REGION and region_id is not None and rid == region_id}
    if Segment.Kind.NEW_CUSTOMERS in kinds and not _orders().customer_has_orders(customer_id=customer_id):
        found |= {sid for sid, (kind, _, _) in segments.items() if kind == Segment.Kind.NEW_CUSTOMERS}
    return frozenset(found)


def customer_segments(*, customer) -> list[Segment]:
    """Every segment a customer is in now (for the account page and ``promotions_for_customer``)."""
    all_segments = {s.pk: s for s in Segment.objects.all()}
    ids = customer_segment_ids(
        customer_id=customer.pk,
        segments={s.pk: (s.kind, s.group_id, s.sales_region_id) for s in all_segments.values()},
    )
    return sorted((all_segments[i] for i in ids), key=lambda s: s.name)


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
    codes = [c.strip().upper() for c in codes if c and c.strip()]
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

    One query (the paths of the lines' categories and of the targets); categories that are neither
    a line's nor a target are irrelevant to matching, so they are not loaded.
    """
    own = [line.category_id for line in snapshot_lines]
    if not target_category_ids:
        return [frozenset({c}) if c else frozenset() for c in own]
    paths = dict(Category.objects.filter(pk__in={*filter(None, own), *target_category_ids}).values_list("pk", "path"))
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


# --- shopper-facing lists ---------------------------------------------------------------------------
def promotions_for_customer(*, customer, now: datetime.datetime | None = None) -> list[Promotion]:
    """Live promotions a customer can get: automatic ones open to everyone or to one of their
    segments, plus those they hold an assigned, usable coupon for."""
    now = now or timezone.now()
    segment_ids = [s.pk for s in customer_segments(customer=customer)]
    usable_coupon = Coupon.objects.filter(
        promotion=OuterRef("pk"), assigned_to=customer, status=Coupon.Status.ACTIVE,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).filter(
        Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses"))
    )
    has_segments = Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"))
    in_segment = Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"), segment_id__in=segment_ids)
    qs = (
        Promotion.objects.filter(_live_q(now))
        .annotate(has_coupon=Exists(usable_coupon), restricted=Exists(has_segments), for_me=Exists(in_segment))
        .filter(Q(has_coupon=True) | (Q(requires_coupon=False) & (Q(restricted=False) | Q(for_me=True))))
        .select_related("campaign").order_by("-priority", "id")
    )
    return list(qs)


def _automatic_live(now) -> QuerySet[Promotion]:
    """Live promotions anyone gets without a code or a segment: the ones a catalog page may show."""
    return (
        Promotion.objects.filter(_live_q(now), requires_coupon=False)
        .exclude(Exists(Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"))))
    )


def _product_matches(rule_targets: tuple, product_id: int, category_path: str, manufacturer_id: int, paths: dict) -> bool:
    products, categories, manufacturers = rule_targets
    if not (products or categories or manufacturers):
        return True
    return (
        product_id in products
        or manufacturer_id in manufacturers
        or any(category_path.startswith(paths[c]) for c in categories if c in paths)
    )


def _targets_of(promotions: list[Promotion]) -> tuple[dict[int, tuple], dict[int, str]]:
    ids = [p.pk for p in promotions]
    targets = {pk: (set(), set(), set()) for pk in ids}
    for index, (name, column) in enumerate(
        (("target_products", "product_id"), ("target_categories", "category_id"), ("target_manufacturers", "manufacturer_id"))
    ):
        for pk, target in getattr(Promotion, name).through.objects.filter(promotion_id__in=ids).values_list("promotion_id", column):
            targets[pk][index].add(target)
    category_ids = set().union(*(t[1] for t in targets.values())) if targets else set()
    paths = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "path")) if category_ids else {}
    return targets, paths


def promotions_for_product(*, product: Product, now: datetime.datetime | None = None) -> list[Promotion]:
    """Automatic live promotions that target this product (by product, category subtree or
    manufacturer), plus untargeted product discounts (which apply to every product)."""
    return _for_products([product.pk], now or timezone.now()).get(product.pk, [])


def _for_products(product_ids: Sequence[int], now) -> dict[int, list[Promotion]]:
    promotions = list(_automatic_live(now).order_by("-priority", "id"))
    if not promotions or not product_ids:
        return {}
    targets, paths = _targets_of(promotions)
    products = Product.objects.filter(pk__in=product_ids).values_list("pk", "category__path", "manufacturer_id")
    out: dict[int, list[Promotion]] = {}
    for pk, category_path, manufacturer_id in products:
        for p in promotions:
            t = targets[p.pk]
            untargeted = not any(t)
            if untargeted and p.discount_class != "product":
                continue
            if _product_matches(t, pk, category_path or "", manufacturer_id, paths):
                out.setdefault(pk, []).append(p)
    return out


def badge_for(promotion: Promotion) -> str:
    """The promotion's badge, or a short label said by its benefit."""
    if promotion.badge:
        return promotion.badge
    b = Promotion.Benefit
    if promotion.benefit_type == b.PERCENTAGE:
        return f"{promotion.percent.normalize():f}% off"
    if promotion.benefit_type == b.FIXED_AMOUNT:
        return f"{Money.of(promotion.amount, promotion.currency)} off"
    if promotion.benefit_type == b.BUY_X_GET_Y:
        return f"Buy {promotion.buy_quantity} get {promotion.get_quantity}"
    if promotion.benefit_type == b.BUNDLE_PRICE:
        return f"{promotion.bundle_quantity} for {Money.of(promotion.amount, promotion.currency)}"
    if promotion.benefit_type == b.QUANTITY_TIERS:
        return "Volume discount"
    return "Free shipping"


def product_badges(*, product_ids: Iterable[int], now: datetime.datetime | None = None) -> dict[int, list[str]]:
    """Badges of the automatic live promotions on each product, for a catalog page.

    Read from the compiled rules (``engine_rules``, cached): no query while no automatic promotion
    is live, else two (the products' categories and makers, the category paths) for any number.
    """
    now = now or timezone.now()
    ids = list(product_ids)
    compiled = engine_rules()
    rules = sorted(
        (
            r for r in compiled.rules
            if not r.requires_coupon and not r.segment_ids
            and (r.valid_from is None or r.valid_from <= now) and (r.valid_to is None or now < r.valid_to)
            and (r.product_ids or r.category_ids or r.manufacturer_ids or r.discount_class == engine.PRODUCT)
        ),
        key=lambda r: (-r.priority, r.id),
    )
    if not rules or not ids:
        return {}
    products = list(Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "manufacturer_id"))
    target_categories = set().union(*(r.category_ids for r in rules))
    paths = dict(
        Category.objects.filter(pk__in=target_categories | {c for _, c, _ in products if c}).values_list("pk", "path")
    ) if target_categories else {}
    out: dict[int, list[str]] = {}
    for pk, category_id, manufacturer_id in products:
        path = paths.get(category_id, "")
        for rule in rules:
            if _product_matches((rule.product_ids, rule.category_ids, rule.manufacturer_ids), pk, path, manufacturer_id, paths):
                label = compiled.badges[rule.id]
                if label not in out.setdefault(pk, []):
                    out[pk].append(label)
    return out


# --- analytics --------------------------------------------------------------------------------------
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def promotion_performance(
    *, promotion: Promotion, period: str = "day", date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[dict]:
    """Per period: orders, units on the discounted lines, revenue (order totals) and discount
    granted by the promotion, cancelled redemptions excluded."""
    if period not in _TRUNC:
        raise ValidationError("Choose day, week or month.", code="period_invalid", fields={"period": ["day, week or month."]})
    qs = Redemption.objects.filter(promotion=promotion, cancelled_at__isnull=True)
    # Periods and date bounds are UTC days, whatever time zone the request has activated.
    if date_from:
        qs = qs.filter(placed_at__gte=_utc_midnight(date_from))
    if date_to:
        qs = qs.filter(placed_at__lt=_utc_midnight(date_to + datetime.timedelta(days=1)))
    rows = (
        qs.order_by().annotate(period=_TRUNC[period]("placed_at", tzinfo=datetime.UTC)).values("period")
        .annotate(orders=Count("order_id", distinct=True), units=Sum("units"), revenue=Sum("order_total"),
                  discount=Sum("amount"))
        .order_by("period")
    )
    return [
        {"period": row["period"], "orders": row["orders"], "units": row["units"] or 0,
         "revenue": _money(row["revenue"]), "discount": _money(row["discount"])}
        for row in rows
    ]


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _money(value) -> Decimal:
    """A sum of amounts, to the cent (SQLite sums decimals with float-like tails)."""
    return Decimal(value or 0).quantize(CENT)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def coupon_usage_stats(*, promotion: Promotion | None = None, batch: CouponBatch | None = None) -> dict:
    """Coupons issued, assigned to a customer and redeemed (used at least once, cancelled orders
    given back), the redemption rate (redeemed / issued) and total uses; also per batch."""
    qs = Coupon.objects.all()
    if promotion is not None:
        qs = qs.filter(promotion=promotion)
    if batch is not None:
        qs = qs.filter(batch=batch)
    figures = {
        "issued": Count("id"),
        "assigned": Count("id", filter=Q(assigned_to__isnull=False)),
        "redeemed": Count("id", filter=Q(used_count__gt=0)),
        "uses": Sum("used_count"),
        "invalidated": Count("id", filter=Q(status=Coupon.Status.INVALIDATED)),
    }
    totals = qs.aggregate(**figures)
    by_batch = []
    for row in qs.filter(batch__isnull=False).order_by().values("batch_id", "batch__prefix").annotate(**figures).order_by("batch_id"):
        by_batch.append({
            "batch_id": row["batch_id"], "prefix": row["batch__prefix"], "issued": row["issued"],
            "assigned": row["assigned"], "redeemed": row["redeemed"], "uses": row["uses"] or 0,
            "invalidated": row["invalidated"], "redemption_rate": _rate(row["redeemed"], row["issued"]),
        })
    return {
        "issued": totals["issued"], "assigned": totals["assigned"], "redeemed": totals["redeemed"],
        "uses": totals["uses"] or 0, "invalidated": totals["invalidated"],
        "redemption_rate": _rate(totals["redeemed"], totals["issued"]), "by_batch": by_batch,
    }


def campaign_roi(*, campaign: Campaign) -> dict:
    """Revenue of the orders carrying the campaign's promotions (each order counted once) against
    the discount granted: ROI = (revenue - discount) / discount, None when nothing was granted.
    (``campaign_roi_many`` for one campaign, with its budget and spend as they are now.)"""
    campaign = Campaign.objects.get(pk=campaign.pk)  # the spend as it is now, not as the caller loaded it
    return campaign_roi_many(campaigns=[campaign])[campaign.pk]


def campaign_roi_many(*, campaigns: Sequence[Campaign]) -> dict[int, dict]:
    """``campaign_roi`` of each campaign, by id, in two queries whatever their number.

    Cancelled redemptions are left out; an order is counted once per campaign however many of its
    promotions it got (its total is copied on each of its redemptions: one row per order is summed).
    Budget and spend are read from the campaigns as given.
    """
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    live = Redemption.objects.filter(campaign_id__in=ids, cancelled_at__isnull=True).order_by()
    discounts = dict(live.values("campaign_id").annotate(total=Sum("amount")).values_list("campaign_id", "total")) if ids else {}
    one_per_order = live.values("campaign_id", "order_id").annotate(first=Min("id")).values("first")
    per_order = {
        campaign_id: (orders, revenue)
        for campaign_id, orders, revenue in Redemption.objects.filter(pk__in=one_per_order).order_by()
        .values("campaign_id").annotate(orders=Count("id"), revenue=Sum("order_total"))
        .values_list("campaign_id", "orders", "revenue")
    } if ids else {}
    figures = {}
    for campaign in campaigns:
        discount = _money(discounts.get(campaign.pk))
        orders, revenue = per_order.get(campaign.pk, (0, None))
        revenue = _money(revenue)
        budget = campaign.budget_amount
        figures[campaign.pk] = {
            "campaign_id": campaign.pk, "currency": campaign.currency, "orders": orders, "revenue": revenue,
            "discount": discount, "roi": ((revenue - discount) / discount).quantize(Decimal("0.0001")) if discount else None,
            "budget": budget, "spent": campaign.spent_amount,
            "budget_left": (budget - campaign.spent_amount) if budget is not None else None,
        }
    return figures


# --- simulation -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimulationResult:
    """A sample cart priced through the checkout's pipeline: what applied and what did not, and why."""

    currency: str
    lines: list
    subtotal: Money
    discount_total: Money
    shipping: Money
    shipping_discount: Money
    total: Money
    applied: list  # AppliedDiscount
    not_applied: list  # PromotionHint
    coupons: list  # CouponResult


def simulate(
    *, lines: list[tuple[int, int]], customer=None, coupon_codes: Sequence[str] = (),
    now: datetime.datetime | None = None, currency: str | None = None,
) -> SimulationResult:
    """Price a sample cart (product id, quantity) for a customer (or a guest) with codes, at ``now``."""
    from orders.pricing import LineInput, price_lines

    errors = {}
    if not lines:
        errors["lines"] = ["Add at least one product."]
    clean = []
    for product_id, quantity in lines:
        if int(quantity) < 1:
            errors["lines"] = ["Quantities are at least 1."]
        clean.append((int(product_id), int(quantity)))
    known = set(Product.objects.filter(pk__in=[p for p, _ in clean]).values_list("pk", flat=True))
    if any(p not in known for p, _ in clean):
        errors["lines"] = ["Unknown product."]
    if errors:
        raise ValidationError("The sample cart is not valid.", code="simulation_invalid", fields=errors)
    pricing = price_lines(
        [LineInput(p, q) for p, q in clean], currency=currency or default_currency(),
        customer_id=customer.pk if customer is not None else None,
        coupon_codes=[c.strip().upper() for c in coupon_codes if c.strip()], now=now,
    )
    return SimulationResult(
        currency=pricing.currency, lines=pricing.lines, subtotal=pricing.subtotal, discount_total=pricing.discount_total,
        shipping=pricing.shipping, shipping_discount=pricing.shipping_discount, total=pricing.total,
        applied=pricing.discounts, not_applied=pricing.explanations, coupons=pricing.coupons,
    )
