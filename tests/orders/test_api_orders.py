"""Orders through the REST API: who sees which orders, filters, cancel, reorder, buy-again suggestions."""

import pytest
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockReservation
from commerce.catalog.services import product_update
from orders.models import Cart, Order, Payment, SandboxCharge
from tests.factories import SalesRegionFactory, StaffFactory, token_client
from tests.orders.factories import GOOD_CARD, customer_in, customer_with_address, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db

GOOD = {"number": GOOD_CARD.number, "exp_month": 12, "exp_year": GOOD_CARD.exp_year, "cvc": "123"}


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["number"] for row in response.json()["results"]}


def order_state():
    return (
        list(Order.objects.order_by("id").values_list("number", "status", "payment_status", "paid_amount", "refunded_amount")),
        StockReservation.objects.filter(status="active").count(),
        Payment.objects.count(),
        DomainEvent.objects.filter(stream_type="order").count(),
    )


@pytest.fixture
def world():
    """Two regions, a customer in each, one order each."""
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    ada, ada_address = customer_in(north)
    bob, bob_address = customer_in(south)
    ada_order = paid_order([(stocked_product(price="12.00"), 1)], customer=ada, address=ada_address)
    bob_order = placed_order([(stocked_product(price="30.00"), 2)], customer=bob, address=bob_address)
    return {"north": north, "south": south, "ada": ada, "bob": bob, "ada_order": ada_order, "bob_order": bob_order}


def test_a_customer_sees_only_their_own_orders(world):
    client = token_client(world["ada"])
    theirs = world["bob_order"].number

    assert numbers(client.get("/api/v1/orders/")) == {world["ada_order"].number}
    # filters narrow, never widen: asking for someone else's orders gives nothing
    assert numbers(client.get("/api/v1/orders/", {"customer_id": world["bob"].pk})) == set()
    for url in (f"/api/v1/orders/{theirs}/", "/api/v1/orders/NOPE0-NOPE0/"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "order_not_found")


def test_support_sees_every_order_and_filters_them(world):
    client = token_client(StaffFactory(groups=["Support"]))
    ada_order, bob_order = world["ada_order"], world["bob_order"]

    assert numbers(client.get("/api/v1/orders/")) == {ada_order.number, bob_order.number}
    assert numbers(client.get("/api/v1/orders/", {"status": "pending"})) == {bob_order.number}
    assert numbers(client.get("/api/v1/orders/", {"payment_status": "paid"})) == {ada_order.number}
    assert numbers(client.get("/api/v1/orders/", {"min_total": "20.00"})) == {bob_order.number}
    assert numbers(client.get("/api/v1/orders/", {"max_total": "20.00"})) == {ada_order.number}
    assert numbers(client.get("/api/v1/orders/", {"customer_id": world["bob"].pk})) == {bob_order.number}
    assert numbers(client.get("/api/v1/orders/", {"number": ada_order.number})) == {ada_order.number}
    assert numbers(client.get("/api/v1/orders/", {"region_id": world["south"].pk})) == {bob_order.number}
    code = bob_order.lines.get().product_code
    assert numbers(client.get("/api/v1/orders/", {"product_code": code.lower()})) == {bob_order.number}
    today = ada_order.placed_at.date().isoformat()
    assert len(numbers(client.get("/api/v1/orders/", {"date_from": today, "date_to": today}))) == 2
    assert numbers(client.get("/api/v1/orders/", {"date_from": "2000-01-01", "date_to": "2000-01-02"})) == set()
    detail = client.get(f"/api/v1/orders/{bob_order.number}/").json()
    assert detail["number"] == bob_order.number and detail["allowed_actions"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "lost"}, "status"), ({"date_from": "yesterday"}, "date_from"), ({"min_total": "ten"}, "min_total"),
     ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"), ({"customer_id": "0"}, "customer_id")],
)
def test_a_bad_filter_is_named(world, params, field):
    response = token_client(StaffFactory(groups=["Support"])).get("/api/v1/orders/", params)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_sales_staff_see_only_the_orders_of_their_region(world):
    seller = StaffFactory(groups=["Sales"])
    seller.sales_regions.add(world["north"])
    client = token_client(seller)

    assert numbers(client.get("/api/v1/orders/")) == {world["ada_order"].number}
    assert numbers(client.get("/api/v1/orders/", {"region_id": world["south"].pk})) == set()
    assert client.get(f"/api/v1/orders/{world['ada_order'].number}/").status_code == 200
    assert client.get(f"/api/v1/orders/{world['bob_order'].number}/").status_code == 404


