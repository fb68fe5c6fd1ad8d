"""Guests' orders in the facts other apps read: counted where an order counts whoever placed it (sales,
purchase counts, baskets for bought-together pairs), left out where a customer is needed (segments, the
recommender's per-customer history) until the guest claims them."""

import datetime

import pytest
from django.utils import timezone

from orders import selectors
from orders.services.guests import guest_orders_claim
from recommendations.serving.bought_together import count_pairs
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product
from tests.orders.test_guest_checkout import _guest_order

pytestmark = pytest.mark.django_db


def _guest_basket(*products, email="ann@example.com"):
    from orders.services import cart as cart_services
    from orders.services.checkout import checkout_place_and_pay
    from tests.orders.test_guest_checkout import ADDRESS, Guest

    token = f"basket-{products[0].pk}"
    cart = cart_services.cart_get_or_create(session_key=token)
    for product in products:
        cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    return checkout_place_and_pay(guest=Guest(email=email, token=token), guest_address=dict(ADDRESS), payment_method="cod")


def test_guest_orders_count_in_sales_purchase_counts_and_baskets():
    coffee, filters = stocked_product(), stocked_product()
    order = _guest_basket(coffee, filters)
    since = timezone.now() - datetime.timedelta(days=1)

    assert dict(selectors.product_purchase_counts(since=since)) == {coffee.pk: 1, filters.pk: 1}
    orders, singles, pairs = count_pairs(selectors.purchased_baskets(since=since))
    assert (orders, pairs[tuple(sorted((coffee.pk, filters.pk)))]) == (1, 1)  # the guest's basket pairs them
    today = timezone.localdate()
    [day] = selectors.sales_by_day(date_from=today, date_to=today)
    assert day.orders == 1 and day.revenue == order.total_amount


def test_guest_orders_are_nobodys_history_until_claimed():
    product = stocked_product()
    _guest_order(product, email="ann@example.com")
    since = timezone.now() - datetime.timedelta(days=1)
    assert list(selectors.purchased_lines(since=since)) == []
    assert selectors.customer_purchase_facts() == {}

    ann = CustomerFactory(email="ann@example.com")
    guest_orders_claim(customer=ann, email="ann@example.com")

    assert [line[:3] for line in selectors.purchased_lines(since=since)] == [(ann.pk, product.pk, 1)]
    assert selectors.customer_purchase_facts()[ann.pk].orders == 1
    assert selectors.customer_has_orders(customer_id=ann.pk)
