"""The orders discount port (``orders.discounts.DiscountProvider``), implemented by the promotions app.

Wired in ``PromotionsConfig.ready`` (``register_discount_provider``), the one place orders learns of it.

``price`` loads the engine's inputs (``selectors.engine_inputs``, a fixed number of queries) and
runs the pure engine. ``order_placed`` and ``order_cancelled`` are the write side, in the
promotions services (``promotions.services.redemptions``): they run inside the checkout's (the
cancellation's) transaction, lock, re-check the limits and count or give back the usage.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone

from commerce.coupon_codes import normalise_coupon_code
from orders.discounts import AppliedDiscount, CouponResult, DiscountProvider, DiscountResult, PricingSnapshot, PromotionHint
from orders.errors import OrdersError  # a refused code's reason is the code orders answers with
from promotions import engine
from promotions.discount_keys import promotion_key
from promotions.models import Promotion
from promotions.selectors.lookups import still_live
from promotions.selectors.rules import coupon_infos, engine_inputs, from_minor
from promotions.services.redemptions import redemptions_cancel, redemptions_record


def _applied(applied: engine.Applied, currency: str) -> AppliedDiscount:
    return AppliedDiscount(
        key=promotion_key(applied.rule_id),
        name=applied.name,
        amount=from_minor(applied.amount, currency),
        line_amounts={i: from_minor(units, currency) for i, units in applied.line_amounts.items() if units},
        shipping_amount=from_minor(applied.shipping_amount, currency) if applied.shipping_amount else None,
        code=applied.code,
    )


def _verdict(verdict: engine.CouponVerdict) -> CouponResult:
    return CouponResult(code=verdict.code, accepted=verdict.accepted, reason=verdict.reason, message=verdict.message,
                        hint=verdict.hint)


def _hint(item: engine.NotApplied) -> PromotionHint:
    return PromotionHint(key=promotion_key(item.rule_id), name=item.name, reason=item.reason, message=item.message,
                         hint=item.hint)


# Reasons a shopper may be told about an automatic promotion they are eligible for. The others
# would leak what they should not see (another segment's offers, upcoming ones) or are noise (a
# product promotion for items not in the cart); the admin and staff simulation show them all.
SHOPPER_REASONS = {"minimum_not_reached", "usage_limit_reached", "customer_limit_reached", "budget_spent", "not_combinable"}


def _shopper_hints(result: engine.Result, rules) -> list[PromotionHint]:
    """Why an automatic promotion the shopper qualifies for did not apply, and what would qualify.

    Coupon-only promotions stay secret: an entered code's own verdict carries its reason and hint.
    """
    coupon_only = {r.id for r in rules if r.requires_coupon}
    return [_hint(n) for n in result.not_applied if n.reason in SHOPPER_REASONS and n.rule_id not in coupon_only]


class PromotionDiscounts(DiscountProvider):
    """The discounts of the live promotions, through the engine; coupon uses and limits counted at checkout."""

    # --- pricing --------------------------------------------------------------------------------
    def price(self, snapshot: PricingSnapshot) -> DiscountResult:
        cart, rules = engine_inputs(snapshot)
        if not rules and not cart.coupons:
            return DiscountResult()
        result = engine.evaluate(cart, rules)
        currency = snapshot.currency
        return DiscountResult(
            discounts=[_applied(a, currency) for a in result.applied if a.amount > 0],
            coupons=[_verdict(v) for v in result.coupons],
            hints=_shopper_hints(result, rules),
            explanations=[_hint(n) for n in result.not_applied],
        )

    def check_coupon(self, code: str, snapshot: PricingSnapshot | None = None) -> CouponResult:
        """A code's verdict on a cart, or, without one, on its own (known, usable, not expired)."""
        code = normalise_coupon_code(code)
        if snapshot is not None:
            codes = list(dict.fromkeys([*[normalise_coupon_code(c) for c in snapshot.coupon_codes], code]))
            result = self.price(replace(snapshot, coupon_codes=codes))
            found = next((c for c in result.coupons if c.code == code), None)
            if found is not None:
                return found
        (info,) = coupon_infos([code]) or (engine.CouponInfo(code=code),)
        now = timezone.now()
        if info.promotion_id is None:
            return CouponResult(code, False, OrdersError.COUPON_UNKNOWN, f"The code {code} is not known.")
        if info.invalidated:
            return CouponResult(code, False, OrdersError.COUPON_INVALIDATED, f"The code {code} is no longer valid.")
        if info.expires_at is not None and info.expires_at <= now:
            return CouponResult(code, False, OrdersError.COUPON_EXPIRED, f"The code {code} has expired.")
        if info.uses_left is not None and info.uses_left <= 0:
            return CouponResult(code, False, OrdersError.COUPON_EXHAUSTED, f"The code {code} has been used up.")
        promotion = Promotion.objects.select_related("campaign").filter(pk=info.promotion_id).first()
        if promotion is None or not still_live(promotion, promotion.campaign, now):
            return CouponResult(code, False, OrdersError.COUPON_NOT_APPLICABLE, f"The code {code} cannot be used now.")
        return CouponResult(code, True)

    # --- checkout -------------------------------------------------------------------------------
    def order_placed(self, *, order_id: int, customer_id: int | None, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
        """Count the order's promotions and coupons, under locks, or refuse (``redemptions_record``)."""
        return redemptions_record(order_id=order_id, customer_id=customer_id, discounts=discounts, coupon_codes=coupon_codes)

    def order_cancelled(self, *, order_id: int) -> None:
        """Give the order's usage, coupon uses and budget back (``redemptions_cancel``)."""
        return redemptions_cancel(order_id=order_id)
