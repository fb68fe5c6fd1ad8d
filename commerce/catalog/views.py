"""The shop's catalog pages: server-rendered, usable without JavaScript.

Views stay thin: the form checks the shopper's input, selectors answer the queries, and the
journey module records what the shopper did. A list page costs a fixed number of queries
whatever its page size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views import View

from commerce.accounts.access import can_view_stock_details
from commerce.audit.journey import JourneyAction, journey_record_for_request
from commerce.catalog import prices, product_cards, selectors, shelves
from commerce.catalog.badges import badges_for
from commerce.catalog.errors import ProductNotFound
from commerce.catalog.forms import DEFAULT_PAGE_SIZE, ORDERINGS, RELEVANCE, ProductFilterForm
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD, MAX_QUANTITY
from commerce.catalog.models import Category, Manufacturer
from commerce.catalog.product_sections import sections_for
from commerce.catalog.search import query as search


@dataclass
class CategoryNode:
    """A category in the navigation tree, with whether it is the current one or leads to it."""

    category: Category
    current: bool = False
    open: bool = False
    children: list[CategoryNode] = field(default_factory=list)


def category_nodes(categories: list[Category], current: Category | None) -> list[CategoryNode]:
    """Nest the flat tree-ordered list (as ``category_tree`` returns it) without more queries."""
    roots: list[CategoryNode] = []
    stack: list[CategoryNode] = []
    for category in categories:
        node = CategoryNode(
            category=category,
            current=current is not None and category.pk == current.pk,
            open=current is not None and current.path.startswith(category.path),
        )
        while stack and stack[-1].category.depth >= category.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def plain_decimal(value: Decimal) -> str:
    """1.500 -> "1.5", 10.000 -> "10": a measurement without trailing zeros (or exponents)."""
    return f"{value.normalize():f}"


def category_trail(categories: list[Category], current: Category | None) -> list[Category]:
    """The current category and its ancestors, root first: the breadcrumb."""
    if current is None:
        return []
    return [c for c in categories if current.path.startswith(c.path)]


@dataclass
class HomeSections:
    """What the home page shows above the product list: featured categories and products, new arrivals."""

    categories: list[Category]
    featured: list
    new: list


class ProductListView(View):
    """The catalog home, and a category's page when ``slug`` names one."""

    template_name = "catalog/product_list.html"

    def get(self, request, slug: str | None = None):
        categories = selectors.category_tree()
        manufacturers = list(Manufacturer.objects.only("id", "name", "slug"))
        data = request.GET.copy()
        data.setdefault("per_page", str(DEFAULT_PAGE_SIZE))
        if slug is not None:
            current = next((c for c in categories if c.slug == slug), None)
            if current is None:
                raise Http404("No such category.")
            data["category"] = slug  # the page's own category wins over a stray parameter
        form = ProductFilterForm(data, categories=categories, manufacturers=manufacturers)
        form.is_valid()
        # With bad input the form shows its errors; only the fields that are valid filter.
        filters = form.cleaned_data
        category = filters.get("category")
        manufacturer = filters.get("manufacturer")
        query = filters.get("q") or ""
        searched = search.search_interpret(query) if query else None
        sort = filters.get("sort") or "name"
        if sort == RELEVANCE and searched is None:
            sort = "name"  # nothing to rank by (an over-long search is refused, not searched)

        products = selectors.with_images(selectors.product_list(
            category=category,
            manufacturer_id=manufacturer.pk if manufacturer else None,
            search=searched,
            min_price=filters.get("min_price"),
            max_price=filters.get("max_price"),
            in_stock=True if filters.get("in_stock") else None,
        ).order_by(*(search.RELEVANCE if sort == RELEVANCE else ORDERINGS[sort])))
        paginator = Paginator(products, filters.get("per_page") or DEFAULT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))

        # Paging through results is not a new search: only the first page counts as one.
        if query and page.number == 1:
            details = {"query": query, "results": paginator.count}
            if searched.corrected:
                details["corrected"] = searched.corrected
            journey_record_for_request(request, JourneyAction.PRODUCT_SEARCH, details=details)
        page_products = list(page.object_list)
        fallback = None
        if searched is not None and not page_products:
            # An empty search offers something: products matching some words, or popular ones.
            fallback = search.search_fallback(
                searched, queryset=selectors.with_images(selectors.product_queryset()), categories=categories,
                popular_ids=search.popular_product_ids(),
            )
        # The home page (bare: no search, category, maker, filter or page): merchandised sections above the list,
        # and room for other apps' shelves (promotions' offers, recommendations), as for an empty search.
        home = None
        # Only the bare home page: a shopper who sorts, filters or pages is browsing the list.
        bare = not any(value for name, value in request.GET.items())
        if bare and searched is None and category is None and not manufacturer and page.number == 1:
            home = HomeSections(
                categories=[c for c in categories if c.is_featured],
                featured=list(selectors.with_images(selectors.featured_products())),
                new=list(selectors.with_images(selectors.new_arrivals())),
            )
            shelves_shown = shelves.shelves_for(shelves.HOME, request=request)
        elif searched is not None and not page_products:
            shelves_shown = shelves.shelves_for(shelves.SEARCH_EMPTY, request=request, category=category, query=query)
        else:
            shelves_shown = []
        # One badge lookup, and one card-extras lookup, for every product the page shows (each loaded once, here).
        shown = page_products + (fallback.related + fallback.popular if fallback else []) + (home.featured + home.new if home else [])
        badges = badges_for(product.pk for product in shown)
        for product in shown:
            product.badges = badges[product.pk]
        product_cards.annotate(shown)
        prices.annotate(shown, customer=prices.shopper(request))  # a customer's segments count, as in their cart

        return render(
            request,
            self.template_name,
            {
                "form": form,
                "page": page,
                "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                "sort": sort,
                "sort_choices": [(v, label) for v, label in form.fields["sort"].choices if query or v != RELEVANCE],
                "products": page_products,
                "search": searched,
                "fallback": fallback,
                "shelves": shelves_shown,
                "home": home,
                "result_count": paginator.count,
                "query": query,
                "category": category,
                "trail": category_trail(categories, category),
                "tree": category_nodes(categories, category),
                "low_stock_threshold": LOW_STOCK_THRESHOLD,
            },
        )


