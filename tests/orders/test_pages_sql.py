"""SQL per page for the checkout and order pages (the cart page's is in ``test_pages_cart``): a fixed
number of statements, the same for one line as for ten, for a customer and for a guest, with promotions
live (the figures ``bench/storefront.py`` reports)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.guests import Guest, order_link_token
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from tests.orders.factories import filled_cart, placed_order, stocked_product
from tests.orders.test_guest_checkout import ADDRESS, _guest_order
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


def statements(client, path: str) -> int:
    client.get(path)  # warm: the rules cache, the session, the shelves computed once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.fixture
def promotions_live(settings):
    settings.PROMOTIONS_RULES_CACHE = True  # as in production
    PromotionFactory(discount_class="product", percent=Decimal("10"), usage_limit=1000)
    PromotionFactory(name="3 for 2", buy_x_get_y=True, badge="3 for 2")


@pytest.mark.usefixtures("promotions_live")
def test_the_checkout_page_costs_the_same_for_one_line_as_for_ten(shopper):
    products = [stocked_product() for _ in range(10)]
    filled_cart(shopper.customer, [(products[0], 1)])
    one = statements(shopper, CHECKOUT)
    filled_cart(shopper.customer, [(product, 2) for product in products[1:]])
    ten = statements(shopper, CHECKOUT)

    assert one == ten
    assert ten <= 30


@pytest.mark.usefixtures("promotions_live")
def test_the_guest_checkout_page_costs_the_same_for_one_line_as_for_ten(client):
    products = [stocked_product() for _ in range(10)]
    client.post(reverse("orders:cart_add"), {"product_id": products[0].pk, "quantity": 1})
    one = statements(client, CHECKOUT)
    for product in products[1:]:
        client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": 1})
    ten = statements(client, CHECKOUT)

    assert one == ten
    assert ten <= 30


@pytest.mark.usefixtures("promotions_live")
def test_the_order_page_costs_the_same_for_one_line_as_for_ten(shopper):
    products = [stocked_product() for _ in range(10)]
    small = placed_order([(products[0], 1)], customer=shopper.customer, address=shopper.address)
    large = placed_order([(product, 1) for product in products], customer=shopper.customer, address=shopper.address)

    one = statements(shopper, reverse("orders:order_detail", args=[small.number]))
    ten = statements(shopper, reverse("orders:order_detail", args=[large.number]))

    assert one == ten
    assert ten <= 30


@pytest.mark.usefixtures("promotions_live")
def test_a_guests_order_page_costs_the_same_for_one_line_as_for_ten(client):
    products = [stocked_product() for _ in range(10)]
    small = _guest_order(products[0], token="sql-one")
    cart = cart_services.cart_get_or_create(session_key="sql-ten")
    for product in products:
        cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    large = checkout_place_and_pay(guest=Guest(email="ann@example.com", token="sql-ten"), guest_address=dict(ADDRESS),
                                   payment_method="cod")

    def page(order) -> str:
        return reverse("orders:guest_order", args=[order_link_token(number=order.number, email="ann@example.com")])

    one, ten = statements(client, page(small)), statements(client, page(large))

    assert large.lines.count() == 10
    assert one == ten
    assert ten <= 30
