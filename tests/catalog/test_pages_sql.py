"""SQL per page for a category's page and a product's page, anonymous and logged in, with promotions live
(a customer's segment promotions among them): the same at any page size or number of pictures (the
figures ``bench/storefront.py`` reports; the home page's and a search's are in ``test_pages_home`` and
``test_pages_catalog``)."""

from decimal import Decimal

import pytest
from django.db import connection
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
    browser = shopper if logged_in else client
    if logged_in:
        services.segment_members_set(segment=food.members, customers=[shopper.customer])
    for i in range(48):
        stocked_product(name=f"Item {i:02d}", category=food)
    path = food.get_absolute_url() if hasattr(food, "get_absolute_url") else f"/c/{food.slug}/"

    small = statements(browser, path, {"per_page": "12"})
    large = statements(browser, path, {"per_page": "48"})

    assert small == large
    assert large <= (30 if logged_in else 25)


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_product_page_costs_the_same_with_one_picture_or_six(client, shopper, food, logged_in):
    browser = shopper if logged_in else client
    if logged_in:
        services.segment_members_set(segment=food.members, customers=[shopper.customer])
    one, six = stocked_product(name="One", category=food), stocked_product(name="Six", category=food)
    add_picture(one, width=200, height=150)
    for _ in range(6):
        add_picture(six, width=200, height=150)

    assert statements(browser, one.get_absolute_url()) == statements(browser, six.get_absolute_url())
    assert statements(browser, six.get_absolute_url()) <= (35 if logged_in else 30)
