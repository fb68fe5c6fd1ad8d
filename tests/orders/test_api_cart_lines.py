"""PUT /api/v1/cart/lines/: a whole cart in one request, answered with the cart summary; bad input changes nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent, JourneyStep
from orders.models import Cart, CartLine, Order
from tests.factories import CustomerFactory, ProductFactory, token_client
from tests.orders.factories import CARD_EXP_YEAR, customer_with_address, filled_cart, stocked_product

pytestmark = pytest.mark.django_db

LINES = "/api/v1/cart/lines/"
ITEMS = "/api/v1/cart/items/"
GOOD = {"number": "4242424242424242", "exp_month": 12, "exp_year": CARD_EXP_YEAR, "cvc": "123"}


def cart_state():
    return (
        list(Cart.objects.order_by("id").values_list("id", "customer_id", "status", "coupon_codes")),
        list(CartLine.objects.order_by("id").values_list("id", "cart_id", "product_id", "quantity", "seen_unit_price")),
        DomainEvent.objects.count(),
        JourneyStep.objects.count(),
    )


def journey(customer):
    return list(
        JourneyStep.objects.filter(customer_id=customer.pk)
        .order_by("occurred_at", "id")
        .values_list("action", "product_id", "payload")
    )


def test_putting_the_lines_creates_the_cart_and_answers_as_adding_them_one_by_one_does(customer, customer_client):
    milk, bread = stocked_product(quantity=10, price="1.50"), stocked_product(quantity=10, price="3.20")
    other = CustomerFactory()
    one_by_one = token_client(other)
    one_by_one.post(ITEMS, {"product_id": milk.pk, "quantity": 3}, format="json")
    expected = one_by_one.post(ITEMS, {"product_id": bread.pk, "quantity": 1}, format="json").json()

    response = customer_client.put(LINES, {"lines": [{"product_id": milk.pk, "quantity": 3}, {"product_id": bread.pk, "quantity": 1}]},
                          format="json")

    assert response.status_code == 200
    body = response.json()
    cart = Cart.objects.get(customer=customer)
    assert body["id"] == cart.pk
    strip = lambda summary: {**summary, "id": None, "lines": [{**line, "id": None} for line in summary["lines"]]}  # noqa: E731
    assert strip(body) == strip(expected)
    assert (body["item_count"], body["subtotal"]["amount"], body["total"]["amount"]) == (4, "7.70", "12.60")
    assert [e for e, _, _ in journey(customer)] == ["add_to_cart", "add_to_cart"]
    assert [(p, details) for _, p, details in journey(customer)] == [(milk.pk, {"quantity": 3}), (bread.pk, {"quantity": 1})]
    cart_events = DomainEvent.objects.filter(stream_type="cart", stream_id=str(cart.pk)).order_by("version")
    assert [(e.event_type, e.channel, e.actor_id) for e in cart_events] == [
        ("orders.cart.item_added", "api", customer.pk), ("orders.cart.item_added", "api", customer.pk),
    ]


def test_putting_the_lines_replaces_the_cart_and_records_adds_and_removals_as_journey_steps(customer, customer_client):
    milk, bread, eggs = stocked_product(), stocked_product(), stocked_product()
    cart = filled_cart(customer, [(milk, 1), (bread, 1)])

    response = customer_client.put(LINES, {"lines": [{"product_id": eggs.pk, "quantity": 2}, {"product_id": milk.pk, "quantity": 5}]},
                          format="json")

    assert response.status_code == 200
    assert response.json()["id"] == cart.pk
    assert [(line["product"]["id"], line["quantity"]) for line in response.json()["lines"]] == [(milk.pk, 5), (eggs.pk, 2)]
    assert [(e, p) for e, p, _ in journey(customer)] == [("remove_from_cart", bread.pk), ("add_to_cart", eggs.pk)]


def test_an_empty_list_empties_the_cart_and_creates_none_for_a_customer_without_one(customer, customer_client):
    empty = customer_client.put(LINES, {"lines": []}, format="json")

    assert (empty.status_code, empty.json()["id"], empty.json()["lines"]) == (200, None, [])
    assert not Cart.objects.exists()
    assert journey(customer) == []

    filled_cart(customer, [(stocked_product(), 2)])
    emptied = customer_client.put(LINES, {"lines": []}, format="json").json()
    assert emptied["lines"] == [] and emptied["id"] == Cart.objects.get().pk
    assert [e for e, _, _ in journey(customer)] == ["remove_from_cart"]


@pytest.mark.parametrize(
    ("lines", "status", "code", "fields"),
    [
        (lambda p: [{"product_id": p.pk, "quantity": 0}], 400, "invalid_quantity", {"lines[0].quantity": ["Must be at least 1."]}),
        (lambda p: [{"product_id": p.pk, "quantity": 1}, {"product_id": p.pk, "quantity": 10001}], 400, "invalid_quantity",
         {"lines[1].quantity": ["Must be at most 10000."]}),
        (lambda p: [{"product_id": p.pk, "quantity": "2"}], 400, "invalid_quantity", {"lines[0].quantity": ["Must be a whole number."]}),
        (lambda p: [{"product_id": p.pk, "quantity": 1.5}], 400, "invalid_quantity", {"lines[0].quantity": ["Must be a whole number."]}),
        (lambda p: [{"product_id": p.pk, "quantity": 1}, {"product_id": p.pk, "quantity": 2}], 400, "duplicate_product",
         {"lines[1].product_id": ["Already listed."]}),
        (lambda p: [{"product_id": 999_999, "quantity": 1}], 404, "product_not_found", {"lines[0].product_id": ["No such product."]}),
        (lambda p: [{"product_id": ProductFactory(is_active=False).pk, "quantity": 1}], 400, "product_inactive",
         {"lines[0].product_id": ["Not for sale."]}),
        (lambda p: [{"product_id": p.pk, "quantity": 1, "unit_price": "0.01"}], 400, "unknown_field",
         {"lines[0].unit_price": ["Unknown field."]}),
        (lambda p: [{"product_id": p.pk}], 400, "invalid", {"lines[0].quantity": ["This field is required."]}),
    ],
)
def test_a_bad_line_is_refused_and_changes_nothing(customer, customer_client, lines, status, code, fields):
    product = stocked_product()
    filled_cart(customer, [(product, 1)])
    body = {"lines": lines(product)}
    before = cart_state()

    response = customer_client.put(LINES, body, format="json")

    assert (response.status_code, response.json()["code"], response.json()["fields"]) == (status, code, fields)
    assert cart_state() == before


def test_a_refused_first_put_creates_no_cart(customer_client):
    response = customer_client.put(LINES, {"lines": [{"product_id": 999_999, "quantity": 1}]}, format="json")

    assert response.status_code == 404
    assert not Cart.objects.exists()


@pytest.mark.parametrize("body", [{}, {"lines": "milk"}, {"lines": [], "coupon_codes": ["X"]}])
def test_a_malformed_body_is_refused(customer_client, body):
    response = customer_client.put(LINES, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "unknown_field"}


def test_anonymous_put_is_refused():
    response = APIClient().put(LINES, {"lines": []}, format="json")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_a_cart_put_at_once_checks_out(customer, customer_client):
    customer, address = customer_with_address()
    customer_client = token_client(customer)
    milk, bread = stocked_product(price="2.00"), stocked_product(price="3.00")
    put = customer_client.put(LINES, {"lines": [{"product_id": milk.pk, "quantity": 2}, {"product_id": bread.pk, "quantity": 1}]},
                     format="json").json()

    response = customer_client.post("/api/v1/checkout/", {"address_id": address.pk, "payment_method": "card", "card": GOOD,
                                                 "expected_total": put["total"]["amount"]}, format="json")

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert (order.status, order.total_amount) == ("paid", Decimal(put["total"]["amount"]))
    assert sorted((line.product_id, line.quantity) for line in order.lines.all()) == sorted([(milk.pk, 2), (bread.pk, 1)])


def _put_queries(lines: int) -> int:
    customer = CustomerFactory()
    client = token_client(customer)
    products = [stocked_product() for _ in range(lines)]
    client.get("/api/v1/cart/")  # warm up this process's first-request caches
    with CaptureQueriesContext(connection) as queries:
        response = client.put(LINES, {"lines": [{"product_id": p.pk, "quantity": 1} for p in products]}, format="json")
    assert response.status_code == 200 and len(response.json()["lines"]) == lines
    return len(queries)


def test_put_query_count_does_not_grow_with_the_number_of_lines():
    assert _put_queries(1) == _put_queries(10)


def test_the_endpoint_is_in_the_openapi_schema_with_examples(tmp_path: Path):
    schema_file = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())

    operation = schema["paths"]["/api/v1/cart/lines/"]["put"]
    assert operation["operationId"] == "cart_lines_set"
    request = operation["requestBody"]["content"]["application/json"]
    assert request["examples"]["AWeeklyBasket"]["value"]["lines"][0] == {"product_id": 42, "quantity": 3}
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    errors = operation["responses"]["400"]["content"]["application/json"]["examples"]
    assert {"invalid_quantity", "duplicate_product", "product_inactive"} <= {e["value"]["code"] for e in errors.values()}
    line = schema["components"]["schemas"]["CartLineInputRequest"]["properties"]["quantity"]
    assert (line["type"], line["minimum"], line["maximum"]) == ("integer", 1, 10000)


# Statements of the cart's write requests, BEGIN/COMMIT/SAVEPOINT included (token check, journey
# step and the cart answer too), with the discount provider that grants nothing. Adding into an
# open cart took 23 and the first add (creating the cart) 27 before the savepoints around event
# inserts and cart reads, and the transaction around the journey step's single INSERT, went.
# +1 each since the cart is priced with its shipping method (reading the methods offered)
ADD_ITEM_QUERY_BUDGET = 15
FIRST_ADD_ITEM_QUERY_BUDGET = 21
PUT_LINES_QUERY_BUDGET = 20  # a whole cart of any size into a new cart, in one request


def test_cart_write_requests_stay_within_their_query_budgets(settings, customer, customer_client):
    settings.ORDERS_DISCOUNT_PROVIDER = "orders.pricing.NoDiscounts"
    products = [stocked_product() for _ in range(5)]
    customer_client.get("/api/v1/cart/")  # warm up this process's first-request caches

    with CaptureQueriesContext(connection) as first:
        customer_client.post(ITEMS, {"product_id": products[0].pk, "quantity": 1}, format="json")
    with CaptureQueriesContext(connection) as second:
        customer_client.post(ITEMS, {"product_id": products[1].pk, "quantity": 1}, format="json")
    Cart.objects.update(status=Cart.Status.CHECKED_OUT, open_for=None)  # as after a checkout: the next cart is a new one
    with CaptureQueriesContext(connection) as put:
        response = customer_client.put(LINES, {"lines": [{"product_id": p.pk, "quantity": 2} for p in products]}, format="json")

    assert len(response.json()["lines"]) == 5
    counts = {"first add-item": len(first), "add-item": len(second), "PUT lines": len(put)}
    budgets = {"first add-item": FIRST_ADD_ITEM_QUERY_BUDGET, "add-item": ADD_ITEM_QUERY_BUDGET, "PUT lines": PUT_LINES_QUERY_BUDGET}
    assert all(counts[name] <= budgets[name] for name in counts), (counts, budgets)