class ProductDetailView(View):
    template_name = "catalog/product_detail.html"

    def get(self, request, slug: str):
        try:
            product = selectors.product_get(slug=slug, alert_of=request.user)
        except ProductNotFound:
            raise Http404("No such product.")
        journey_record_for_request(request, JourneyAction.PRODUCT_VIEW, product_id=product.pk)
        trail = [*Category.objects.get_ancestors(product.category), product.category]
        sections, structured = sections_for(request=request, product=product)
        # Exact stock is for staff: a shopper sees "only N left" below the threshold, and the
        # quantity field's bound does not give the count away either.
        staff_view = can_view_stock_details(request.user)
        exact = staff_view or product.available <= LOW_STOCK_THRESHOLD
        prices.annotate([product], customer=prices.shopper(request))
        return render(
            request,
            self.template_name,
            {
                "product": product,
                "images": list(product.images.all()),
                "badges": badges_for([product.pk])[product.pk],
                "manufacturer": product.manufacturer,
                "trail": trail,
                "weight_kg": plain_decimal(product.weight_kg) if product.weight_kg else "",
                "volume_l": plain_decimal(product.volume_l) if product.volume_l else "",
                "low_stock_threshold": LOW_STOCK_THRESHOLD,
                "staff_stock": product.available if staff_view else None,
                "quantity_max": product.available if exact else MAX_QUANTITY,
                "sections": sections,
                "my_alert_email": getattr(product, "my_alert_email", None),
                "product_ld": product_structured_data(request, product, structured),
            },
        )


def product_structured_data(request, product, extra: dict) -> str:
    """The page's one schema.org ``Product`` as JSON-LD, with what the product sections add
    (``aggregateRating``, ``review``); safe inside ``<script>`` (``<``, ``>``, ``&`` escaped)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.code,
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "brand": {"@type": "Brand", "name": product.manufacturer.name},
        "category": product.category.name,
        "offers": {
            "@type": "Offer",
            "price": str(product.shelf_price.amount),
            "priceCurrency": product.shelf_price.currency,
            "availability": "https://schema.org/InStock" if (product.available or 0) > 0 else "https://schema.org/OutOfStock",
            "url": request.build_absolute_uri(product.get_absolute_url()),
        },
    }
    if product.description:
        data["description"] = product.description
    data.update(extra)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S308 (escaped as json_script does)
