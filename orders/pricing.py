"""The one pricing pipeline: the cart summary and the order are computed by the same code.

``price_lines`` loads the products (with sellable stock) in one query, prices every line at the
catalog's current price, asks the discount provider (the promotions hook) for discounts, adds
shipping and returns a ``Pricing``. Lines whose price changed since the shopper saw it, or whose
stock falls short, are flagged, never silently charged or dropped.

The discount provider is the port of ``orders.discounts`` (a typed ``DiscountProvider``), which the
promotions app wires in its ``AppConfig.ready``; without one, ``NoDiscounts`` grants nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from commerce.catalog.selectors import product_queryset
from commerce.money import Money
from orders.discounts import (
    AppliedDiscount,
    CouponResult,
    DiscountResult,
    NoDiscounts,
    PricedLine,
    PricingSnapshot,
    PromotionHint,
    discount_provider,
)

if TYPE_CHECKING:
    from orders.shipping.selectors import ShippingOption

# The discount port's values and provider, where callers of the pricing found them before they
# moved to ``orders.discounts`` (``ORDERS_DISCOUNT_PROVIDER`` may name ``orders.pricing.NoDiscounts``).
__all__ = [
    "AppliedDiscount", "CouponResult", "DiscountResult", "LineInput", "NoDiscounts", "PricedLine", "Pricing",
    "PricingSnapshot", "PromotionHint", "discount_provider", "price_lines", "shipping_for",
]


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int
    seen_unit_price: Decimal | None = None
    line_id: int | None = None



@dataclass
class Pricing:
    currency: str
    lines: list[PricedLine]
    subtotal: Money
    discounts: list[AppliedDiscount]
    discount_total: Money
    shipping: Money
    shipping_discount: Money
    total: Money
    coupons: list[CouponResult]
    hints: list[PromotionHint] = field(default_factory=list)
    explanations: list[PromotionHint] = field(default_factory=list)
    #: the shipping method priced (``orders.shipping``); None: the shop has none, the settings' flat rate
    shipping_option: ShippingOption | None = None

    @property
    def free_shipping_missing(self) -> Money | None:
        """How much more the subtotal needs for free shipping, while shipping is charged."""
        if self.subtotal.is_zero() or self.shipping.is_zero() or self.shipping_discount >= self.shipping:
            return None
        if self.shipping_option is not None:
            return self.shipping_option.missing_for_free(self.subtotal)
        threshold = Money.of(settings.ORDERS_FREE_SHIPPING_OVER, self.currency)
        return threshold - self.subtotal if self.subtotal < threshold else None

    @property
    def has_issues(self) -> bool:
        return any(line.issues for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def coupon_result(self, code: str) -> CouponResult | None:
        return next((c for c in self.coupons if c.code == code), None)


def shipping_for(subtotal: Money, option: ShippingOption | None = None) -> Money:
    """The shipping charge before any discount: the chosen method's, else the settings' flat rate."""
    if option is not None:
        return option.charge(subtotal)
    threshold = Money.of(settings.ORDERS_FREE_SHIPPING_OVER, subtotal.currency)
    if subtotal.is_zero() or subtotal >= threshold:
        return Money.zero(subtotal.currency)
    return Money.of(settings.ORDERS_SHIPPING_FLAT_RATE, subtotal.currency)


def price_lines(
    lines: Sequence[LineInput],
    *,
    currency: str,
    customer_id: int | None = None,
    coupon_codes: Sequence[str] = (),
    now: datetime.datetime | None = None,
    shipping_option: ShippingOption | None = None,
) -> Pricing:
    products = {
        p.pk: p
        for p in product_queryset(include_inactive=True).filter(pk__in=[line.product_id for line in lines])
    }
    priced = []
    for line in lines:
        product = products[line.product_id]
        priced.append(
            PricedLine(
                line_id=line.line_id,
                product_id=product.pk,
                product_code=product.code,
                product_name=product.name,
                product_slug=product.slug,
                category_id=product.category_id,
                manufacturer_id=product.manufacturer_id,
                quantity=line.quantity,
                unit_price=product.price,
                seen_unit_price=Money.of(line.seen_unit_price, product.price_currency) if line.seen_unit_price is not None else None,
                available=product.available,
                is_active=product.is_active,
                discount=Money.zero(currency),
                product=product,
            )
        )
    subtotal = sum((line.subtotal for line in priced), Money.zero(currency))
    shipping = shipping_for(subtotal, shipping_option)
    snapshot = PricingSnapshot(priced, customer_id, list(coupon_codes), shipping, currency, now or timezone.now())
    result = discount_provider().price(snapshot)

    shipping_discount = Money.zero(currency)
    for discount in result.discounts:
        for index, amount in discount.line_amounts.items():
            priced[index].discount = min(priced[index].discount + amount, priced[index].subtotal)
        if discount.shipping_amount:
            shipping_discount = min(shipping_discount + discount.shipping_amount, shipping)
    line_discounts = sum((line.discount for line in priced), Money.zero(currency))
    discount_total = line_discounts + shipping_discount
    total = subtotal - line_discounts + shipping - shipping_discount
    return Pricing(
        currency=currency,
        lines=priced,
        subtotal=subtotal,
        discounts=list(result.discounts),
        discount_total=discount_total,
        shipping=shipping,
        shipping_discount=shipping_discount,
        total=total,
        coupons=list(result.coupons),
        hints=list(result.hints),
        explanations=list(result.explanations),
        shipping_option=shipping_option,
    )
