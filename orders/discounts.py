"""The discount port: what the orders pricing asks of a discount provider, and the values they exchange.

Orders owns this seam and knows no promotions: ``DiscountProvider`` is the typed ``Protocol`` a
provider implements. ``price_lines`` (``orders.pricing``) hands it a ``PricingSnapshot`` of the
priced lines and takes back a ``DiscountResult``; the cart asks ``check_coupon``; the checkout calls
``order_placed`` inside its transaction (a refusal rolls the checkout back), a cancellation
``order_cancelled``.

Wiring, in one place: the promotions app registers its provider in ``PromotionsConfig.ready``
(``register_discount_provider(PromotionDiscounts())``). Without a registered provider,
``NoDiscounts`` grants nothing and answers that any coupon code is unknown. The setting
``ORDERS_DISCOUNT_PROVIDER`` (empty by default) is an override, not the wiring: a dotted path to
a provider class used instead of the registered one, e.g. ``orders.discounts.NoDiscounts`` to price
without promotions.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from commerce.catalog.models import Product
from commerce.money import Money
from orders.errors import OrdersError


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
    reason: str = ""  # "" when accepted, else the code of the refusal: an ``OrdersError`` of ``orders.errors.COUPON_REFUSALS``
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


@runtime_checkable
class DiscountProvider(Protocol):
    """What the orders pricing and checkout ask of the discounts (implemented by ``promotions.provider``)."""

    def price(self, snapshot: PricingSnapshot) -> DiscountResult:
        """The discounts, coupon verdicts and hints of a priced cart. Reads only; no write."""
        ...

    def check_coupon(self, code: str, snapshot: PricingSnapshot | None = None) -> CouponResult:
        """One code's verdict on a cart, or, without one, on its own."""
        ...

    def order_placed(self, *, order_id: int, customer_id: int | None, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
        """Count the order's discounts, inside the checkout transaction; raise a ``DomainError`` to refuse."""
        ...

    def order_cancelled(self, *, order_id: int) -> None:
        """Give back what ``order_placed`` counted, inside the cancellation's transaction."""
        ...


class NoDiscounts(DiscountProvider):
    """The pricing hook before the promotions app exists: nothing off, every coupon unknown."""

    def price(self, snapshot: PricingSnapshot) -> DiscountResult:
        return DiscountResult(coupons=[self.check_coupon(code, snapshot) for code in snapshot.coupon_codes])

    def check_coupon(self, code: str, snapshot: PricingSnapshot | None = None) -> CouponResult:
        return CouponResult(code=code, accepted=False, reason=OrdersError.COUPON_UNKNOWN, message=f"The code {code} is not known.")

    def order_placed(self, *, order_id: int, customer_id: int | None, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
        return None

    def order_cancelled(self, *, order_id: int) -> None:
        return None


_NO_DISCOUNTS = NoDiscounts()


_registered: DiscountProvider | None = None


def register_discount_provider(provider: DiscountProvider) -> None:
    """Wire the discount provider (called once, from the providing app's ``AppConfig.ready``)."""
    global _registered
    if not isinstance(provider, DiscountProvider):
        raise ImproperlyConfigured(f"{provider!r} does not implement orders.discounts.DiscountProvider.")
    if _registered is not None and type(_registered) is not type(provider):
        raise ImproperlyConfigured(f"A discount provider is registered already: {_registered!r}.")
    _registered = provider


@lru_cache(maxsize=4)
def _provider_for(path: str):
    return import_string(path)()


def discount_provider() -> DiscountProvider:
    """The provider the pricing asks: the ``ORDERS_DISCOUNT_PROVIDER`` override, else the registered one, else none."""
    override = getattr(settings, "ORDERS_DISCOUNT_PROVIDER", "")
    if override:
        return _provider_for(override)
    return _registered if _registered is not None else _NO_DISCOUNTS
