"""The shopper's promotions pages: "My coupons" under the account.

Server-rendered and usable without JavaScript. The page only reads (selectors); applying a coupon
posts to the cart's own coupon form (``orders:cart_coupon_apply``), so there is one place where a
code is checked and one message for each way it can be refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from orders import selectors as order_selectors
from promotions import selectors
from promotions.forms import MyCouponsFilterForm
from promotions.models import Campaign, Coupon, Promotion

COUPONS_PER_PAGE = 20


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


def coupon_state(coupon: Coupon, now: datetime.datetime | None = None) -> CouponState:
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

    if coupon.status == Coupon.Status.INVALIDATED or promotion.status == Promotion.Status.ARCHIVED:
        return state("invalidated", "No longer valid")
    if coupon.uses_left == 0:
        return state("used_up", "Used")
    if (expires_at is not None and expires_at <= now) or promotion.status == Promotion.Status.EXPIRED or (
        campaign is not None and campaign.status == Campaign.Status.ENDED
    ):
        return state("expired", "Expired")
    if promotion.status in (Promotion.Status.DRAFT, Promotion.Status.INACTIVE) or (
        campaign is not None and campaign.status == Campaign.Status.DRAFT
    ):
        return state("unavailable", "Not available at the moment")
    if starts_at is not None and starts_at > now:
        local = timezone.localtime(starts_at)
        return state("not_yet_valid", f"Valid from {local.day} {local:%B %Y}")
    return state("usable", "Ready to use")


@dataclass(frozen=True)
class CouponRow:
    coupon: Coupon
    state: CouponState
    gives: str
    in_cart: bool


@login_required
def my_coupons(request):
    """The customer's assigned coupons: what each gives, uses left, expiry, and a button to use it."""
    form = MyCouponsFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else MyCouponsFilterForm.USABLE
    now = timezone.now()
    coupons = selectors.customer_coupons(customer=request.user).select_related("promotion__campaign")
    cart = order_selectors.cart_find(customer=request.user)
    in_cart = set(cart.coupon_codes) if cart is not None else set()
    rows = [
        CouponRow(coupon=coupon, state=coupon_state(coupon, now), gives=selectors.badge_for(coupon.promotion),
                  in_cart=coupon.code in in_cart)
        for coupon in coupons
    ]
    if show == MyCouponsFilterForm.USABLE:
        rows = [row for row in rows if row.state.current]
    page = Paginator(rows, COUPONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "promotions/my_coupons.html",
        {"form": form, "show": show, "page": page, "rows": page.object_list, "cart_has_items": bool(cart and cart.lines.exists())},
    )
