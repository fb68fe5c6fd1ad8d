"""The discount port: what the orders pricing asks of a discount provider, and the values they exchange.

``price_lines`` (``orders.pricing``) hands the provider a ``PricingSnapshot`` of the priced lines
and takes back a ``DiscountResult``; the checkout tells it ``order_placed`` inside its transaction,
a cancellation ``order_cancelled``. Until a provider is wired, ``NoDiscounts`` grants nothing and
answers that any coupon code is unknown.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from commerce.catalog.models import Product
from commerce.money import Money


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
