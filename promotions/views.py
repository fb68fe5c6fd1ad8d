"""The shopper's promotions pages: "My coupons" under the account.

Server-rendered and usable without JavaScript. The page only reads (selectors); applying a coupon
posts to the cart's own coupon form (``orders:cart_coupon_apply``), so there is one place where a
code is checked and one message for each way it can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from orders import selectors as order_selectors
from promotions import selectors
from promotions.forms import MyCouponsFilterForm
from promotions.models import Coupon

COUPONS_PER_PAGE = 20


@dataclass(frozen=True)
class CouponRow:
    coupon: Coupon
    state: selectors.CouponState
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
        CouponRow(coupon=coupon, state=selectors.coupon_state(coupon=coupon, now=now),
                  gives=selectors.badge_for(coupon.promotion), in_cart=coupon.code in in_cart)
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
