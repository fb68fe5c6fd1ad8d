"""The merchandised home: featured categories and products set in the back office, the current
offers (promotions' shelf), new arrivals, then the full list; a fixed number of queries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.catalog.services import category_update, product_update
from tests.factories import category
from tests.orders.factories import stocked_product

pytestmark = pytest.mark.django_db

HOME = reverse("catalog:product_list")


def section(html: str, element_id: str) -> str:
    found = re.search(rf'<section class="home-section" id="{element_id}".*?</section>', html, flags=re.S)
    return found.group(0) if found else ""


def test_the_home_shows_what_merchandisers_feature_the_offers_and_new_arrivals(client, settings):
    settings.PROMOTIONS_RULES_CACHE = False
    from tests.promotions.factories import PromotionFactory

    dairy = category("Dairy")
    category_update(category=dairy, data={"is_featured": True})
    category("Hidden aisle")
    old = stocked_product(name="Old Faithful")
    star = stocked_product(name="Star Cheese", category=dairy)
    product_update(product=star, data={"is_featured": True})
    fresh = stocked_product(name="Fresh Arrival", price="20.00")
    PromotionFactory(name="Spring sale", discount_class="product", targets=[fresh], badge="-10%")
    PromotionFactory(name="Dairy 3 for 2", buy_x_get_y=True, badge="3 for 2", categories=[dairy])

    html = client.get(HOME).content.decode()

    assert re.search(r'home-categories.*?>Dairy<', html, re.S) and "Hidden aisle</span>" not in html
    featured = section(html, "home-featured")
    assert "Star Cheese" in featured and "Old Faithful" not in featured
    offers = section(html, "home-offers")
    assert "Spring sale" in offers and "Dairy 3 for 2" in offers
    assert "Fresh Arrival" in offers and "18.00 EUR" in offers and "price-was" in offers
    assert "Star Cheese" not in offers  # 3 for 2 is a condition: listed by name, no struck price
    new = section(html, "home-new")
    assert new.index("Fresh Arrival") < new.index("Star Cheese") < new.index("Old Faithful")
    # the list follows, and searching or a category shows no home sections
    assert 'id="results-title"' in html
    assert "home-featured" not in client.get(HOME, {"q": "cheese"}).content.decode()
    assert "home-featured" not in client.get(reverse("catalog:category", args=[dairy.slug])).content.decode()
    assert old.is_featured is False


def test_the_home_costs_the_same_queries_with_more_featured_and_new_products(client, settings):
    settings.PROMOTIONS_RULES_CACHE = True
    from tests.promotions.factories import PromotionFactory

    food = category("Food")
    PromotionFactory(name="Food deal", discount_class="product", categories=[food], percent=Decimal("5"))
    for i in range(2):
        product_update(product=stocked_product(name=f"A{i}", category=food), data={"is_featured": True})
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for i in range(8):
        product_update(product=stocked_product(name=f"B{i}", category=food), data={"is_featured": True})
    client.get(HOME)  # the new makers changed the cached menu: the first request after a change reads it again
    with CaptureQueriesContext(connection) as many:
        html = client.get(HOME).content.decode()
    assert section(html, "home-featured").count('class="card"') == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_featured_is_set_in_the_back_office_through_the_service(client, admin_merchandiser):
    from commerce.audit.models import DomainEvent

    product = stocked_product(name="Pick Me")
    url = reverse("admin:catalog_product_changelist") + "?is_featured__exact=1"
    assert "Pick Me" not in client.get(url).content.decode()
    assert 'name="is_featured"' in client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    assert 'name="is_featured"' in client.get(reverse("admin:catalog_category_change", args=[product.category_id])).content.decode()
    product_update(product=product, data={"is_featured": True})
    assert "Pick Me" in client.get(url).content.decode()
    event = DomainEvent.objects.filter(event_type="catalog.product.updated").latest("id")
    assert event.payload["changes"]["is_featured"] == {"before": False, "after": True}


def test_seed_demo_features_categories_and_products_once(monkeypatch):
    import io

    from django.core.management import call_command

    from commerce.catalog.management.commands import seed_demo as seed_demo_command
    from commerce.catalog.models import Category, Product

    monkeypatch.setattr(seed_demo_command, "DEMO_STEPS", [])
    call_command("seed_demo", "--products", "60", "--customers", "2", stdout=io.StringIO())
    assert set(Category.objects.filter(is_featured=True).values_list("slug", flat=True)) == set(seed_demo_command.FEATURED_CATEGORIES)
    featured = Product.objects.filter(is_featured=True).count()
    assert featured >= 4  # one per aisle the 60-product demo has
    call_command("seed_demo", "--products", "60", "--customers", "2", stdout=io.StringIO())
    assert Product.objects.filter(is_featured=True).count() == featured
