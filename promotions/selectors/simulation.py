"""The pricing simulator: a sample cart priced through the checkout's pipeline, for staff."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from commerce.catalog.models import Product
from commerce.coupon_codes import normalise_coupon_code
from commerce.money import Money, default_currency
from orders.pricing import LineInput, price_lines
from promotions.errors import SimulationInvalid


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
        raise SimulationInvalid("The sample cart is not valid.", fields=errors)
    pricing = price_lines(
        [LineInput(p, q) for p, q in clean], currency=currency or default_currency(),
        customer_id=customer.pk if customer is not None else None,
        coupon_codes=[normalise_coupon_code(c) for c in coupon_codes if c.strip()], now=now,
    )
    return SimulationResult(
        currency=pricing.currency, lines=pricing.lines, subtotal=pricing.subtotal, discount_total=pricing.discount_total,
        shipping=pricing.shipping, shipping_discount=pricing.shipping_discount, total=pricing.total,
        applied=pricing.discounts, not_applied=pricing.explanations, coupons=pricing.coupons,
    )
