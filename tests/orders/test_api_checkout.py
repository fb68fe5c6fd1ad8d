"""Checkout and payment through the REST API: the happy path end to end, declines, idempotency, bad input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch, StockReservation
from commerce.catalog.services import product_update
from orders.models import Cart, CartLine, IdempotencyRecord, Order, OrderLineAllocation, Payment, SandboxCharge
from tests.factories import AddressFactory, StaffFactory, UserFactory, token_client
from tests.orders.factories import (
    API_DECLINED_CARD,
    API_GOOD_CARD,
    checkout_body,
    customer_with_address,
    filled_cart,
    placed_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db

def state():
    """Everything a refused checkout must leave as it was."""
    return (
        list(Order.objects.values_list("number", "status", "paid_amount")),
        list(Cart.objects.order_by("id").values_list("id", "status")),
        list(CartLine.objects.order_by("id").values_list("id", "quantity", "seen_unit_price")),
        list(StockBatch.objects.order_by("id").values_list("quantity_on_hand", "quantity_reserved")),
        StockReservation.objects.count(),
        Payment.objects.count(),
        SandboxCharge.objects.count(),
        DomainEvent.objects.filter(stream_type="order").count(),
    )


@pytest.fixture
def shopper():
    customer, address = customer_with_address()
    return customer, address, token_client(customer)


def test_full_happy_path_from_cart_to_completed_with_timeline(shopper, dispatcher):
    customer, address, client = shopper
    milk, bread = stocked_product(quantity=10, price="1.50"), stocked_product(quantity=5, price="3.20")

    # Given a cart of two products, added through the API
    assert client.post("/api/v1/cart/items/", {"product_id": milk.pk, "quantity": 4}, format="json").status_code == 200
    cart = client.post("/api/v1/cart/items/", {"product_id": bread.pk, "quantity": 2}, format="json").json()
    assert cart["total"] == {"amount": "17.30", "currency": "EUR"}  # 6.00 + 6.40 + 4.90 shipping

    # When the shopper checks out with the sandbox success card, sending the total they saw
    response = client.post("/api/v1/checkout/", checkout_body(address, expected_total="17.30"), format="json")

    # Then the order is placed and paid
    assert response.status_code == 201, response.json()
    order = response.json()
    number = order["number"]
    assert (order["status"], order["payment_status"], order["total"]["amount"], order["paid"]["amount"]) == (
        "paid", "paid", "17.30", "17.30"
    )
    assert [(line["product_code"], line["quantity"], line["unit_price"]["amount"]) for line in order["lines"]] == [
        (milk.code, 4, "1.50"), (bread.code, 2, "3.20")
    ]
    assert [(p["status"], p["card_last4"]) for p in order["payments"]] == [("captured", "4242")]
    assert order["shipping_address"]["city"] == "Lyon"
    assert order["allowed_actions"] == ["cancel"]
    assert SandboxCharge.objects.count() == 1
    assert client.get("/api/v1/cart/").json()["lines"] == []  # the cart was checked out

    # And staff take it through fulfilment
    for action, body in [("allocate", None), ("mark-ready", None), ("ship", {"carrier": "Colissimo", "tracking_number": "6A1"}),
                         ("deliver", None), ("complete", None)]:
        step = dispatcher.post(f"/api/v1/orders/{number}/{action}/", body, format="json")
        assert step.status_code == 200, (action, step.json())

    detail = client.get(f"/api/v1/orders/{number}/").json()
    assert detail["status"] == "completed"
    assert (detail["carrier"], detail["tracking_number"]) == ("Colissimo", "6A1")
    assert [line["allocations"] for line in detail["lines"]] == [None, None]  # batches are for staff
    staff_view = dispatcher.get(f"/api/v1/orders/{number}/").json()
    allocations = [(a["quantity"], a["batch_number"]) for line in staff_view["lines"] for a in line["allocations"]]
    assert [q for q, _ in allocations] == [4, 2]
    assert all(batch.startswith("LOT-") for _, batch in allocations)
    assert [entry["event"] for entry in detail["timeline"]] == [
        "orders.order.created",
        "orders.payment.processed",
        "orders.order.confirmed",
        "orders.order.paid",
        "orders.order.inventory_allocated",
        "orders.order.ready_to_ship",
        "orders.order.shipped",
        "orders.order.delivered",
        "orders.order.completed",
    ]
    assert [entry["by"] for entry in detail["timeline"]][:4] == ["customer"] * 4
    assert [entry["by"] for entry in detail["timeline"]][4:] == ["staff"] * 5
    assert detail["timeline"][6]["details"]["tracking_number"] == "6A1"
    assert detail["allowed_actions"] == []
    assert OrderLineAllocation.objects.filter(line__order__number=number).count() == 2
    # and the history lists it from the read model
    history = client.get("/api/v1/orders/").json()
    assert [(row["number"], row["status"], row["item_count"]) for row in history["results"]] == [(number, "completed", 6)]


def test_declined_card_answers_402_voids_the_attempt_puts_the_cart_back_and_hides_it_from_history(shopper):
    # One checkout policy (orders.services.checkout.checkout_place_and_pay), the same as the page's.
    customer, address, client = shopper
    product = stocked_product(quantity=5, price="20.00")
    filled_cart(customer, [(product, 2)])

    response = client.post("/api/v1/checkout/", checkout_body(address, card=API_DECLINED_CARD), format="json")

    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "payment_declined"
    assert body["extra"]["decline_code"] == "card_declined"
    assert body["extra"]["lost_coupons"] == []
    number = body["extra"]["order_number"]
    order = Order.objects.get(number=number)
    assert (order.status, order.payment_status, order.cancel_reason) == ("voided", "unpaid", "payment declined")
    assert not StockReservation.objects.filter(reference=order.reference, status="active").exists()  # stock released
    assert SandboxCharge.objects.count() == 0
    # the cart is as it was, ready for another card
    assert [(line["product"]["id"], line["quantity"]) for line in client.get("/api/v1/cart/").json()["lines"]] == [(product.pk, 2)]
    # the attempt is no order of the shopper's history; its number still answers what happened
    assert client.get("/api/v1/orders/").json()["results"] == []
    detail = client.get(f"/api/v1/orders/{number}/").json()
    assert (detail["status"], detail["allowed_actions"]) == ("voided", [])
    assert [p["status"] for p in detail["payments"]] == ["declined"]
    # staff still see the failed attempt
    staff = token_client(StaffFactory(groups=["Support"]))
    assert [row["number"] for row in staff.get("/api/v1/orders/", {"status": "voided"}).json()["results"]] == [number]

    again = client.post("/api/v1/checkout/", checkout_body(address), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    assert again.status_code == 201, again.json()
    assert (again.json()["status"], again.json()["payment_status"]) == ("paid", "paid")
    assert SandboxCharge.objects.count() == 1
    assert [row["number"] for row in client.get("/api/v1/orders/").json()["results"]] == [again.json()["number"]]


def test_gateway_error_at_checkout_voids_the_attempt_like_a_decline(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5), 1)])

    response = client.post("/api/v1/checkout/", checkout_body(address, card={**API_GOOD_CARD, "number": "4000000000000119"}), format="json")

    assert response.status_code == 502 and response.json()["code"] == "payment_gateway_error"
    assert Order.objects.get().status == "voided"
    assert len(client.get("/api/v1/cart/").json()["lines"]) == 1
    assert client.get("/api/v1/orders/").json()["results"] == []


def test_a_pending_order_can_be_paid_again_after_a_declined_payment(shopper):
    customer, address, client = shopper
    order = placed_order([(stocked_product(quantity=5, price="20.00"), 2)], customer=customer, address=address)

    declined = client.post(f"/api/v1/orders/{order.number}/pay/", {"card": API_DECLINED_CARD}, format="json")
    assert declined.status_code == 402
    assert Order.objects.get(pk=order.pk).status == "pending"  # paying an order (not checkout) keeps it payable
    assert client.get(f"/api/v1/orders/{order.number}/").json()["allowed_actions"] == ["pay", "cancel"]

    paid = client.post(f"/api/v1/orders/{order.number}/pay/", {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    assert paid.status_code == 200, paid.json()
    assert (paid.json()["status"], paid.json()["payment_status"]) == ("paid", "paid")
    assert [p["status"] for p in paid.json()["payments"]] == ["declined", "captured"]
    assert SandboxCharge.objects.count() == 1

    # Paying a paid order again is refused and charges nothing
    again = client.post(f"/api/v1/orders/{order.number}/pay/", {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert SandboxCharge.objects.count() == 1


def test_repeated_checkout_with_one_idempotency_key_makes_one_order_and_one_charge(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    body = checkout_body(address)

    first = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    # the shopper puts something else in the cart meanwhile: the retry still only replays
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    second = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Order.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert Payment.objects.count() == 1
    # only a fingerprint is kept: no card number in the stored request or answer
    record = IdempotencyRecord.objects.get()
    assert API_GOOD_CARD["number"] not in str(record.fingerprint) + str(record.response)
    assert API_GOOD_CARD["number"] not in str(list(DomainEvent.objects.values_list("payload", flat=True)))


def test_the_same_idempotency_key_with_another_body_is_refused_and_changes_nothing(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    assert client.post("/api/v1/checkout/", checkout_body(address), format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    before = state()

    response = client.post("/api/v1/checkout/", checkout_body(address, payment_method="cod", card=None), format="json",
                           HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert state() == before


def test_a_declined_checkout_replays_its_402_and_charges_nothing_more(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    body = checkout_body(address, card=API_DECLINED_CARD)

    first = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    second = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")

    assert (first.status_code, second.status_code) == (402, 402)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1


def test_repeated_payment_with_one_idempotency_key_charges_once(shopper):
    customer, address, client = shopper
    number = placed_order([(stocked_product(quantity=5), 1)], customer=customer, address=address).number

    first = client.post(f"/api/v1/orders/{number}/pay/", {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    second = client.post(f"/api/v1/orders/{number}/pay/", {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert SandboxCharge.objects.count() == 1
    assert Payment.objects.filter(status="captured").count() == 1


def test_cash_on_delivery_checkout_confirms_without_a_card(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5), 1)])

    response = client.post("/api/v1/checkout/", {"address_id": address.pk, "payment_method": "cod"}, format="json")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["payment_status"]) == ("confirmed", "due_on_delivery")
    assert SandboxCharge.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"unit_price": "0.01"}, 400, "unknown_field"),
        ({"total": "0.01"}, 400, "unknown_field"),
        ({"card": {**API_GOOD_CARD, "amount": "0.01"}}, 400, "unknown_field"),
        ({"expected_total": "1.00"}, 409, "cart_changed"),
        ({"expected_total": 20.9}, 400, "invalid"),
        ({"payment_method": "bitcoin"}, 400, "invalid"),
        ({"card": None}, 400, "invalid"),
        ({"card": {**API_GOOD_CARD, "number": "4242"}}, 400, "invalid"),
        # Unicode digits are not card digits: never sent to the gateway nor stored as card_last4.
        ({"card": {**API_GOOD_CARD, "number": "\u0664\u0662" * 8}}, 400, "invalid"),
        ({"card": {**API_GOOD_CARD, "number": "\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u00b9\u00b2\u00b3\u2074"}}, 400, "invalid"),
        ({"card": {**API_GOOD_CARD, "cvc": "\u0661\u0662\u0663"}}, 400, "invalid"),
        ({"card": {**API_GOOD_CARD, "cvc": "\u00b9\u00b2\u00b3"}}, 400, "invalid"),
        ({"card": {**API_GOOD_CARD, "exp_year": 2001}}, 400, "invalid"),
        ({"address_id": "abc"}, 400, "invalid"),
        ({"address_id": 999_999}, 404, "address_not_found"),
    ],
)
def test_checkout_refuses_bad_input_and_changes_nothing(shopper, change, status, code):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(quantity=5, price="8.00"), 2)])
    before = state()

    response = client.post("/api/v1/checkout/", {**checkout_body(address), **change}, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    if code == "unknown_field":
        assert list(response.json()["fields"]) in (["unit_price"], ["total"], ["card.amount"])
    assert state() == before


def test_checkout_with_someone_elses_address_is_not_found(shopper):
    customer, _, client = shopper
    filled_cart(customer, [(stocked_product(), 1)])
    theirs = AddressFactory()
    before = state()

    response = client.post("/api/v1/checkout/", checkout_body(theirs), format="json")

    assert (response.status_code, response.json()["code"]) == (404, "address_not_found")
    assert state() == before


def test_checkout_of_an_empty_cart_is_refused(shopper):
    _, address, client = shopper
    before = state()

    response = client.post("/api/v1/checkout/", checkout_body(address), format="json")

    assert (response.status_code, response.json()["code"]) == (400, "cart_empty")
    assert state() == before


def test_checkout_after_a_price_change_is_refused_until_the_shopper_accepts_it(shopper):
    customer, address, client = shopper
    product = stocked_product(quantity=5, price="10.00")
    filled_cart(customer, [(product, 1)])
    product_update(product=product, data={"price_amount": Decimal("12.00")})
    before = state()

    refused = client.post("/api/v1/checkout/", checkout_body(address), format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "cart_changed")
    assert refused.json()["extra"]["lines"][0]["issues"] == ["price_changed"]
    assert state() == before
    cart = client.post("/api/v1/cart/accept-changes/", format="json").json()
    assert cart["has_issues"] is False
    accepted = client.post("/api/v1/checkout/", checkout_body(address, expected_total=cart["total"]["amount"]), format="json")
    assert accepted.status_code == 201
    assert accepted.json()["lines"][0]["unit_price"]["amount"] == "12.00"


def test_checkout_short_of_stock_is_refused_with_409(shopper):
    customer, address, client = shopper
    product = stocked_product(quantity=3)
    filled_cart(customer, [(product, 3)])
    StockBatch.objects.filter(product=product).update(quantity_on_hand=2)
    before = state()

    response = client.post("/api/v1/checkout/", checkout_body(address), format="json")

    assert response.status_code == 409
    assert response.json()["code"] in {"insufficient_stock", "cart_changed"}
    assert state() == before


def test_staff_without_place_orders_cannot_check_out():
    staff = UserFactory()
    address = AddressFactory(customer=staff)
    filled_cart(staff, [(stocked_product(), 1)])
    before = state()

    response = token_client(staff).post("/api/v1/checkout/", checkout_body(address), format="json")

    assert (response.status_code, response.json()["code"]) == (403, "cannot_place_orders")
    assert state() == before


def test_malformed_json_and_unauthenticated_checkout_are_refused(shopper):
    customer, address, client = shopper
    filled_cart(customer, [(stocked_product(), 1)])
    before = state()

    malformed = client.post("/api/v1/checkout/", data='{"address_id": 1,', content_type="application/json")
    anonymous = APIClient().post("/api/v1/checkout/", checkout_body(address), format="json")

    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_request")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert state() == before


def _checkout_queries(lines: int) -> int:
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(quantity=20), 2) for _ in range(lines)])
    client = token_client(customer)
    client.get("/api/v1/cart/")  # warm up: content types, permission caches of this process
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/checkout/", checkout_body(address), format="json", HTTP_IDEMPOTENCY_KEY=f"q-{lines}")
    assert response.status_code == 201, response.json()
    assert len(response.json()["lines"]) == lines
    return len(queries)


def test_checkout_query_count_does_not_grow_with_the_number_of_lines():
    one, ten = _checkout_queries(1), _checkout_queries(10)

    assert ten == one, f"1 line: {one} queries, 10 lines: {ten} queries"


# Statements of one checkout request, BEGIN/COMMIT/SAVEPOINT included, with the discount provider
# that grants nothing (a provider's own queries come on top): 68 until the savepoints around event
# inserts, the transactions around single INSERTs and the cart read before the lock went.
CHECKOUT_QUERY_BUDGET = 56  # +1: the shipping methods offered (orders.shipping)


def test_checkout_query_count_stays_within_its_budget(settings):
    settings.ORDERS_DISCOUNT_PROVIDER = "orders.pricing.NoDiscounts"

    queries = _checkout_queries(3)

    assert queries <= CHECKOUT_QUERY_BUDGET, f"{queries} queries, budget {CHECKOUT_QUERY_BUDGET}"


def test_a_checkout_whose_payment_answer_was_lost_is_replayed_not_checked_out_again(shopper):
    customer, address, client = shopper
    client.post("/api/v1/cart/items/", {"product_id": stocked_product().pk, "quantity": 1}, format="json")
    body = checkout_body(address, card={**API_GOOD_CARD, "number": "4000000000000259"})

    first = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="lost-1")
    second = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="lost-1")

    assert first.status_code == 502 and first.json()["code"] == "payment_pending"
    assert second.status_code == 502 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1
