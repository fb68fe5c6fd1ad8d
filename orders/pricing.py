"""The one pricing pipeline: the cart summary and the order are computed by the same code.

``price_lines`` loads the products (with sellable stock) in one query, prices every line at the
catalog's current price, asks the discount provider (the promotions hook) for discounts, adds
shipping and returns a ``Pricing``. Lines whose price changed since the shopper saw it, or whose
stock falls short, are flagged, never silently charged or dropped.

The discount provider is chosen by ``settings.ORDERS_DISCOUNT_PROVIDER``. Until the promotions
app fills it in, ``NoDiscounts`` grants nothing and answers that any coupon code is unknown.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from commerce.catalog.models import Product
from commerce.catalog.selectors import product_queryset
from commerce.money import Money


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int
    seen_unit_price: Decimal | None = None
    line_id: int | None = None


@dataclass
class PricedLine:
    line_id: int | None
    product_id: int
    product_code: str
    product_name: str
    product_slug: str
    category_id: int | None
    manufacturer_id: int | None
    quantity: int
    unit_price: Money
    seen_unit_price: Money | None
    available: int
    is_active: bool
    discount: Money
    # The product as priced, so checkout hands it to stock_reserve_many instead of reading it again.
    product: Product | None = field(default=None, repr=False, compare=False)

    @property
    def subtotal(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount

    @property
    def price_changed(self) -> bool:
        return self.seen_unit_price is not None and self.seen_unit_price != self.unit_price

    @property
    def shortfall(self) -> int:
        return max(0, self.quantity - max(self.available, 0))

    @property
    def issues(self) -> list[str]:
        found = []
        if not self.is_active:
            found.append("unavailable")
        if self.price_changed:
            found.append("price_changed")
        if self.shortfall:
            found.append("insufficient_stock")
        return found


@dataclass(frozen=True)
class AppliedDiscount:
    """One promotion's effect: its total and its share on each line (by line index)."""

    key: str
    name: str
    amount: Money
    line_amounts: dict = field(default_factory=dict)
    shipping_amount: Money | None = None
    code: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "code": self.code,
            "amount": str(self.amount.amount),
            "currency": self.amount.currency,
            "line_amounts": {str(i): str(m.amount) for i, m in self.line_amounts.items()},
            "shipping_amount": str(self.shipping_amount.amount) if self.shipping_amount else "0",
        }


@dataclass(frozen=True)
class CouponResult:
    code: str
    accepted: bool
    reason: str = ""
    message: str = ""
    hint: str = ""  # what would make a refused code apply ("Spend 5.00 more")


@dataclass(frozen=True)
class PromotionHint:
    """A promotion that did not apply, why, and (where it is close) what would qualify."""

    key: str
    name: str
    reason: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class PricingSnapshot:
    """Everything a discount provider may look at. No database access needed."""

    lines: Sequence[PricedLine]
    customer_id: int | None
    coupon_codes: Sequence[str]
    shipping: Money
    currency: str
    now: datetime.datetime


@dataclass(frozen=True)
class DiscountResult:
    discounts: list[AppliedDiscount] = field(default_factory=list)
    coupons: list[CouponResult] = field(default_factory=list)
    hints: list[PromotionHint] = field(default_factory=list)  # what a shopper may be told
    explanations: list[PromotionHint] = field(default_factory=list)  # every promotion not applied, for staff


class NoDiscounts:
    """The pricing hook before the promotions app exists: nothing off, every coupon unknown."""

    def price(self, snapshot: PricingSnapshot) -> DiscountResult:
        return DiscountResult(coupons=[self.check_coupon(code, snapshot) for code in snapshot.coupon_codes])

    def check_coupon(self, code: str, snapshot: PricingSnapshot | None = None) -> CouponResult:
        return CouponResult(code=code, accepted=False, reason="coupon_unknown", message=f"The code {code} is not known.")

    def order_placed(self, *, order_id: int, customer_id: int, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
        return None

    def order_cancelled(self, *, order_id: int) -> None:
        return None


@lru_cache(maxsize=4)
def _provider_for(path: str):
    return import_string(path)()


def discount_provider():
    return _provider_for(getattr(settings, "ORDERS_DISCOUNT_PROVIDER", "orders.pricing.NoDiscounts"))


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

    @property
    def has_issues(self) -> bool:
        return any(line.issues for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def coupon_result(self, code: str) -> CouponResult | None:
        return next((c for c in self.coupons if c.code == code), None)


def shipping_for(subtotal: Money) -> Money:
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
    shipping = shipping_for(subtotal)
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
    )
