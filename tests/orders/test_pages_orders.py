"""Order pages through the test client: confirmation, history, detail with timeline, cancel, reorder, pay again."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from commerce.catalog import inventory
from commerce.catalog.inventory import available_quantities
from commerce.catalog.services import product_update
from orders.errors import PaymentGatewayError
from orders.models import Cart, CartLine, Order, Payment, SandboxCharge
from orders.services.lifecycle import order_allocate, order_cancel, order_mark_ready, order_ship
from orders.services.payments import order_pay
from tests.factories import CustomerFactory, ProductFactory, StaffFactory, days_ahead, messages_of
from tests.orders.factories import LOST_CARD, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db

ORDERS = reverse("orders:order_list")


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def order_for(shopper, items, *, paid=True, payment_method="card"):
    make = paid_order if paid else placed_order
    return make(items, customer=shopper.customer, address=shopper.address, payment_method=payment_method)


# --- history --------------------------------------------------------------------------------------------
def test_order_list_shows_the_customers_orders_newest_first_and_paginates(shopper):
    product = stocked_product(quantity=100, name="Daily Bread")
    orders = [order_for(shopper, [(product, 1)]) for _ in range(11)]
    someone_else = paid_order([(product, 1)])

    first = shopper.get(ORDERS).content.decode()
    second = shopper.get(ORDERS + "?page=2").content.decode()

    assert first.count('<a class="code" href="/orders/') == 10
    assert second.count('<a class="code" href="/orders/') == 1
    assert orders[-1].number in first and orders[0].number in second
    assert someone_else.number not in first + second
    assert "Paid" in first and "Daily Bread" in first and "14.90 EUR" in first


def test_order_list_suggests_what_the_customer_buys_again(shopper):
    bread, jam, once = stocked_product(name="Daily Bread"), stocked_product(name="Plum Jam"), stocked_product(name="Once Only")
    order_for(shopper, [(bread, 1), (jam, 1)])
    order_for(shopper, [(bread, 2), (once, 1)])
    order_for(shopper, [(jam, 1)])

    html = shopper.get(ORDERS).content.decode()

    section = html.split('id="buy-again-title"')[1].split("</section>")[0]
    assert "Daily Bread" in section and "Plum Jam" in section and "Once Only" not in section
    assert section.count(f'action="{reverse("orders:cart_add")}"') == 2


def test_order_list_without_orders_invites_to_shop(shopper):
    html = shopper.get(ORDERS).content.decode()
    assert "No orders yet" in html and "Buy again" not in html


def test_order_pages_need_log_in(client):
    order = paid_order([(stocked_product(), 1)])
    for url in (ORDERS, order.get_absolute_url(), reverse("orders:order_confirmation", args=[order.number])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# --- detail ---------------------------------------------------------------------------------------------
def test_the_customer_sees_best_before_dates_and_staff_the_batch_numbers(shopper):
    cheese = ProductFactory(name="Brie", is_perishable=True)
    inventory.stock_receive(product=cheese, batch_number="BRIE-2405", quantity=2, expires_on=days_ahead(5))
    inventory.stock_receive(product=cheese, batch_number="BRIE-2406", quantity=5, expires_on=days_ahead(9))
    order = order_for(shopper, [(cheese, 4)])
    order_allocate(order=order)

    html = shopper.get(order.get_absolute_url()).content.decode()

    assert "BRIE-24" not in html
    dates = ", ".join(f"{d.day} {d:%b %Y}" for d in (days_ahead(5), days_ahead(9)))
    assert f"Best before {dates}" in html
    support = Client()
    support.force_login(StaffFactory(groups=["Support"]))
    staff_html = support.get(order.get_absolute_url()).content.decode()
    assert 'Batch <span class="code">BRIE-2405</span> × 2' in staff_html
    assert 'Batch <span class="code">BRIE-2406</span> × 2' in staff_html


def test_order_detail_shows_lines_batches_totals_address_payments_and_timeline(shopper):
    product = stocked_product(price="10.00", name="Olive Oil")
    order = order_for(shopper, [(product, 3)])
    order_allocate(order=order)
    order_mark_ready(order=order)
    order_ship(order=order, carrier="ParcelCo", tracking_number="PC123456")

    html = shopper.get(order.get_absolute_url()).content.decode()

    assert order.number in html and "Shipped" in html
    assert "Olive Oil" in html and product.code in html
    batch = order.lines.get().allocations.get().batch_number
    assert batch not in html  # batch numbers are for staff
    assert "34.90 EUR" in html and "1 Rue" in html and "69001 Lyon" in html
    assert "card ending 4242" in html and "Captured" in html
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    labels = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert labels == ["Order placed", "Payment received", "Order confirmed", "Paid in full", "Picked from stock",
                      "Packed and ready to ship", "Shipped"]
    assert "ParcelCo, tracking PC123456" in timeline
    assert "Cancel order" not in html  # being prepared: no longer cancellable by the customer
    assert "Order again" in html


def test_order_detail_of_someone_elses_order_is_404_everywhere(shopper):
    theirs = paid_order([(stocked_product(), 1)])
    pending = placed_order([(stocked_product(), 1)])
    for order in (theirs, pending):
        for name in ("order_detail", "order_confirmation", "order_cancel", "order_pay"):
            assert shopper.get(reverse(f"orders:{name}", args=[order.number])).status_code == 404, name
        assert shopper.post(reverse("orders:order_cancel", args=[order.number])).status_code == 404
        assert shopper.post(reverse("orders:order_reorder", args=[order.number])).status_code == 404
        assert shopper.post(reverse("orders:order_pay", args=[order.number]), {}).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == "paid" and Order.objects.get(pk=pending.pk).status == "pending"
    assert not CartLine.objects.filter(cart__customer=shopper.customer).exists()
    assert shopper.get(reverse("orders:order_detail", args=["NOPE0-NOPE0"])).status_code == 404


# --- cancel ---------------------------------------------------------------------------------------------
def test_order_cancel_asks_first_then_cancels_refunds_and_releases_stock(shopper, django_capture_on_commit_callbacks):
    product = stocked_product(quantity=5)
    order = order_for(shopper, [(product, 2)])
    url = reverse("orders:order_cancel", args=[order.number])

    confirm = shopper.get(url)
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    assert Order.objects.get(pk=order.pk).status == "paid"  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):  # the refund runs once the cancel committed
        response = shopper.post(url, {"reason": "Ordered by mistake"})

    order.refresh_from_db()
    assert response.url == order.get_absolute_url()
    assert (order.status, order.cancel_reason, order.payment_status) == ("cancelled", "Ordered by mistake", "refunded")
    assert available_quantities([product.pk]) == {product.pk: 5}
    assert any("was cancelled" in m for m in messages_of(response))
    html = shopper.get(order.get_absolute_url()).content.decode()
    assert "Cancelled: Ordered by mistake." in html and "Refunds" in html


def test_order_cancel_once_prepared_is_refused_and_changes_nothing(shopper):
    order = order_for(shopper, [(stocked_product(), 1)])
    order_allocate(order=order)
    url = reverse("orders:order_cancel", args=[order.number])

    shown = shopper.get(url)
    posted = shopper.post(url, {"reason": "changed my mind"})

    assert shown.url == posted.url == order.get_absolute_url()
    assert Order.objects.get(pk=order.pk).status == "allocated"
    assert any("contact support" in m for m in messages_of(posted))


def test_order_cancel_with_a_too_long_reason_shows_the_error(shopper):
    order = order_for(shopper, [(stocked_product(), 1)])
    response = shopper.post(reverse("orders:order_cancel", args=[order.number]), {"reason": "x" * 201})
    assert response.status_code == 200 and "at most 200 characters" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "paid"


# --- reorder --------------------------------------------------------------------------------------------
def test_order_reorder_puts_the_items_in_the_cart_and_lists_what_was_skipped(shopper):
    kept, retired = stocked_product(name="Kept Tea"), stocked_product(name="Retired Tea")
    order = order_for(shopper, [(kept, 2), (retired, 1)])
    product_update(product=retired, data={"is_active": False})

    response = shopper.post(reverse("orders:order_reorder", args=[order.number]))

    assert response.url == reverse("orders:cart")
    cart = Cart.objects.get(customer=shopper.customer, status=Cart.Status.OPEN)
    assert list(cart.lines.values_list("product_id", "quantity")) == [(kept.pk, 2)]
    notes = messages_of(response)
    assert any(f"The items of order {order.number} are in your cart" in m for m in notes)
    assert f"Not added: {retired.code} (no longer for sale)." in notes


def test_order_reorder_needs_post(shopper):
    order = order_for(shopper, [(stocked_product(), 1)])
    assert shopper.get(reverse("orders:order_reorder", args=[order.number])).status_code == 405


# --- paying a pending order -----------------------------------------------------------------------------
def card(number, key, **overrides):
    return {"card_number": number, "exp_month": "12", "exp_year": str(LOST_CARD.exp_year), "cvc": "123", "idempotency_key": key, **overrides}


def test_order_pay_declined_keeps_the_order_payable_then_a_good_card_pays_it_once(shopper):
    order = order_for(shopper, [(stocked_product(price="20.00"), 1)], paid=False)
    url = reverse("orders:order_pay", args=[order.number])
    detail = shopper.get(order.get_absolute_url()).content.decode()
    assert "Pay now" in detail and "waiting for payment" in detail

    key = hidden(shopper.get(url).content.decode(), "idempotency_key")
    declined = shopper.post(url, card("4000000000000002", key))

    assert declined.status_code == 200
    assert "Your card was not charged: The card was declined." in declined.content.decode()
    assert Order.objects.get(pk=order.pk).status == "pending"

    good_key = hidden(shopper.get(url).content.decode(), "idempotency_key")
    paid = shopper.post(url, card("4242424242424242", good_key))
    again = shopper.post(url, card("4242424242424242", good_key))

    assert paid.url == reverse("orders:order_confirmation", args=[order.number])
    assert again.url == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == "paid" and SandboxCharge.objects.count() == 1
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["declined", "captured"]
    timeline = shopper.get(order.get_absolute_url()).content.decode()
    assert "Card declined" in timeline and "Payment received" in timeline


def test_order_pay_bad_card_input_changes_nothing(shopper):
    order = order_for(shopper, [(stocked_product(), 1)], paid=False)
    url = reverse("orders:order_pay", args=[order.number])

    response = shopper.post(url, card("1234", "k1", cvc=""))

    html = response.content.decode()
    assert "This is not a valid card number." in html and "This field is required." in html
    assert not Payment.objects.filter(order=order).exists()


def test_order_pay_for_an_order_with_nothing_due_goes_to_the_order(shopper):
    order = order_for(shopper, [(stocked_product(), 1)])
    response = shopper.get(reverse("orders:order_pay", args=[order.number]))
    assert response.url == order.get_absolute_url()
    cod = order_for(shopper, [(stocked_product(), 1)], paid=False, payment_method="cod")
    assert shopper.get(reverse("orders:order_pay", args=[cod.number])).url == cod.get_absolute_url()


def test_order_detail_timeline_names_a_cancellation_and_its_reason(shopper):
    order = order_for(shopper, [(stocked_product(), 1)], paid=False)
    order_cancel(order=order, reason="payment not received in time")
    html = shopper.get(order.get_absolute_url()).content.decode()
    assert "<strong>Cancelled</strong>" in html and "Payment not received in time" in html
    assert "Pay now" not in html and "Cancel order" not in html


def test_order_confirmation_by_another_customer_is_404(client):
    order = paid_order([(stocked_product(), 1)])
    client.force_login(CustomerFactory())
    assert client.get(reverse("orders:order_confirmation", args=[order.number])).status_code == 404


def test_order_with_a_payment_in_flight_cannot_be_cancelled_or_paid_again(shopper):
    order = order_for(shopper, [(stocked_product(), 1)], paid=False)
    with pytest.raises(PaymentGatewayError):
        order_pay(order=order, customer=shopper.customer, idempotency_key="lost-1", card=LOST_CARD)

    detail = shopper.get(order.get_absolute_url()).content.decode()
    cancel = shopper.post(reverse("orders:order_cancel", args=[order.number]), {"reason": "too slow"})
    pay = shopper.get(reverse("orders:order_pay", args=[order.number]))

    assert "We are confirming your payment" in detail and "Cancel order" not in detail and "Pay now" not in detail
    assert cancel.url == pay.url == order.get_absolute_url()
    assert "Your payment is still being confirmed; you can cancel once it is settled." in messages_of(cancel)
    assert Order.objects.get(pk=order.pk).status == "pending"
