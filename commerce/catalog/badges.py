"""Product badges ("3 for 2", "Free shipping"): short labels other apps put on catalog pages.

The catalog is core and never imports a subdomain app, so an app that has something to say about
products registers a provider here (in its ``AppConfig.ready``). A provider is a function
``provider(*, product_ids: list[int], products: list[Product], customer) -> dict[int, list[str]]``
that answers for all the products at once, in a fixed number of queries (the products come with
``category_id`` and ``manufacturer_id``, so it need not read them again); ``customer`` is the
logged-in shopper (``prices.shopper(request)``) or None, as for shelf prices: a customer's badges may
count promotions of their segments. A page calls ``badges_for`` once with every product it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

BadgeProvider = Callable[..., dict[int, list[str]]]

_providers: list[BadgeProvider] = []


def register(provider: BadgeProvider) -> BadgeProvider:
    """Add a provider (registering the same one twice keeps one). Returns it, so it can decorate."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: BadgeProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def registered() -> list[BadgeProvider]:
    """The providers, in order (a copy)."""
    return list(_providers)


def badges_for(products: Iterable, *, customer=None) -> dict[int, list[str]]:
    """Every product's badges, in provider order, without duplicates; ``[]`` for a product without any.

    Badges decorate a page: a provider that fails is logged and skipped rather than failing the
    catalog page with it.
    """
    products = list({p.pk: p for p in products}.values())
    ids = [p.pk for p in products]
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return found
    for provider in list(_providers):
        try:
            answer = provider(product_ids=ids, products=products, customer=customer)
        except Exception:
            logger.exception("Badge provider %r failed", provider)
            continue
        for pk, labels in answer.items():
            if pk in found:
                found[pk].extend(label for label in labels if label and label not in found[pk])
    return found
