"""Promotions lookups: lists, one row by its id or code (a missing one is the app's NotFound), a coupon as its holder sees it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from commerce.coupon_codes import normalise_coupon_code
from commerce.money import Money
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
    Segment,
)
from promotions.selectors._common import CS, LIVE_CAMPAIGN_STATUSES, LIVE_PROMOTION_STATUSES, PS


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


def coupon_get(*, code: str) -> Coupon:
    """A coupon by its code, matched case-insensitively (codes are stored upper-case)."""
    coupon = Coupon.objects.filter(code=normalise_coupon_code(code)).first()
    if coupon is None:
        raise CouponNotFound("No such coupon.")
    return coupon


def customer_coupon_get(*, customer, code: str) -> Coupon:
    """One of the customer's own coupons by its code; another customer's coupon is not found either."""
    coupon = customer_coupons(customer=customer).select_related("promotion__campaign").filter(code=normalise_coupon_code(code)).first()
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


def still_live(promotion: Promotion, campaign: Campaign | None, now) -> bool:
    """Is the promotion (and its campaign) live at ``now``: status and window, checked as the checkout does."""
    if promotion.status not in LIVE_PROMOTION_STATUSES:
        return False
    if promotion.valid_from is not None and promotion.valid_from > now:
        return False
    if promotion.valid_to is not None and promotion.valid_to <= now:
        return False
    if campaign is None:
        return promotion.campaign_id is None
    if campaign.status not in LIVE_CAMPAIGN_STATUSES or campaign.starts_at > now:
        return False
    return campaign.ends_at is None or campaign.ends_at > now

