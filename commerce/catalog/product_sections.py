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

from commerce.registry import Registry


@dataclass(frozen=True)
class ProductSection:
    html: SafeString  # rendered by the providing app (render_to_string escapes what it shows)
    structured_data: dict = field(default_factory=dict)  # keys merged into the page's JSON-LD Product


SectionProvider = Callable[..., "ProductSection | None"]
providers: Registry[SectionProvider] = Registry("product section", logger=logging.getLogger(__name__))
register, unregister, registered = providers.register, providers.unregister, providers.names


def sections_for(*, request, product) -> tuple[list[ProductSection], dict]:
    """The product page's sections in order, and the JSON-LD keys they add (later ones win a clash)."""
    sections, structured = [], {}
    for _name, section in providers.answers(request=request, product=product, about=f"for product {product.pk}"):
        if section is not None:
            sections.append(section)
            structured.update(section.structured_data)
    return sections, structured
