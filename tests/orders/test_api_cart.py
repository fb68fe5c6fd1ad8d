"""The cart through the REST API: summary, writes, journey steps, and bad input that changes nothing."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent, JourneyStep
from commerce.catalog.services import product_update
from orders.models import Cart, CartLine
from tests.factories import CustomerFactory, ProductFactory
from tests.orders.factories import filled_cart, stock_drops, stocked_product

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/cart/items/"


def cart_state():
    return (
        list(Cart.objects.order_by("id").values_list("id", "customer_id", "status", "coupon_codes")),
        list(CartLine.objects.order_by("id").values_list("id", "cart_id", "product_id", "quantity", "seen_unit_price")),
        DomainEvent.objects.count(),
    )


def journey(customer):
    return list(
        JourneyStep.objects.filter(customer_id=customer.pk)
        .order_by("id")
        .values_list("action", "product_id")
    )


def test_cart_of_a_customer_without_one_is_empty_and_not_created(customer, customer_client):
    response = customer_client.get("/api/v1/cart/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["lines"], body["item_count"], body["total"]) == (None, [], 0, {"amount": "0.00", "currency": "EUR"})
    assert not Cart.objects.exists()
    assert journey(customer) == [("view_cart", None)]


def test_add_change_and_remove_items_answer_with_the_new_summary(customer, customer_client):
    milk, bread = stocked_product(quantity=10, price="1.50"), stocked_product(quantity=10, price="3.20")

    added = customer_client.post(ITEMS, {"product_id": milk.pk, "quantity": 2}, format="json")
    again = customer_client.post(ITEMS, {"product_id": milk.pk, "quantity": 1}, format="json")
    both = customer_client.post(ITEMS, {"product_id": bread.pk, "quantity": 1}, format="json").json()

    assert added.status_code == again.status_code == 200
    assert [(line["product"]["id"], line["quantity"]) for line in again.json()["lines"]] == [(milk.pk, 3)]
    line = both["lines"][0]
    assert line["unit_price"] == line["seen_unit_price"] == {"amount": "1.50", "currency": "EUR"}
    assert (line["subtotal"]["amount"], line["total"]["amount"], line["available"], line["issues"]) == ("4.50", "4.50", 10, [])
    assert (both["subtotal"]["amount"], both["shipping"]["amount"], both["total"]["amount"]) == ("7.70", "4.90", "12.60")
    assert (both["item_count"], both["has_issues"], both["currency"]) == (4, False, "EUR")

    changed = customer_client.patch(f"{ITEMS}{line['id']}/", {"quantity": 5}, format="json").json()
    assert [row["quantity"] for row in changed["lines"]] == [5, 1]
    removed = customer_client.delete(f"{ITEMS}{line['id']}/").json()
    assert [row["product"]["id"] for row in removed["lines"]] == [bread.pk]
    cleared = customer_client.delete("/api/v1/cart/").json()
    assert cleared["lines"] == [] and cleared["id"] == both["id"]

    assert journey(customer) == [
        ("add_to_cart", milk.pk),
        ("add_to_cart", milk.pk),
        ("add_to_cart", bread.pk),
        ("remove_from_cart", milk.pk),
    ]
    types = list(DomainEvent.objects.filter(stream_type="cart").values_list("event_type", "channel", "actor_id"))
    assert [t for t, _, _ in types] == [
        "orders.cart.item_added", "orders.cart.item_added", "orders.cart.item_added",
        "orders.cart.quantity_changed", "orders.cart.item_removed", "orders.cart.cleared",
    ]
    assert {(channel, actor) for _, channel, actor in types} == {("api", customer.pk)}


def test_a_price_change_is_flagged_on_the_line_and_accepted_explicitly(customer, customer_client):
    product = stocked_product(quantity=3, price="10.00")
    filled_cart(customer, [(product, 3)])
    stock_drops(product, to=2)
    product_update(product=product, data={"price_amount": Decimal("11.00")})

    flagged = customer_client.get("/api/v1/cart/").json()

    line = flagged["lines"][0]
    assert line["issues"] == ["price_changed", "insufficient_stock"]
    assert (line["unit_price"]["amount"], line["seen_unit_price"]["amount"], line["available"]) == ("11.00", "10.00", 2)
    assert flagged["has_issues"] is True
    accepted = customer_client.post("/api/v1/cart/accept-changes/", format="json").json()
    assert accepted["lines"][0]["issues"] == ["insufficient_stock"]
    assert accepted["lines"][0]["seen_unit_price"]["amount"] == "11.00"


def test_an_unknown_coupon_is_refused_and_the_attempt_is_a_journey_step(customer, customer_client):
    before = cart_state()

    response = customer_client.post("/api/v1/cart/coupons/", {"code": "spring10"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "coupon_unknown"
    assert response.json()["fields"] == {"code": ["The code SPRING10 is not known."]}
    assert cart_state() == before
    step = JourneyStep.objects.get(action="apply_coupon")
    assert step.payload == {"code": "SPRING10", "accepted": False, "reason": "coupon_unknown"}


def test_removing_a_coupon_that_is_not_there_changes_nothing(customer, customer_client):
    filled_cart(customer, [(stocked_product(), 1)])
    before = cart_state()

    response = customer_client.delete("/api/v1/cart/coupons/NOPE/")

    assert response.status_code == 200
    assert response.json()["coupons"] == []
    assert cart_state() == before


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(0, "Must be at least 1."), (-3, "Must be at least 1."), (10001, "Must be at most 10000."),
     ("abc", "Must be a whole number."), (1.5, "Must be a whole number."), (True, "Must be a whole number."),
     (None, "This field may not be null.")],
)
def test_adding_a_bad_quantity_is_refused_and_changes_nothing(customer, customer_client, quantity, message):
    product = stocked_product()
    filled_cart(customer, [(product, 1)])
    before = cart_state()

    response = customer_client.post(ITEMS, {"product_id": product.pk, "quantity": quantity}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == ("invalid" if quantity is None else "invalid_quantity")
    assert response.json()["fields"] == {"quantity": [message]}
    assert cart_state() == before


@pytest.mark.parametrize("quantity", [0, -1, 10001, "abc"])
def test_changing_to_a_bad_quantity_is_refused_and_changes_nothing(customer, customer_client, quantity):
    cart = filled_cart(customer, [(stocked_product(), 2)])
    line = cart.lines.get()
    before = cart_state()

    response = customer_client.patch(f"{ITEMS}{line.pk}/", {"quantity": quantity}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_quantity")
    assert cart_state() == before


def test_adding_past_the_maximum_in_two_steps_is_refused(customer, customer_client):
    product = stocked_product(quantity=10000)
    filled_cart(customer, [(product, 9999)])
    before = cart_state()

    response = customer_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_quantity")
    assert cart_state() == before


def test_an_inactive_or_unknown_product_is_refused_and_no_cart_is_created(customer_client):
    retired = ProductFactory(is_active=False)
    events = DomainEvent.objects.count()

    inactive = customer_client.post(ITEMS, {"product_id": retired.pk, "quantity": 1}, format="json")
    unknown = customer_client.post(ITEMS, {"product_id": 999_999, "quantity": 1}, format="json")

    assert (inactive.status_code, inactive.json()["code"]) == (400, "product_inactive")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "product_not_found")
    assert not Cart.objects.exists()
    assert DomainEvent.objects.count() == events


@pytest.mark.parametrize("tampered", [{"unit_price": "0.01"}, {"price": "0.01"}, {"seen_unit_price": "0.01"}])
def test_a_price_in_the_request_is_refused_as_an_unknown_field(customer, customer_client, tampered):
    product = stocked_product(price="25.00")
    before = cart_state()

    response = customer_client.post(ITEMS, {"product_id": product.pk, "quantity": 1, **tampered}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert response.json()["fields"] == {name: ["Unknown field."] for name in tampered}
    assert cart_state() == before


def test_someone_elses_cart_line_is_not_found_and_untouched(customer_client):
    other = CustomerFactory()
    their_line = filled_cart(other, [(stocked_product(), 2)]).lines.get()
    before = cart_state()

    changed = customer_client.patch(f"{ITEMS}{their_line.pk}/", {"quantity": 7}, format="json")
    removed = customer_client.delete(f"{ITEMS}{their_line.pk}/")

    assert (changed.status_code, changed.json()["code"]) == (404, "cart_line_not_found")
    assert (removed.status_code, removed.json()["code"]) == (404, "cart_line_not_found")
    assert cart_state() == before


def test_malformed_json_and_a_json_list_are_refused(customer, customer_client):
    product = stocked_product()
    before = cart_state()

    malformed = customer_client.post(ITEMS, data="{product_id: 1", content_type="application/json")
    listed = customer_client.post(ITEMS, data=[{"product_id": product.pk, "quantity": 1}], format="json")
    text = customer_client.post(ITEMS, data="product_id=1", content_type="text/plain")

    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_request")
    assert (listed.status_code, listed.json()["code"]) == (400, "invalid")
    assert (text.status_code, text.json()["code"]) == (415, "unsupported_media_type")
    assert cart_state() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/v1/cart/"), ("delete", "/api/v1/cart/"), ("post", ITEMS), ("patch", f"{ITEMS}1/"),
     ("delete", f"{ITEMS}1/"), ("post", "/api/v1/cart/coupons/"), ("delete", "/api/v1/cart/coupons/X/"),
     ("post", "/api/v1/cart/accept-changes/")],
)
def test_the_cart_needs_a_logged_in_customer(method, url):
    filled_cart(CustomerFactory(), [(stocked_product(), 1)])
    before = cart_state()

    response = getattr(APIClient(), method)(url, {"product_id": 1, "quantity": 1}, format="json")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert cart_state() == before
