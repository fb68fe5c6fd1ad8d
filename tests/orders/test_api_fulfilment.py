"""Staff fulfilment and refunds through the REST API: permissions, illegal transitions, refund input."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch
from orders.models import Order, OrderLine, Refund, SandboxCharge
from tests.factories import SalesRegionFactory, StaffFactory, token_client
from tests.orders.factories import customer_with_address, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


def order_state():
    return (
        list(Order.objects.order_by("id").values_list("status", "payment_status", "paid_amount", "refunded_amount", "carrier")),
        list(OrderLine.objects.order_by("id").values_list("refunded_quantity", "refunded_amount")),
        list(StockBatch.objects.order_by("id").values_list("quantity_on_hand", "quantity_reserved")),
        Refund.objects.count(),
        DomainEvent.objects.filter(stream_type="order").count(),
    )


@pytest.mark.parametrize("action", ["confirm", "allocate", "mark-ready", "ship", "deliver", "complete", "cancel"])
def test_an_illegal_transition_is_409_and_changes_nothing(dispatcher, action):
    order = placed_order([(stocked_product(), 1)])
    assert dispatcher.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json").status_code == 200
    before = order_state()

    body = {"carrier": "DHL", "tracking_number": "1"} if action == "ship" else {}
    response = dispatcher.post(f"/api/v1/orders/{order.number}/{action}/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["extra"]["status"] == "cancelled"
    assert order_state() == before


def test_shipping_before_packing_is_refused(dispatcher):
    order = paid_order([(stocked_product(), 1)])
    before = order_state()

    response = dispatcher.post(f"/api/v1/orders/{order.number}/ship/", {"carrier": "DHL", "tracking_number": "1"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert order_state() == before


@pytest.mark.parametrize("action", ["confirm", "allocate", "mark-ready", "ship", "deliver", "complete", "refund"])
def test_customers_and_staff_without_the_permission_are_refused(support, action):
    customer, address = customer_with_address()
    order = paid_order([(stocked_product(), 1)], customer=customer, address=address)
    seller = StaffFactory(groups=["Sales"])
    seller.sales_regions.add(SalesRegionFactory())
    before = order_state()

    # the order's own customer, and Sales (no manage_orders, no refund_orders)
    clients = [token_client(customer), token_client(seller)]
    if action != "refund":
        clients.append(support)  # Support may refund, but not move orders along
    for client in clients:
        response = client.post(f"/api/v1/orders/{order.number}/{action}/", {"reason": "x"}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert APIClient().post(f"/api/v1/orders/{order.number}/{action}/").status_code == 401
    assert order_state() == before


def test_a_manager_who_cannot_see_the_order_gets_404():
    manager = StaffFactory()
    manager.user_permissions.add(Permission.objects.get(codename="manage_orders"))
    order = paid_order([(stocked_product(), 1)])

    response = token_client(manager).post(f"/api/v1/orders/{order.number}/allocate/")

    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"carrier": "DHL"}, "tracking_number"), ({"carrier": "", "tracking_number": "1"}, "carrier"),
     ({"carrier": "x" * 61, "tracking_number": "1"}, "carrier"), ({"carrier": "DHL", "tracking_number": "1", "status": "delivered"}, "status")],
)
def test_ship_refuses_bad_input_and_changes_nothing(dispatcher, body, field):
    order = paid_order([(stocked_product(), 1)])
    dispatcher.post(f"/api/v1/orders/{order.number}/allocate/")
    dispatcher.post(f"/api/v1/orders/{order.number}/mark-ready/")
    before = order_state()

    response = dispatcher.post(f"/api/v1/orders/{order.number}/ship/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert order_state() == before


def test_cash_on_delivery_is_collected_on_delivery(dispatcher):
    order = placed_order([(stocked_product(price="10.00"), 2)], payment_method="cod")
    client = token_client(order.customer)
    assert client.post(f"/api/v1/orders/{order.number}/pay/", {}, format="json").json()["status"] == "confirmed"

    for action, body in [("allocate", None), ("mark-ready", None), ("ship", {"carrier": "Van", "tracking_number": "R-1"}),
                         ("deliver", None)]:
        response = dispatcher.post(f"/api/v1/orders/{order.number}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.json())

    body = response.json()
    assert (body["status"], body["payment_status"], body["paid"]["amount"]) == ("delivered", "paid", "24.90")


def test_support_refunds_units_of_a_line_then_the_rest(support):
    order = paid_order([(stocked_product(price="10.00"), 3), (stocked_product(price="5.00"), 1)])
    first_line = order.lines.order_by("id").first()

    partial = support.post(f"/api/v1/orders/{order.number}/refund/",
                           {"lines": [{"line_id": first_line.pk, "quantity": 2}], "reason": "broken"}, format="json")

    assert partial.status_code == 200, partial.json()
    body = partial.json()
    assert (body["status"], body["payment_status"], body["refunded"]["amount"]) == ("paid", "partially_refunded", "20.00")
    assert body["lines"][0]["refunded_quantity"] == 2
    assert body["refunds"][0]["lines"][0]["amount"] == "20.00"

    rest = support.post(f"/api/v1/orders/{order.number}/refund/", {"reason": "goodwill"}, format="json").json()
    assert (rest["status"], rest["payment_status"], rest["refunded"]["amount"]) == ("refunded", "refunded", "39.90")
    assert SandboxCharge.objects.get().refunded_amount == Decimal("39.90")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": "1000.00", "reason": "x"}, "refund_exceeds_paid"),
        ({"amount": "0.00", "reason": "x"}, "invalid"),
        ({"amount": 5, "reason": "x"}, "invalid"),
        ({"amount": "abc", "reason": "x"}, "invalid"),
        ({"amount": "5.00"}, "invalid"),
        ({"amount": "5.00", "lines": [{"line_id": 1, "quantity": 1}], "reason": "x"}, "invalid"),
        ({"lines": [], "reason": "x"}, "invalid"),
        ({"lines": [{"line_id": 999999, "quantity": 1}], "reason": "x"}, "refund_invalid"),
        ({"lines": [{"line_id": "LINE", "quantity": 4}], "reason": "x"}, "refund_invalid"),
        ({"lines": [{"line_id": "LINE", "quantity": 0}], "reason": "x"}, "invalid_quantity"),
        ({"lines": [{"line_id": "LINE", "quantity": 1, "amount": "9"}], "reason": "x"}, "unknown_field"),
    ],
)
def test_refund_refuses_bad_input_and_changes_nothing(support, body, code):
    order = paid_order([(stocked_product(price="10.00"), 3)])
    line_id = order.lines.get().pk
    for line in body.get("lines", []):
        if line["line_id"] == "LINE":
            line["line_id"] = line_id
    before = order_state()

    response = support.post(f"/api/v1/orders/{order.number}/refund/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    if code == "unknown_field":
        assert response.json()["fields"] == {"lines[0].amount": ["Unknown field."]}
    assert order_state() == before


def test_an_unpaid_order_cannot_be_refunded(support):
    order = placed_order([(stocked_product(), 1)])
    before = order_state()

    response = support.post(f"/api/v1/orders/{order.number}/refund/", {"reason": "x"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert order_state() == before
