"""The orders back office, used the way Dispatchers, Support and Sales use it.

Orders are read-only pages; every change is an admin action or form that calls the lifecycle and
payment services, one order per transaction, each outcome reported.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch
from commerce.catalog.selectors import stock_reconcile
from orders.models import Cart, GatewayNotification, Order, OrderSummary, Refund
from orders.services import lifecycle
from orders.services.payments import order_refund, payment_notification_process
from tests.factories import NO_PASSWORD, CustomerFactory, SalesRegionFactory, StaffFactory, messages_of
from tests.orders.factories import customer_with_address, filled_cart, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def order_events(order) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(stream_type="order", stream_id=str(order.pk)).order_by("version"))


def act(client, action: str, *orders, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in orders], **extra}
    return client.post(reverse(CHANGELIST), data)


def in_state(status: str, *, quantity=2, price="10.00", **kwargs) -> Order:
    """An order moved to ``status`` through the services, as the shop and the warehouse do."""
    if status == "pending":
        return placed_order([(stocked_product(price=price), quantity)], **kwargs)
    order = paid_order([(stocked_product(price=price), quantity)], **kwargs)
    steps = {"paid": 0, "allocated": 1, "ready_to_ship": 2, "shipped": 3, "delivered": 4}[status]
    if steps >= 1:
        lifecycle.order_allocate(order=order)
    if steps >= 2:
        lifecycle.order_mark_ready(order=order)
    if steps >= 3:
        lifecycle.order_ship(order=order, carrier="DPD", tracking_number=f"T-{order.number}")
    if steps >= 4:
        lifecycle.order_deliver(order=order)
    order.refresh_from_db()
    return order


# --- pages ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["superuser", "dispatcher"])
def test_order_pages_load_with_lines_batches_payments_refunds_and_the_timeline(client, who, superuser):
    user = superuser if who == "superuser" else StaffFactory(groups=["Dispatchers"], password=NO_PASSWORD)
    client.force_login(user)
    order = in_state("delivered", quantity=3, price="20.00")
    order_refund(order=order, lines=[{"line_id": order.lines.get().pk, "quantity": 1}], reason="dented")
    batch = order.lines.get().allocations.get().batch_number

    changelist = client.get(reverse(CHANGELIST))
    page = client.get(change_url(order))

    assert changelist.status_code == 200 and order.number in changelist.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{batch} x 3" in html  # the line's batches
    assert "4242" in html and "Captured" in html  # the payment
    assert "dented" in html and "1 x " in html  # the refund and its units
    timeline = page.context["timeline"]
    assert [row["event"].event_type for row in timeline] == [
        "orders.order.created", "orders.payment.processed", "orders.order.confirmed", "orders.order.paid",
        "orders.order.inventory_allocated", "orders.order.ready_to_ship", "orders.order.shipped",
        "orders.order.delivered", "orders.order.refunded",
    ]
    assert 'id="order-timeline"' in html and "orders.order.shipped" in html
    assert f"tracking number: T-{order.number}" in html  # the payload summary
    # In words first: what happened and when; the event's name and data fold away under "Data".
    sentences = [row["sentence"].rsplit(" — ", 1)[0] for row in timeline]
    assert sentences[1] == "Paid 60.00 EUR by card"
    assert sentences[4] == f"Picked from stock: batch {batch} × 3"
    assert sentences[0].startswith("Order placed: 3 × ") and sentences[0].endswith(", to pay by card")
    assert sentences[6].startswith("Shipped: ") and f"tracking T-{order.number}" in sentences[6]
    assert all(" — " in row["sentence"] for row in timeline)
    assert f"<span class=\"sentence\">{timeline[1]['sentence']}</span>" in html


def test_the_order_page_is_read_only_and_status_is_never_a_form_field(client, superuser):
    client.force_login(superuser)
    order = in_state("paid")

    page = client.get(change_url(order))

    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="status"' not in html
    assert all(f.is_readonly for fieldset in page.context["adminform"] for line in fieldset for f in line)
    assert client.post(change_url(order), {"status": "completed"}).status_code == 403
    assert client.get(reverse("admin:orders_order_add")).status_code == 403
    assert client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in client.get(reverse(CHANGELIST)).content.decode()
    order.refresh_from_db()
    assert order.status == "paid"


def test_changelist_queries_do_not_grow_with_the_number_of_orders(client, admin_dispatcher):
    region = SalesRegionFactory(code="lyon-north")

    def make(n):
        for _ in range(n):
            customer, address = customer_with_address(profile__sales_region=region)
            placed_order([(stocked_product(), 1), (stocked_product(), 2)], customer=customer, address=address)

    make(3)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 3
    make(12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_changelist_filters_and_searches_by_number_customer_and_product_code(client, admin_dispatcher):
    milk = stocked_product(code="MILK-1")
    ada, ada_address = customer_with_address(username="ada", email="ada@example.com")
    ada_order = placed_order([(milk, 1)], customer=ada, address=ada_address)
    other = in_state("paid")

    def listed(**params):
        response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {o.number for o in response.context["cl"].result_list}

    assert listed(q="MILK-1") == {ada_order.number}
    assert listed(q="ada@example.com") == {ada_order.number}
    assert listed(q=other.number) == {other.number}
    assert listed(status__exact="paid") == {other.number}
    assert listed(payment_status__exact="unpaid") == {ada_order.number}
    assert listed(payment_method__exact="card") == {ada_order.number, other.number}


# --- actions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "start", "expected", "event_type"),
    [
        ("confirm", "pending", "confirmed", "orders.order.confirmed"),
        ("allocate", "paid", "allocated", "orders.order.inventory_allocated"),
        ("mark_ready", "allocated", "ready_to_ship", "orders.order.ready_to_ship"),
        ("deliver", "shipped", "delivered", "orders.order.delivered"),
        ("complete", "delivered", "completed", "orders.order.completed"),
    ],
)
def test_each_action_moves_the_order_through_its_service_and_records_the_event(client, admin_dispatcher, action, start, expected, event_type):
    order = in_state(start)

    response = act(client, action, order)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == expected
    event = order_events(order)[-1]
    assert event.event_type == event_type
    assert (event.actor, event.channel) == (admin_dispatcher, "admin")
    assert any(order.number in text for text in messages_of(response))
    assert OrderSummary.objects.get(order_id=order.pk).status == expected  # the read model followed


def test_allocate_action_records_batches_on_the_lines(client, admin_dispatcher):
    order = in_state("paid", quantity=3)

    act(client, "allocate", order)

    [allocation] = order.lines.get().allocations.all()
    assert allocation.quantity == 3
    assert StockBatch.objects.get(batch_number=allocation.batch_number).quantity_reserved == 0
    assert stock_reconcile() == []


def test_an_illegal_transition_is_reported_and_the_other_orders_still_move(client, admin_dispatcher):
    pending = in_state("pending")
    paid_one, paid_two = in_state("paid"), in_state("paid")

    response = act(client, "allocate", paid_one, pending, paid_two)

    assert response.status_code == 302
    messages = messages_of(response)
    assert any(pending.number in m and "cannot be allocated" in m for m in messages)
    assert any(paid_one.number in m and paid_two.number in m and m.startswith("Allocated") for m in messages)
    statuses = {o.number: o.status for o in Order.objects.all()}
    assert statuses == {pending.number: "pending", paid_one.number: "allocated", paid_two.number: "allocated"}
    assert not [e for e in order_events(pending) if e.event_type == "orders.order.inventory_allocated"]


def test_ship_action_asks_for_carrier_and_tracking_numbers_then_ships_each_order(client, admin_dispatcher):
    first, second = in_state("ready_to_ship"), in_state("ready_to_ship")
    not_ready = in_state("allocated")

    response = act(client, "ship", first, second, not_ready)
    assert response.status_code == 302
    form_page = client.get(response["Location"])
    assert form_page.status_code == 200
    assert [o.number for o in form_page.context["form"].orders] == [first.number, second.number]
    assert [o.number for o in form_page.context["refused"]] == [not_ready.number]

    response = client.post(response["Location"], {
        "ids": form_page.context["ids"], "carrier": "Colissimo",
        f"tracking_{first.pk}": "6A111", f"tracking_{second.pk}": "6A222",
    })

    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    first.refresh_from_db()
    second.refresh_from_db()
    not_ready.refresh_from_db()
    assert (first.status, first.carrier, first.tracking_number) == ("shipped", "Colissimo", "6A111")
    assert (second.status, second.tracking_number) == ("shipped", "6A222")
    assert not_ready.status == "allocated"
    shipped = order_events(first)[-1]
    assert shipped.event_type == "orders.order.shipped" and shipped.payload["tracking_number"] == "6A111"
    assert shipped.channel == "admin" and shipped.actor == admin_dispatcher
    assert any(not_ready.number in m and "cannot be shipped" in m for m in messages_of(response))


@pytest.mark.parametrize(("carrier", "tracking", "field"), [("", "6A1", "carrier"), ("DPD", "  ", "tracking"), ("DPD", "x" * 81, "tracking")])
def test_ship_form_refuses_bad_input_and_ships_nothing(client, admin_dispatcher, carrier, tracking, field):
    order = in_state("ready_to_ship")
    url = f"{reverse('admin:orders_order_ship')}?ids={order.pk}"

    response = client.post(url, {"ids": str(order.pk), "carrier": carrier, f"tracking_{order.pk}": tracking})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (f"tracking_{order.pk}" if field == "tracking" else "carrier") in errors
    order.refresh_from_db()
    assert order.status == "ready_to_ship" and order.tracking_number == ""


@pytest.mark.django_db(transaction=True)  # as in production: the refund is made once the cancel committed
def test_cancel_action_asks_for_a_reason_releases_stock_and_refunds_a_paid_order(client, admin_dispatcher):
    paid = in_state("allocated", quantity=2, price="30.00")
    batch = StockBatch.objects.get(batch_number=paid.lines.get().allocations.get().batch_number)
    on_hand = batch.quantity_on_hand
    shipped = in_state("shipped")

    response = act(client, "cancel", paid, shipped)
    url = response["Location"]
    assert client.post(url, {"ids": f"{paid.pk},{shipped.pk}", "reason": "  "}).context["form"].errors["reason"]
    paid.refresh_from_db()
    assert paid.status == "allocated"

    response = client.post(url, {"ids": f"{paid.pk},{shipped.pk}", "reason": "customer called"})

    paid.refresh_from_db()
    shipped.refresh_from_db()
    assert (paid.status, paid.cancel_reason, paid.payment_status) == ("cancelled", "customer called", "refunded")
    assert paid.refunded_amount == paid.paid_amount == Decimal("60.00")
    assert shipped.status == "shipped"
    batch.refresh_from_db()
    assert batch.quantity_on_hand == on_hand + 2  # allocated units went back to their batch
    kinds = [e.event_type for e in order_events(paid)][-2:]
    assert kinds == ["orders.order.cancelled", "orders.order.refunded"]
    messages = messages_of(response)
    assert any(paid.number in m and "refunded 60.00 EUR" in m for m in messages)
    assert any(shipped.number in m and "cannot be cancelled" in m for m in messages)


def test_order_page_buttons_run_the_same_transitions(client, admin_dispatcher):
    order = in_state("paid")

    page = client.get(change_url(order))
    labels = [tool["label"] for tool in page.context["order_tools"]]
    # what "paid" allows a Dispatcher (no refund without the permission), then the printable documents
    assert labels == ["Allocate stock", "Cancel…", "Packing slip", "Invoice"]
    url = reverse("admin:orders_order_transition", args=[order.pk, "allocate"])

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == change_url(order)
    order.refresh_from_db()
    assert order.status == "allocated"
    response = client.post(url)  # again: refused, reported, nothing changes
    assert any("cannot be allocated" in m for m in messages_of(response))
    assert client.post(reverse("admin:orders_order_transition", args=[order.pk, "explode"])).status_code == 404


# --- who may do what ------------------------------------------------------------------------------------
def test_sales_staff_see_only_the_orders_of_their_regions_and_cannot_act(client):
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    customer_n, address_n = customer_with_address(profile__sales_region=north)
    customer_s, address_s = customer_with_address(profile__sales_region=south)
    mine = placed_order([(stocked_product(), 1)], customer=customer_n, address=address_n)
    theirs = placed_order([(stocked_product(), 1)], customer=customer_s, address=address_s)
    sales = StaffFactory(groups=["Sales"], password=NO_PASSWORD)
    sales.sales_regions.add(north)
    client.force_login(sales)

    response = client.get(reverse(CHANGELIST))

    assert [o.number for o in response.context["cl"].result_list] == [mine.number]
    assert client.get(change_url(mine)).status_code == 200
    assert client.get(change_url(theirs)).status_code == 302  # "does not exist" for them
    assert [t["label"] for t in client.get(change_url(mine)).context["order_tools"]] == ["Packing slip"]  # printing only
    act(client, "confirm", mine)
    mine.refresh_from_db()
    assert mine.status == "pending"
    assert client.get(f"{reverse('admin:orders_order_ship')}?ids={mine.pk}").status_code == 403


def test_customers_get_no_orders_back_office(client):
    customer = CustomerFactory(password=NO_PASSWORD)
    client.force_login(customer)
    order = in_state("paid")

    for url in (reverse(CHANGELIST), change_url(order), reverse("admin:orders_order_refund", args=[order.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_refund_needs_refund_orders_and_lifecycle_needs_manage_orders(client, admin_dispatcher):
    order = in_state("delivered")
    assert client.get(reverse("admin:orders_order_refund", args=[order.pk])).status_code == 403

    helpdesk = StaffFactory(groups=["Support"], password=NO_PASSWORD)
    client.force_login(helpdesk)
    assert client.get(reverse("admin:orders_order_refund", args=[order.pk])).status_code == 200
    assert client.post(reverse("admin:orders_order_transition", args=[order.pk, "complete"])).status_code == 403
    assert [t["label"] for t in client.get(change_url(order)).context["order_tools"]] == ["Refund…", "Packing slip", "Invoice"]


# --- refunds --------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_refund_form_calls_the_gateway_outside_any_transaction(client, admin_support, monkeypatch):
    """The form calls the refund service as it is: not inside a transaction of its own, which would
    hold the order's lock across the gateway call (and lock the order again after the gateway's rows)."""
    from orders.gateways import SandboxCardGateway

    order = in_state("delivered", quantity=2, price="30.00")
    calls, real = [], SandboxCardGateway.refund

    def refund(gateway, **kwargs):
        calls.append(connection.in_atomic_block)
        return real(gateway, **kwargs)

    monkeypatch.setattr(SandboxCardGateway, "refund", refund)

    response = client.post(reverse("admin:orders_order_refund", args=[order.pk]),
                           {"kind": "amount", "amount": "12.50", "reason": "late delivery"})

    assert response.status_code == 302 and calls == [False]
    assert Refund.objects.get().status == "succeeded"


def test_refund_form_refunds_an_amount_through_the_gateway(client, admin_support):
    order = in_state("delivered", quantity=2, price="30.00")  # 60.00, free shipping over 50
    url = reverse("admin:orders_order_refund", args=[order.pk])
    response = act(client, "refund", order)
    assert response["Location"] == url
    assert client.get(url).status_code == 200

    response = client.post(url, {"kind": "amount", "amount": "12.50", "reason": "late delivery"})

    assert response.status_code == 302 and response["Location"] == change_url(order)
    order.refresh_from_db()
    assert (order.refunded_amount, order.payment_status, order.status) == (Decimal("12.50"), "partially_refunded", "delivered")
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.status) == (Decimal("12.50"), "late delivery", "succeeded")
    event = order_events(order)[-1]
    assert event.event_type == "orders.order.refunded" and event.actor == admin_support and event.channel == "admin"
    assert event.payload["amount"] == "12.50" and event.payload["full"] is False


def test_refund_form_refunds_units_of_a_line_and_then_everything(client, admin_support):
    order = in_state("delivered", quantity=4, price="15.00")  # 60.00
    line = order.lines.get()
    url = reverse("admin:orders_order_refund", args=[order.pk])

    client.post(url, {"kind": "lines", f"line_{line.pk}": "1", "reason": "one broken"})

    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.refunded_quantity, line.refunded_amount, order.refunded_amount) == (1, Decimal("15.00"), Decimal("15.00"))

    client.post(url, {"kind": "full", "reason": "all returned"})

    order.refresh_from_db()
    assert (order.status, order.payment_status, order.refunded_amount) == ("refunded", "refunded", Decimal("60.00"))
    response = client.get(url)  # nothing left: back to the order, saying why
    assert response.status_code == 302 and any("is refunded; it cannot be refunded" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "amount", "amount": "60.01"}, "amount", "At most 60.00"),
        ({"kind": "amount", "amount": ""}, "amount", "Enter the amount"),
        ({"kind": "amount", "amount": "-5"}, "amount", "greater than or equal to 0.01"),
        ({"kind": "amount", "amount": "abc"}, "amount", "Enter a number"),
        ({"kind": "lines"}, "__all__", "Choose at least one unit"),
        ({"kind": "lines", "LINE": "5"}, "LINE", "less than or equal to 4"),
        ({"kind": "full", "amount": "3"}, "amount", "only for a refund of an amount"),
        ({"kind": "amount", "amount": "5", "reason": ""}, "reason", "required"),
    ],
)
def test_refund_form_with_bad_input_shows_the_error_and_changes_nothing(client, admin_support, data, field, message):
    order = in_state("delivered", quantity=4, price="15.00")  # 60.00
    line = order.lines.get()
    data = {"reason": "goodwill", **{(f"line_{line.pk}" if k == "LINE" else k): v for k, v in data.items()}}
    field = f"line_{line.pk}" if field == "LINE" else field
    events_before = DomainEvent.objects.count()

    response = client.post(reverse("admin:orders_order_refund", args=[order.pk]), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert message in response.content.decode()
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.refunded_amount, order.payment_status, line.refunded_quantity) == (Decimal("0"), "paid", 0)
    assert not Refund.objects.exists() and DomainEvent.objects.count() == events_before


def test_refund_of_an_unpaid_order_is_refused_with_a_message(client, admin_support):
    order = in_state("pending")
    cash = placed_order([(stocked_product(), 1)], payment_method="cod")
    lifecycle.order_confirm(order=cash)
    lifecycle.order_allocate(order=cash)  # not delivered yet: no cash collected

    response = client.get(reverse("admin:orders_order_refund", args=[order.pk]))

    assert response.status_code == 302 and response["Location"] == change_url(order)
    assert any(order.number in m and "cannot be refunded" in m for m in messages_of(response))
    response = client.get(reverse("admin:orders_order_refund", args=[cash.pk]))
    assert response.status_code == 302 and any(f"{cash.number} has no payment left to refund" in m for m in messages_of(response))
    response = act(client, "refund", order, cash)
    assert any("exactly one order" in m for m in messages_of(response))
    assert not Refund.objects.exists()


# --- the read-only browsers -----------------------------------------------------------------------------
def test_carts_summaries_and_gateway_notifications_are_read_only(client, superuser):
    client.force_login(superuser)
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 2)])
    order = in_state("paid")
    payment_notification_process(gateway="sandbox", notification_id="evt_1", event="charge.succeeded", data={"x": 1})
    rows = {
        "cart": Cart.objects.get(pk=cart.pk),
        "ordersummary": OrderSummary.objects.get(order_id=order.pk),
        "gatewaynotification": GatewayNotification.objects.get(),
    }

    for name, obj in rows.items():
        assert client.get(reverse(f"admin:orders_{name}_changelist")).status_code == 200, name
        page = client.get(reverse(f"admin:orders_{name}_change", args=[obj.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), name
        assert client.post(reverse(f"admin:orders_{name}_change", args=[obj.pk]), {}).status_code == 403, name
        assert client.get(reverse(f"admin:orders_{name}_add")).status_code == 403, name
        assert client.post(reverse(f"admin:orders_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403, name
    cart_page = client.get(reverse("admin:orders_cart_change", args=[cart.pk])).content.decode()
    assert "2" in cart_page and customer.username in cart_page
    assert Cart.objects.filter(pk=cart.pk, status="open").exists()
