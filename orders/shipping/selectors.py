"""Shipping reads: the methods offered to a cart, the one it uses, and what an order was promised.

Other apps read the promise through ``promised_delivery`` (logistics plans an order's delivery on
the date its shopper was promised); like ``orders.selectors`` this module is a public read API.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from commerce.money import Money
from orders.models import Order
from orders.shipping.estimates import DeliveryWindow, delivery_window
from orders.shipping.models import ShippingHoliday, ShippingMethod

#: holidays further ahead than this never matter to a promise (transit and processing are capped)
HORIZON_DAYS = 120


@dataclass(frozen=True)
class ShippingOption:
    """A shipping method as a cart sees it: its price before the free-shipping rule, and its window."""

    method_id: int
    code: str
    name: str
    description: str
    price: Money
    free_over: Money | None
    window: DeliveryWindow
    is_default: bool = False

    def charge(self, subtotal: Money) -> Money:
        """What this cart pays for it: nothing for an empty cart or from the free-shipping amount on."""
        if subtotal.is_zero() or (self.free_over is not None and subtotal >= self.free_over):
            return Money.zero(self.price.currency)
        return self.price

    def missing_for_free(self, subtotal: Money) -> Money | None:
        """How much more the subtotal needs for free shipping (None: never free, or free already)."""
        if self.free_over is None or subtotal.is_zero() or subtotal >= self.free_over:
            return None
        return self.free_over - subtotal


def _holidays(today: datetime.date) -> frozenset[datetime.date]:
    return frozenset(ShippingHoliday.objects.filter(date__gte=today, date__lte=today + datetime.timedelta(days=HORIZON_DAYS))
                     .values_list("date", flat=True))


def _option(method: ShippingMethod, placed_at: datetime.datetime, holidays) -> ShippingOption:
    return ShippingOption(method_id=method.pk, code=method.code, name=method.name, description=method.description,
                          price=method.price, free_over=method.free_over, is_default=method.is_default,
                          window=delivery_window(method.rule, placed_at=placed_at, holidays=holidays))


def shipping_options(*, currency: str, now: datetime.datetime | None = None) -> list[ShippingOption]:
    """The active methods in ``currency``, in display order, each with its window for an order placed now (two queries)."""
    local = timezone.localtime(now or timezone.now())
    methods = list(ShippingMethod.objects.filter(is_active=True, currency=currency))
    if not methods:
        return []
    holidays = _holidays(local.date())
    return [_option(m, local, holidays) for m in methods]


def shipping_option_for(*, method_id: int | None, currency: str, now: datetime.datetime | None = None,
                        options: list[ShippingOption] | None = None) -> ShippingOption | None:
    """The option a cart uses: its chosen method while active, else the default (``is_default``, else
    the first); None when the shop has no method (the flat rate of the settings applies)."""
    options = shipping_options(currency=currency, now=now) if options is None else options
    if not options:
        return None
    chosen = next((o for o in options if o.method_id == method_id), None) if method_id else None
    if chosen is not None:
        return chosen
    return next((o for o in options if o.is_default), options[0])


@dataclass(frozen=True)
class PromisedDelivery:
    order_id: int
    method_code: str
    earliest: datetime.date
    latest: datetime.date


def promised_delivery(*, order_ids: list[int]) -> dict[int, PromisedDelivery]:
    """What each order was promised at checkout (orders placed without a method are left out): one query."""
    rows = (Order.objects.filter(pk__in=order_ids, delivery_earliest__isnull=False)
            .values_list("pk", "shipping_method_code", "delivery_earliest", "delivery_latest"))
    return {pk: PromisedDelivery(pk, code, earliest, latest) for pk, code, earliest, latest in rows}
