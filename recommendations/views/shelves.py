"""Recommendation shelves on the pages, and the link a shown product carries.

The product page's "similar" and "bought together" sections are ``product_sections`` providers; the
home page, an empty search's results and the cart get theirs through the catalog's ``shelves`` port.
Every shelf is an ordinary list of links (no JavaScript): each goes through
``recommendation_click`` (``/recommendations/r/<list id>/<product id>/``), which records the click
on the list served and redirects to the product. A shelf shown is a list served with
``impressed_at`` set (its impression), written with the request's other lists in one INSERT.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from commerce.catalog import prices
from commerce.catalog.errors import ProductNotFound
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD
from commerce.catalog.product_sections import ProductSection
from commerce.catalog.selectors import product_get
from commerce.errors import DomainError
from recommendations.services.serving import recommendation_click_track
from recommendations.serving.serve import NO_CONTEXT, Context, Served, recommendations_serve
from recommendations.serving.shopper import shopper_from_request

TITLES = {
    "home_for_you": "Recommended for you",
    "home_trending": "Trending now",
    "home_recently_viewed": "Recently viewed",
    "product_similar": "Similar products",
    "product_bought_together": "Frequently bought together",
    "cart_bought_together": "Goes well with your cart",
}


def _render(served: Served, title: str, request=None) -> SafeString | None:
    if not served.products:
        return None
    prices.annotate(served.products, customer=prices.shopper(request))  # one look-up per shelf: the price a shopper pays, as on the catalog's cards
    return render_to_string("recommendations/shelves/shelf.html",
                            {"served": served, "title": title, "low_stock_threshold": LOW_STOCK_THRESHOLD}, request=request)


def _shelf(request, placement: str, context: Context = NO_CONTEXT, title: str = "") -> SafeString | None:
    served = recommendations_serve(placement=placement, shopper=shopper_from_request(request),
                                   context=context, images=True)
    return _render(served, title or TITLES.get(placement, ""), request)


def similar_section(*, request, product) -> ProductSection | None:
    html = _shelf(request, "product_similar", Context(product_id=product.pk))
    return ProductSection(html=html) if html else None


def bought_together_section(*, request, product) -> ProductSection | None:
    html = _shelf(request, "product_bought_together", Context(product_id=product.pk))
    return ProductSection(html=html) if html else None


def home_shelves(*, request) -> list[SafeString]:
    """A customer's "for you" (what is trending for everyone else), then what they viewed lately."""
    first = "home_for_you" if request.user.is_authenticated else "home_trending"
    shown = [_shelf(request, first), _shelf(request, "home_recently_viewed")]
    return [html for html in shown if html]


def search_empty_shelves(*, request, category=None, query: str = "") -> list[SafeString]:
    title = f"Popular in {category.name}" if category is not None else "Popular right now"
    html = _shelf(request, "search_popular", Context(category_id=category.pk if category else None), title)
    return [html] if html else []


def cart_shelves(*, request, product_ids: list[int]) -> list[SafeString]:
    if not product_ids:
        return []
    html = _shelf(request, "cart_bought_together", Context(product_ids=tuple(product_ids)))
    return [html] if html else []


def recommendation_click(request, list_id: uuid.UUID, product_id: int):
    """A shown product's link: record the click on the shopper's list, then go to the product. A list
    that is not the shopper's (a shared link) or does not hold the product records nothing."""
    try:
        product = product_get(pk=product_id)
    except ProductNotFound:
        raise Http404("No such product.")
    try:
        recommendation_click_track(list_id=list_id, product_id=product.pk, shopper=shopper_from_request(request))
    except DomainError:
        pass
    return HttpResponseRedirect(product.get_absolute_url())
