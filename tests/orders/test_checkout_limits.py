"""Checkout submits are limited per client: on the page (``ORDERS_CHECKOUTS_PER_HOUR``, per client
address, customers and guests alike) and over REST (DRF's ``checkout`` scope, per user). Over the
limit the shopper gets the checkout with the reason (429) and nothing is placed or charged."""

import pytest
from django.test import Client
from django.urls import reverse

from commerce.catalog.inventory import available_quantities
from orders.models import Cart, CartLine, IdempotencyRecord, Order, Payment, SandboxCharge
from orders.views import TOO_MANY_CHECKOUTS
from tests.factories import token_client
from tests.orders.factories import (
    API_DECLINED_CARD,
    API_GOOD_CARD,
    CARD_EXP_YEAR,
    checkout_body,
    checkout_form_data,
    customer_with_address,
    filled_cart,
    hidden_input,
    placed_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")
DECLINED = "4000 0000 0000 0002"


def state():
    """What a refused submit must leave as it was."""
    return (
        list(Order.objects.order_by("id").values_list("number", "status")),
        list(CartLine.objects.order_by("id").values_list("cart_id", "product_id", "quantity")),
        list(Cart.objects.order_by("id").values_list("id", "status")),
        Payment.objects.count(), SandboxCharge.objects.count(), IdempotencyRecord.objects.count(),
    )


def test_the_checkout_page_refuses_a_client_over_its_hourly_submits_and_changes_nothing(shopper, settings):
    # given: a limit of 2 submits an hour, used up by two declined cards
    settings.ORDERS_CHECKOUTS_PER_HOUR = 2
    mug = stocked_product(price="12.00", quantity=10)
    filled_cart(shopper.customer, [(mug, 2)])
    for _ in range(2):
        assert "The card was declined." in shopper.post(CHECKOUT, checkout_form_data(shopper, card_number=DECLINED)).content.decode()
    before = state()

    # when: the third submit, with a good card
    response = shopper.post(CHECKOUT, checkout_form_data(shopper))

    # then: the checkout again with the reason, a 429; no order, no charge, the cart as it was
    html = response.content.decode()
    assert response.status_code == 429 and TOO_MANY_CHECKOUTS in html
    assert 'name="card_number"' in html and "4242" not in html.split('name="card_number"')[1][:80]
    assert state() == before and not Order.objects.filter(status="paid").exists()
    assert available_quantities([mug.pk]) == {mug.pk: 10}


def test_the_page_limit_counts_per_client_address_guests_included(shopper, settings):
    settings.ORDERS_CHECKOUTS_PER_HOUR = 1
    filled_cart(shopper.customer, [(stocked_product(price="5.00"), 1)])
    assert shopper.post(CHECKOUT, {"payment_method": "card"}).status_code == 200  # bad input counts as a submit
    assert shopper.post(CHECKOUT, {"payment_method": "card"}).status_code == 429

    # A guest at the same address is over the limit too; another address is not.
    guest = Client()
    guest.post(reverse("orders:cart_add"), {"product_id": stocked_product().pk, "quantity": 1})
    assert guest.post(CHECKOUT, {"email": "ann@example.com", "payment_method": "cod"}).status_code == 429
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    elsewhere.post(reverse("orders:cart_add"), {"product_id": stocked_product().pk, "quantity": 1})
    answer = elsewhere.post(CHECKOUT, {"email": "ann@example.com", "payment_method": "cod"})
    assert answer.status_code == 200 and TOO_MANY_CHECKOUTS not in answer.content.decode()


def test_the_rest_checkout_is_throttled_per_user_and_changes_nothing(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checkout": "2/hour"}}
    customer, address = customer_with_address()
    client = token_client(customer)
    filled_cart(customer, [(stocked_product(price="12.00"), 1)])
    answers = [client.post("/api/v1/checkout/", checkout_body(address, card=API_DECLINED_CARD), format="json").status_code
               for _ in range(2)]
    assert answers == [402, 402]
    before = state()

    response = client.post("/api/v1/checkout/", checkout_body(address), format="json")

    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert state() == before
    other, other_address = customer_with_address()
    filled_cart(other, [(stocked_product(price="3.00"), 1)])
    assert token_client(other).post("/api/v1/checkout/", checkout_body(other_address), format="json").status_code == 201


def test_paying_an_order_again_counts_with_the_checkouts_on_the_page_and_over_rest(shopper, settings):
    # given: a pending card order and room for one card attempt an hour
    settings.ORDERS_CHECKOUTS_PER_HOUR = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checkout": "1/hour"}}
    order = placed_order([(stocked_product(price="20.00"), 1)], customer=shopper.customer, address=shopper.address)
    url = reverse("orders:order_pay", args=[order.number])

    def pay(number):
        key = hidden_input(shopper.get(url).content.decode(), "idempotency_key")
        return shopper.post(url, {"card_number": number, "exp_month": "12", "exp_year": str(CARD_EXP_YEAR), "cvc": "123",
                                  "idempotency_key": key})

    # when: a declined card, then a good one, on the page; then the same over REST
    assert "The card was declined." in pay(DECLINED).content.decode()
    refused = pay("4242 4242 4242 4242")
    api = token_client(shopper.customer)
    answers = [api.post(f"/api/v1/orders/{order.number}/pay/", {"card": card}, format="json").status_code
               for card in (API_DECLINED_CARD, API_GOOD_CARD)]

    # then: the second attempt of each is refused and nothing is charged
    assert refused.status_code == 429 and TOO_MANY_CHECKOUTS in refused.content.decode()
    assert answers == [402, 429]
    order.refresh_from_db()
    assert order.status == "pending" and not SandboxCharge.objects.exists()
