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

from django.utils.safestring import SafeString

from commerce.registry import Registry

SectionProvider = Callable[..., "SafeString | None"]
providers: Registry[SectionProvider] = Registry("order section", logger=logging.getLogger(__name__))
register, unregister = providers.register, providers.unregister


def sections_for(*, request, order) -> list[SafeString]:
    """The order page's sections from other apps, in order."""
    return [html for _name, html in providers.answers(request=request, order=order, about=f"for order {order.number}") if html]
