"""Shelf prices: what one unit of a product costs a shopper now, as cards and product pages show it.

A product's own price is its regular price. An app that lowers prices without conditions (the
promotions app: "10% off", with no minimum, code or segment) registers a provider here in its
``AppConfig.ready``; the catalog is core and never imports it::

    prices.register(product_prices)

A provider is ``provider(*, products: list[Product], customer) -> dict[int, Money]``: the unit price
it would charge for each product it lowers, for every product of the page at once, in a fixed number
of queries (the products come with their category loaded). ``customer`` is the logged-in shopper
(``shopper(request)``) or None for a guest: a customer's price may count promotions of their
segments, as their cart does. ``annotate`` puts on each product
``shelf_price`` (what the shopper pays for one) and ``was_price`` (the regular price, shown struck
through) only when the shelf price is truly lower. The cart prices one unit the same way, so the
card, the product page and the cart agree.

A provider that fails is logged and left out: the page shows regular prices, never a discount that
the cart might not give.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from commerce.money import Money

logger = logging.getLogger(__name__)

PriceProvider = Callable[..., "dict[int, Money]"]

_providers: list[PriceProvider] = []


def register(provider: PriceProvider) -> PriceProvider:
    """Add a provider (registering the same one twice keeps one). Returns it, so it can decorate."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: PriceProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def shopper(request):
    """The customer a page or an API answer is priced for: the logged-in user, else None (a guest)."""
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def shelf_prices(products: Iterable, *, customer=None) -> dict[int, Money]:
    """Each product's price for one unit now: the lowest any provider offers, never above the regular one."""
    products = list({p.pk: p for p in products}.values())
    found = {p.pk: p.price for p in products}
    if not products:
        return found
    for provider in list(_providers):
        try:
            answer = provider(products=products, customer=customer)
        except Exception:
            logger.exception("Price provider %r failed; regular prices shown", provider)
            continue
        for pk, price in answer.items():
            regular = found.get(pk)
            if regular is not None and price.currency == regular.currency and 0 <= price.amount < regular.amount:
                found[pk] = price
    return found


def annotate(products: Iterable, *, customer=None) -> None:
    """Set ``shelf_price`` and ``was_price`` (None unless lower) on each product: one call per page."""
    products = list(products)
    prices = shelf_prices(products, customer=customer)
    for product in products:
        price = prices[product.pk]
        product.shelf_price = price
        product.was_price = product.price if price.amount < product.price_amount else None
