"""Honest prices in the REST API: a product answer (list and detail) has what its card shows, priced by the
same provider as the pages (``price_now``, ``was_price``, ``offers``); a customer's segment promotions
count for them on the API, the cards, the product page and the cart alike; the list costs the same
queries at any page size."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promotions import services
from tests.factories import CustomerFactory, category, token_client
from tests.orders.factories import stocked_product
from tests.promotions.factories import PromotionFactory, SegmentFactory, redeem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]

LIST = "/api/v1/products/"


def by_name(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


def money(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


def test_list_and_detail_show_the_price_to_pay_the_regular_one_and_the_offers(api_client):
    food, drinks = category("Food"), category("Drinks")
    milk = stocked_product(name="Milk", price="12.50", category=food)
    stocked_product(name="Bread", price="3.00")
    juice = stocked_product(name="Juice", price="2.00", category=drinks)
    PromotionFactory(name="Food week", discount_class="product", percent=Decimal("20"), categories=[food], badge="-20%")
    PromotionFactory(name="3 for 2", buy_x_get_y=True, badge="3 for 2", categories=[drinks])

    rows = by_name(api_client.get(LIST))
    detail = api_client.get(f"/api/v1/products/{milk.pk}/").json()

    assert (rows["Milk"]["price"], rows["Milk"]["price_now"], rows["Milk"]["was_price"]) == (
        money("12.50"), money("10.00"), money("12.50"))
    assert rows["Milk"]["offers"] == ["-20%"]
    assert (rows["Bread"]["price_now"], rows["Bread"]["was_price"], rows["Bread"]["offers"]) == (money("3.00"), None, [])
    # a conditional offer: said by its label, the price of one unit unchanged
    assert (rows["Juice"]["price_now"], rows["Juice"]["was_price"], rows["Juice"]["offers"]) == (money("2.00"), None, ["3 for 2"])
    assert (detail["price_now"], detail["was_price"], detail["offers"]) == (money("10.00"), money("12.50"), ["-20%"])
    juice_detail = api_client.get(f"/api/v1/products/{juice.pk}/").json()
    assert (juice_detail["price_now"], juice_detail["was_price"], juice_detail["offers"]) == (money("2.00"), None, ["3 for 2"])


def test_the_api_and_the_card_agree(api_client, client):
    milk = stocked_product(name="Milk", price="8.00")
    PromotionFactory(discount_class="product", fixed=True, amount=Decimal("1.50"), targets=[milk], badge="1.50 off")

    row = by_name(api_client.get(LIST))["Milk"]
    card = client.get(reverse("catalog:product_list")).content.decode()

    assert row["price_now"] == money("6.50")
    assert re.search(r'class="price price-now">.*?6\.50 EUR</span> <s class="price-was">.*?8\.00 EUR</s>', card, re.S)


def test_a_customers_segment_promotion_is_their_price_on_the_api_the_pages_and_the_cart(api_client, shopper):
    milk = stocked_product(name="Milk", price="10.00")
    members, others = SegmentFactory(name="Members"), SegmentFactory(name="Others")
    PromotionFactory(name="Members price", discount_class="product", percent=Decimal("30"), targets=[milk], segments=[members])
    PromotionFactory(name="Others' price", discount_class="product", percent=Decimal("50"), targets=[milk], segments=[others])
    services.segment_members_set(segment=members, customers=[shopper.customer])

    guest = by_name(api_client.get(LIST))["Milk"]
    mine = by_name(token_client(shopper.customer).get(LIST))["Milk"]
    card = shopper.get(reverse("catalog:product_list")).content.decode()
    page = shopper.get(milk.get_absolute_url()).content.decode()
    shopper.post(reverse("orders:cart_add"), {"product_id": milk.pk, "quantity": 1})
    cart = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shopper.get(reverse("orders:cart")).content.decode()))

    assert (guest["price_now"], guest["was_price"]) == (money("10.00"), None)  # a guest is in no segment
    assert (mine["price_now"], mine["was_price"]) == (money("7.00"), money("10.00"))  # not the other segment's 50 %
    assert re.search(r'class="price price-now">.*?7\.00 EUR</span> <s class="price-was">.*?10\.00 EUR</s>', card, re.S)
    assert re.search(r'id="product-price">.*?7\.00 EUR</span> <s class="price-was">.*?10\.00 EUR</s>', page, re.S)
    assert "Members price −3.00 EUR" in cart  # the cart gives what the card said


def test_a_used_up_per_customer_limit_is_not_shown_to_that_customer(shopper):
    milk = stocked_product(name="Milk", price="10.00")
    promotion = PromotionFactory(discount_class="product", percent=Decimal("10"), targets=[milk], usage_limit_per_customer=1)
    redeem(promotion, amount=Decimal("1.00"), order_total=Decimal("9.00"), customer=shopper.customer)

    mine = by_name(token_client(shopper.customer).get(LIST))["Milk"]
    someone_else = by_name(token_client(CustomerFactory()).get(LIST))["Milk"]
    assert (mine["price_now"], mine["was_price"]) == (money("10.00"), None)  # their one use is spent: the cart gives nothing
    assert someone_else["price_now"] == money("9.00")


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_list_costs_the_same_queries_at_any_page_size_with_promotions_live(api_client, settings, logged_in):
    settings.PROMOTIONS_RULES_CACHE = True  # as in production: the compiled rules are cached
    food = category("Food")
    segment = SegmentFactory()
    PromotionFactory(discount_class="product", categories=[food], usage_limit=1000, badge="-10%")
    PromotionFactory(discount_class="product", percent=Decimal("20"), categories=[food], segments=[segment],
                     usage_limit_per_customer=3)
    PromotionFactory(name="3 for 2", buy_x_get_y=True, badge="3 for 2", categories=[food])
    for i in range(30):
        stocked_product(name=f"Item {i:02d}", category=food)
    client = api_client
    if logged_in:
        customer = CustomerFactory()
        services.segment_members_set(segment=segment, customers=[customer])
        client = token_client(customer)
    client.get(LIST)  # the first compilation of the rules

    with CaptureQueriesContext(connection) as small:
        rows = client.get(LIST, {"page_size": 5}).json()["results"]
    with CaptureQueriesContext(connection) as large:
        rows_large = client.get(LIST, {"page_size": 30}).json()["results"]

    assert len(rows) == 5 and len(rows_large) == 30
    assert all(row["was_price"] is not None and "3 for 2" in row["offers"] for row in rows_large)
    assert rows_large[0]["price_now"]["amount"] == ("7.20" if logged_in else "9.00")  # the two stack, as in a cart
    assert len(small.captured_queries) == len(large.captured_queries)
