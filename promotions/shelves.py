"""The home page's "On offer now" shelf (``commerce.catalog.shelves.HOME``): the live automatic
promotions anyone gets, by name and badge, and products they lower without conditions, each card
priced as the cart prices it (``commerce.catalog.prices``). Registered in ``PromotionsConfig.ready``.

From the compiled rules (cached): nothing and no query while no automatic promotion is live; else
one query for the products (plus their pictures, badges, card extras and prices, each once).
"""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from commerce.catalog import prices, product_cards, selectors
from commerce.catalog.badges import badges_for
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD
from commerce.catalog.models import Category
from promotions.selectors.rules import engine_rules
from promotions.selectors.shopper import unconditional

SHELF_SIZE = 8


def _open_to_all(rule, now) -> bool:
    return (not rule.requires_coupon and not rule.segment_ids
            and (rule.valid_from is None or rule.valid_from <= now) and (rule.valid_to is None or now < rule.valid_to))


def offers_shelf(*, request) -> list[SafeString]:
    now = timezone.now()
    compiled = engine_rules()
    live = sorted((r for r in compiled.rules if _open_to_all(r, now)), key=lambda r: (-r.priority, r.id))
    if not live:
        return []
    lowering = [r for r in live if unconditional(r, now)]
    products = []
    if lowering:
        if any(not (r.product_ids or r.category_ids or r.manufacturer_ids) for r in lowering):
            targets = Q()  # one lowers every product
        else:
            category_ids = set().union(*(r.category_ids for r in lowering))
            paths = list(Category.objects.filter(pk__in=category_ids).values_list("path", flat=True)) if category_ids else []
            targets = Q(pk__in=set().union(*(r.product_ids for r in lowering)))
            targets |= Q(manufacturer_id__in=set().union(*(r.manufacturer_ids for r in lowering)))
            for path in paths:
                targets |= Q(category__path__startswith=path)
        candidates = list(selectors.with_images(
            selectors.product_queryset().filter(targets, available__gt=0).order_by("-created_at", "-id")
        )[: SHELF_SIZE * 2])
        prices.annotate(candidates, customer=prices.shopper(request))
        products = [p for p in candidates if p.was_price is not None][:SHELF_SIZE]
        badges = badges_for(p.pk for p in products)
        for product in products:
            product.badges = badges[product.pk]
        product_cards.annotate(products)
    offers = [(r.name, compiled.badges.get(r.id, "")) for r in live]
    return [render_to_string("promotions/home_offers.html", {
        "offers": offers, "products": products, "low_stock_threshold": LOW_STOCK_THRESHOLD,
    }, request=request)]
