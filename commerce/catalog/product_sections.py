"""Product page sections: what other apps show on a product's page, and say about it in JSON-LD.

The catalog is core and never imports a subdomain app, so an app with something to show on the
product page (reviews and their rating summary, questions and answers, official content) registers
a provider here in its ``AppConfig.ready``::

    product_sections.register("reviews", reviews_section, order=10)

A provider is ``provider(*, request, product) -> ProductSection | None``. It renders its own HTML
(with its own template, escaping as Django templates do) in a fixed number of queries, and may add
keys to the page's schema.org ``Product`` object (``aggregateRating``, ``review``): the catalog
writes one JSON-LD ``Product`` per page, so nested data stays nested correctly. ``None`` shows
nothing. Sections appear in ``order``, then name.

A provider that raises is a bug in that app: it is logged and its section left out, so one app's
failure never takes the product page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProductSection:
    html: SafeString  # rendered by the providing app (render_to_string escapes what it shows)
    structured_data: dict = field(default_factory=dict)  # keys merged into the page's JSON-LD Product


SectionProvider = Callable[..., "ProductSection | None"]


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


def registered() -> list[str]:
    """The providers' names, in page order."""
    return [r.name for r in sorted(_providers.values(), key=lambda r: (r.order, r.name))]


def sections_for(*, request, product) -> tuple[list[ProductSection], dict]:
    """The product page's sections in order, and the JSON-LD keys they add (later ones win a clash)."""
    sections, structured = [], {}
    for entry in sorted(_providers.values(), key=lambda r: (r.order, r.name)):
        try:
            section = entry.provider(request=request, product=product)
        except Exception:
            logger.exception("product section %r failed for product %s; left out", entry.name, product.pk)
            continue
        if section is not None:
            sections.append(section)
            structured.update(section.structured_data)
    return sections, structured
