"""Product card extras: what other apps show on the catalog's product cards (the product list, search
results, a manufacturer's page), such as a product's stars and number of reviews.

The catalog is core and never imports a subdomain app, so an app with something to show on cards
registers a provider here in its ``AppConfig.ready``::

    product_cards.register("rating", rating_card_extras, order=10)

A provider is ``provider(*, product_ids: list[int]) -> dict[int, SafeString]``: it answers for every
card of the page at once, in a fixed number of queries (a page never costs a query per card), and
renders its own HTML (escaping as Django templates do). A product it has nothing for is left out of
the answer. ``annotate`` puts each product's extras, in ``order`` then name, on ``product.card_extras``.

Extras decorate a page: a provider that raises is logged and left out, never taking the page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from commerce.registry import Registry

CardProvider = Callable[..., dict[int, SafeString]]
providers: Registry[CardProvider] = Registry("product card provider", logger=logging.getLogger(__name__))
register, unregister, registered = providers.register, providers.unregister, providers.names


def extras_for(product_ids: Iterable[int]) -> dict[int, list[SafeString]]:
    """Every product's card extras, in provider order; ``[]`` for a product without any."""
    ids = list(dict.fromkeys(product_ids))
    found: dict[int, list[SafeString]] = {pk: [] for pk in ids}
    if not ids:
        return found
    for _name, answer in providers.answers(product_ids=ids):
        for pk, html in answer.items():
            if pk in found and html:
                found[pk].append(html)
    return found


def annotate(products: Iterable) -> None:
    """Set ``card_extras`` on each product (one call per page, with every card it shows)."""
    products = list(products)
    extras = extras_for(product.pk for product in products)
    for product in products:
        product.card_extras = extras[product.pk]