def test_orders_list_is_paginated():
    customer, address = customer_with_address()
    product = stocked_product(quantity=50)
    for _ in range(3):
        placed_order([(product, 1)], customer=customer, address=address)

    page = token_client(customer).get("/api/v1/orders/", {"page_size": 2}).json()

    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["total"] == {"amount": "14.90", "currency": "EUR"}
    assert page["results"][0]["lines"][0]["unit_price"] == {"amount": "10.00", "currency": "EUR"}


@pytest.mark.django_db(transaction=True)  # as in production: the refund is made once the cancel committed
def test_the_customer_cancels_their_paid_order_gets_refunded_and_the_stock_back(world):
    order = world["ada_order"]

    response = token_client(world["ada"]).post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "twice"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["payment_status"], body["cancel_reason"]) == ("cancelled", "refunded", "twice")
    assert body["refunds"][0]["amount"] == body["paid"]
    assert SandboxCharge.objects.get().refunded_amount == order.total_amount
    assert not StockReservation.objects.filter(reference=order.reference, status="active").exists()
    assert body["timeline"][-2]["event"] == "orders.order.cancelled"


def test_a_customer_cannot_cancel_once_the_warehouse_has_the_order_but_a_manager_can(world):
    order = world["ada_order"]
    manager = token_client(StaffFactory(groups=["Dispatchers"]))
    assert manager.post(f"/api/v1/orders/{order.number}/allocate/").status_code == 200
    before = order_state()

    refused = token_client(world["ada"]).post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "cancel_not_allowed")
    assert order_state() == before
    cancelled = manager.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "damaged in stock"}, format="json")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")


def test_nobody_else_cancels_or_pays_an_order(world):
    order = world["bob_order"]
    support = token_client(StaffFactory(groups=["Support"]))
    stranger = token_client(world["ada"])
    before = order_state()

    assert stranger.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json").status_code == 404
    assert stranger.post(f"/api/v1/orders/{order.number}/pay/", {"card": GOOD}, format="json").status_code == 404
    assert stranger.post(f"/api/v1/orders/{order.number}/reorder/").status_code == 404
    # Support sees the order but neither cancels (no manage_orders) nor pays it
    assert support.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json").status_code == 403
    assert support.post(f"/api/v1/orders/{order.number}/pay/", {"card": GOOD}, format="json").status_code == 403
    assert order_state() == before


def test_cancel_refuses_unknown_fields_and_an_overlong_reason(world):
    order = world["bob_order"]
    client = token_client(world["bob"])
    before = order_state()

    unknown = client.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "x", "refund": "999"}, format="json")
    long = client.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "x" * 201}, format="json")

    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_field")
    assert (long.status_code, list(long.json()["fields"])) == (400, ["reason"])
    assert order_state() == before


def test_pay_needs_a_card_for_a_card_order(world):
    order = world["bob_order"]
    before = order_state()

    response = token_client(world["bob"]).post(f"/api/v1/orders/{order.number}/pay/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"card": ["Required for card payments."]}
    assert order_state() == before


def test_reorder_puts_the_items_back_at_todays_prices_and_lists_what_was_skipped():
    customer, address = customer_with_address()
    kept, retired = stocked_product(price="2.00"), stocked_product(price="3.00")
    order = paid_order([(kept, 2), (retired, 1)], customer=customer, address=address)
    product_update(product=kept, data={"price_amount": "2.50"})
    product_update(product=retired, data={"is_active": False})

    response = token_client(customer).post(f"/api/v1/orders/{order.number}/reorder/")

    assert response.status_code == 200
    body = response.json()
    assert [(line["product"]["id"], line["quantity"], line["unit_price"]["amount"]) for line in body["cart"]["lines"]] == [
        (kept.pk, 2, "2.50")
    ]
    assert body["skipped"] == [{"product_id": retired.pk, "code": retired.code, "reason": "no longer for sale"}]
    assert Cart.objects.get(customer=customer, status="open").lines.count() == 1


def test_reorder_suggestions_list_what_the_customer_buys_again_and_again():
    customer, address = customer_with_address()
    milk, tea = stocked_product(quantity=50), stocked_product(quantity=50)
    paid_order([(milk, 2), (tea, 1)], customer=customer, address=address)
    paid_order([(milk, 3)], customer=customer, address=address)
    client = token_client(customer)

    response = client.get("/api/v1/orders/reorder-suggestions/")

    assert response.status_code == 200
    assert [(row["product_id"], row["times_ordered"], row["total_quantity"]) for row in response.json()] == [(milk.pk, 2, 5)]
    assert client.get("/api/v1/orders/reorder-suggestions/", {"limit": 0}).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["/api/v1/orders/", "/api/v1/orders/ABCDE-FGHJK/", "/api/v1/orders/reorder-suggestions/"],
)
def test_orders_need_a_logged_in_user(url):
    response = APIClient().get(url)

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")

