"""SQL per page for the home page, a category's page and a product's page, as a guest and logged in, with
promotions live (a customer's segment promotions among them): the same at any page size, number of
pictures or of products on the home's shelves, and exactly the counts below, so that a statement added
fails here (the figures ``bench/storefront.py`` reports; a search's are in ``test_pages_search``)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from promotions import services
from tests.catalog.factories import add_picture
from tests.factories import category
from tests.orders.factories import stocked_product
from tests.promotions.factories import PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def statements(client, path: str, params=None) -> int:
    client.get(path, params)  # warm: the rules cache, the session, the shelves computed once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.fixture
def food(settings):
    settings.PROMOTIONS_RULES_CACHE = True  # as in production
    food = category("Food")
    segment = SegmentFactory()
    PromotionFactory(discount_class="product", percent=Decimal("10"), categories=[food], usage_limit=1000)
    PromotionFactory(discount_class="product", percent=Decimal("5"), categories=[food], segments=[segment])
    PromotionFactory(name="3 for 2", buy_x_get_y=True, badge="3 for 2", categories=[food])
    food.members = segment
    return food


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_category_page_costs_the_same_at_any_page_size(client, shopper, food, logged_in):
    browser = shopper if logged_in else Client()  # ``shopper`` logs ``client`` in: a guest needs their own
    if logged_in:
        services.segment_members_set(segment=food.members, customers=[shopper.customer])
    for i in range(48):
        stocked_product(name=f"Item {i:02d}", category=food)
    path = food.get_absolute_url() if hasattr(food, "get_absolute_url") else f"/c/{food.slug}/"

    small = statements(browser, path, {"per_page": "12"})
    large = statements(browser, path, {"per_page": "48"})

    assert small == large
    # the session, the count, the page and its pictures, the cards' ratings; a customer: their user, their
    # segments, the promotions' counters (per customer), the cart badge
    assert large == (9 if logged_in else 5)


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_product_page_costs_the_same_with_one_picture_or_six(client, shopper, food, logged_in):
    browser = shopper if logged_in else Client()  # ``shopper`` logs ``client`` in: a guest needs their own
    if logged_in:
        services.segment_members_set(segment=food.members, customers=[shopper.customer])
    one, six = stocked_product(name="One", category=food), stocked_product(name="Six", category=food)
    add_picture(one, width=200, height=150)
    for _ in range(6):
        add_picture(six, width=200, height=150)

    assert statements(browser, one.get_absolute_url()) == statements(browser, six.get_absolute_url())
    assert statements(browser, six.get_absolute_url()) == (17 if logged_in else 12)


def home_shop(food, n: int, *, customer=None) -> None:
    """``n`` more products on every shelf of the home: featured, new, on offer (food), trending (viewed by
    others), and for ``customer`` recently viewed, for them, and in their cart."""
    from commerce.catalog.services import product_update
    from tests.orders.factories import filled_cart
    from tests.recommendations.serving_factories import view

    products = [stocked_product(name=f"Shelf {n}-{i}", category=food) for i in range(n)]
    for product in products:
        product_update(product=product, data={"is_featured": True})
        for session in ("a", "b"):
            view(product, session_id=f"{session}{n}")
        if customer is not None:
            view(product, customer=customer)
    if customer is not None:
        filled_cart(customer, [(products[0], 1)])


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_home_page_costs_the_same_with_two_products_a_shelf_or_eight(client, shopper, food, logged_in):
    """The home page's statements, once its menu, rules and shelves' lists are cached: the list (count,
    page, pictures), the featured and new products (one query and their pictures), the session, the
    promotions' counters (once for every shelf), the offers shelf's products and pictures, the cards'
    ratings (list, offers), the recommendation shelves' products and pictures, the cart badge and the
    shown lists' INSERT; a customer adds their user, their second shelf (products, pictures) and the
    INSERT's transaction. No statement per product: the same with 2 or 8 products on each shelf."""
    browser = shopper if logged_in else Client()  # ``shopper`` logs ``client`` in: a guest needs their own
    customer = shopper.customer if logged_in else None
    if logged_in:
        services.segment_members_set(segment=food.members, customers=[shopper.customer])
    home_shop(food, 2, customer=customer)
    few = statements(browser, "/")
    home_shop(food, 6, customer=customer)
    statements(browser, "/")  # the new products changed the cached lists: read again once
    many = statements(browser, "/")
    html = browser.get("/").content.decode()

    assert html.count("Shelf 6-") >= 6  # the shelves show the new products
    assert ("Recently viewed" in html) is logged_in and ("Trending now" in html) is not logged_in
    assert few == many
    assert many == (17 if logged_in else 13)
