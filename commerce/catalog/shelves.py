"""Shelves: lists of products another app shows on the catalog's and the cart's pages.

The catalog (core) and orders never import the recommendations app, so a page that has room for a
shelf (the home page, an empty search's results, the cart) asks this port for the shelves of its
place, and an app registers providers for them in its ``AppConfig.ready``::

    shelves.register(shelves.HOME, home_shelves)

A provider is ``provider(*, request, **context) -> list[SafeString]`` and renders its own HTML (its
own template, escaped as Django templates do). The context is the place's: ``HOME`` none,
``SEARCH_EMPTY`` ``category`` (a ``Category`` or None) and ``query``, ``CART`` ``product_ids`` (the
cart's products in line order). Without a provider a place shows nothing. A provider that raises is
a bug in that app: it is logged and left out, so one app's failure never takes a page down.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

from django.utils.safestring import SafeString

from commerce.registry import Registry

HOME = "home"
SEARCH_EMPTY = "search_empty"
CART = "cart"
PLACES = (HOME, SEARCH_EMPTY, CART)

ShelfProvider = Callable[..., "list[SafeString]"]
_logger = logging.getLogger(__name__)
places: dict[str, Registry[ShelfProvider]] = {place: Registry(f"shelf provider on {place}", logger=_logger) for place in PLACES}
_registered = itertools.count()  # the order of a place's shelves is the order of registration


def register(place: str, provider: ShelfProvider, *, name: str | None = None) -> ShelfProvider:
    """Add (or replace, by name) a provider for a place. Returns it, so it can decorate."""
    if place not in PLACES:
        raise ValueError(f"Unknown shelf place {place!r}: one of {', '.join(PLACES)}")
    return places[place].register(name or f"{provider.__module__}.{provider.__qualname__}", provider, order=next(_registered))


def unregister(place: str, name: str) -> None:
    places[place].unregister(name)


def shelves_for(place: str, *, request, **context) -> list[SafeString]:
    """The place's shelves, in the order their providers were registered."""
    return [shelf for _name, shown in places[place].answers(request=request, **context) for shelf in shown]
