"""Order page sections: what other apps show on an order's page (logistics: the delivery, its
window, the estimated arrival and the tracking link).

Orders imports no other subdomain app, so an app with something to show on the order page
registers a provider here in its ``AppConfig.ready``::

    order_sections.register("delivery", delivery_section, order=10)

A provider is ``provider(*, request, order) -> SafeString | None``: it renders its own HTML (with
its own template, escaping as Django templates do) in a fixed number of queries; ``None`` shows
nothing. The page shows the sections in ``order``, then name. A provider that raises is a bug in
that app: it is logged and its section left out, so one app's failure never takes the order page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

SectionProvider = Callable[..., "SafeString | None"]


@dataclass(frozen=True)
class _Registered:
    name: str
    order: int
    provider: SectionProvider


_providers: dict[str, _Registered] = {}


def register(name: str, provider: SectionProvider, *, order: int = 100) -> SectionProvider:
    """Add (or replace, by name) a section provider. Returns it, so it can decorate."""
    _providers[name] = _Registered(name=name, order=order, provider=provider)
    return provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def sections_for(*, request, order) -> list[SafeString]:
    """The order page's sections from other apps, in order."""
    sections = []
    for entry in sorted(_providers.values(), key=lambda r: (r.order, r.name)):
        try:
            html = entry.provider(request=request, order=order)
        except Exception:
            logger.exception("order section %r failed for order %s; left out", entry.name, order.number)
            continue
        if html:
            sections.append(html)
    return sections
