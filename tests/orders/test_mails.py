"""The order mails: each sent once, after commit, with the right content, in HTML and text."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from commerce.audit import bus
from commerce.mail.models import Mail
from orders.errors import PaymentDeclined
from orders.services import lifecycle
from orders.services.checkout import checkout_place_and_pay
from orders.services.payments import order_pay, order_refund
from tests.factories import customer_with_address, events
from tests.orders.factories import DECLINED_CARD, checkout_form_data, filled_cart, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://shop.example.com"
    settings.SHOP_NAME = "Lyon Market"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed(call)``: run ``call`` and what its transactions do after commit (the bus, the mails)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def html_of(mail) -> str:
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    return html


def shipped_order(committed, *, carrier="Colissimo", tracking="6A12345678901"):
    order = committed(lambda: paid_order([(stocked_product(price="10.00"), 2)]))
    for step in (lifecycle.order_allocate, lifecycle.order_mark_ready):
        committed(lambda step=step: step(order=order))
    return committed(lambda: lifecycle.order_ship(order=order, carrier=carrier, tracking_number=tracking))


def test_a_card_checkout_on_the_page_sends_one_confirmation_with_lines_totals_and_an_absolute_link(shopper, committed, mailoutbox):
    # given: a shopper with two products in the cart
    filled_cart(shopper.customer, [(stocked_product(price="12.50", name="Comté 18 months"), 2), (stocked_product(price="3.00"), 1)])
    shopper.customer.first_name = "Ada"
    shopper.customer.save()

    # when: they check out on the page with a good card
    response = committed(lambda: shopper.post(reverse("orders:checkout"), checkout_form_data(shopper)))

    # then: one confirmation, after commit, to their address
    assert response.status_code == 302
    [mail] = mailoutbox
    order = shopper.customer.orders.get()
    assert mail.to == [shopper.customer.email] and mail.subject == f"Order {order.number} confirmed"
    assert "Hello Ada," in mail.body and "2 x Comté 18 months" in mail.body and "25.00 EUR" in mail.body
    assert f"Total: {order.total}" in mail.body and f"Paid by card: {order.total}." in mail.body
    assert f"Your order: https://shop.example.com/orders/{order.number}/" in mail.body
    html = html_of(mail)
    assert f'href="https://shop.example.com/orders/{order.number}/"' in html and "Lyon Market" in html
    assert "Comté 18 months" in html and "Ada" in html  # shipping address
    assert Mail.objects.get().key == f"orders.order.confirmed:{order.number}"


def test_cash_on_delivery_is_confirmed_with_what_to_pay_the_courier(committed, mailoutbox):
    order = committed(lambda: placed_order([(stocked_product(price="10.00"), 1)], payment_method="cod"))
    assert mailoutbox == []  # placed, not yet confirmed

    committed(lambda: order_pay(order=order, customer=order.customer))

    [mail] = mailoutbox
    assert f"Cash on delivery: {order.total} to pay the courier." in mail.body


def test_a_declined_card_at_checkout_sends_one_payment_failure_and_no_confirmation(committed, mailoutbox):
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(price="10.00"), 1)])

    def pay():
        with pytest.raises(PaymentDeclined) as refused:
            checkout_place_and_pay(customer=customer, address_id=address.pk, payment_method="card", card=DECLINED_CARD,
                                   idempotency_key="declined-1")
        return refused.value

    error = committed(pay)

    [mail] = mailoutbox
    number = error.extra["order_number"]
    assert mail.subject == f"Payment for order {number} did not go through"
    assert "the card was declined (" in mail.body and "Nothing was charged." in mail.body
    assert "https://shop.example.com/cart/" in mail.body and 'href="https://shop.example.com/cart/"' in html_of(mail)
    assert Mail.objects.get().template == "orders/mail/payment_failed"


def test_an_event_handled_twice_sends_one_mail(committed, mailoutbox):
    order = shipped_order(committed)
    [shipped] = events("orders.order.shipped")
    assert len(mailoutbox) == 2  # the confirmation and the shipment

    # when: the reaction runs again (a worker died after sending, the task was delivered again)
    committed(lambda: bus.run_handler(shipped.pk, "orders.mails.order_shipped"))
    committed(lambda: bus.run_handler(shipped.pk, "orders.mails.order_shipped"))

    assert len(mailoutbox) == 2
    assert Mail.objects.filter(key=f"orders.order.shipped:{order.number}").count() == 1


def test_shipped_mail_links_the_tracking_number_to_a_known_carrier(committed, mailoutbox):
    order = shipped_order(committed, carrier="Colissimo", tracking="6A 123/45")

    mail = mailoutbox[-1]
    url = "https://www.laposte.fr/outils/suivre-vos-envois?code=6A%20123%2F45"
    assert mail.subject == f"Order {order.number} is on its way"
    assert "with Colissimo." in mail.body and "Tracking number: 6A 123/45" in mail.body and f"Follow your parcel: {url}" in mail.body
    assert f'<a href="{url}">6A 123/45</a>' in html_of(mail)


def test_shipped_mail_with_an_unknown_carrier_shows_the_number_without_a_link(committed, mailoutbox):
    shipped_order(committed, carrier="Bob's <b>Van</b>", tracking="BV-1")

    mail = mailoutbox[-1]
    html = html_of(mail)
    assert "Follow your parcel" not in mail.body and "Tracking number: BV-1" in mail.body
    assert "<strong>BV-1</strong>" in html and "Bob&#x27;s &lt;b&gt;Van&lt;/b&gt;" in html
    assert "with Bob's <b>Van</b>." in mail.body


def test_a_customer_cancelling_a_paid_order_is_told_it_is_refunded_and_their_reason_is_escaped(committed, mailoutbox):
    order = committed(lambda: paid_order([(stocked_product(price="10.00"), 2)]))
    reason = '<img src=x onerror="alert(1)"> wrong size & colour'

    committed(lambda: lifecycle.order_cancel(order=order, reason=reason, by_customer=order.customer))

    confirmed, mail, refunded = mailoutbox  # the refund the cancellation made has its own mail
    assert mail.subject == f"Order {order.number} cancelled"
    assert f"Reason: {reason}" in mail.body and f"What you paid, {order.total}, is refunded" in mail.body
    html = html_of(mail)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; wrong size &amp; colour" in html
    assert (confirmed.subject, refunded.subject) == (f"Order {order.number} confirmed", f"Order {order.number} refunded")


def test_an_unpaid_order_cancelled_says_nothing_was_charged(committed, mailoutbox):
    order = committed(lambda: placed_order([(stocked_product(), 1)]))

    committed(lambda: lifecycle.order_cancel(order=order, reason=""))

    [mail] = mailoutbox
    assert "Nothing was charged." in mail.body and "Reason" not in mail.body


def test_each_refund_sends_its_own_mail_once(committed, mailoutbox):
    order = committed(lambda: paid_order([(stocked_product(price="10.00"), 3)]))
    line = order.lines.get()

    committed(lambda: order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}], reason="one was broken"))
    committed(lambda: order_refund(order=order, amount=Decimal("5.00"), reason="late delivery"))
    order.refresh_from_db()
    committed(lambda: order_refund(order=order, reason="all of it"))

    confirmation, part, amount, rest = mailoutbox
    assert part.subject == f"Part of order {order.number} refunded" and "1 x Product" in part.body
    assert "we have refunded 10.00 EUR" in part.body and "Reason: one was broken" in part.body
    assert "we have refunded 5.00 EUR" in amount.body and "Refunded on this order so far: 15.00 EUR" in amount.body
    assert rest.subject == f"Order {order.number} refunded" and ": the whole order." in rest.body
    keys = sorted(Mail.objects.filter(template="orders/mail/refunded").values_list("key", flat=True))
    assert len(set(keys)) == 3 and all(k.startswith(f"orders.order.refunded:{order.number}:") for k in keys)


def test_a_customer_without_an_e_mail_address_gets_no_mail(committed, mailoutbox):
    customer, address = customer_with_address(email="")

    committed(lambda: paid_order([(stocked_product(), 1)], customer=customer, address=address))

    assert mailoutbox == [] and Mail.objects.count() == 0


def test_a_rolled_back_command_sends_no_mail(committed, mailoutbox):
    order = committed(lambda: paid_order([(stocked_product(), 1)]))
    for step in (lifecycle.order_allocate, lifecycle.order_mark_ready):
        committed(lambda step=step: step(order=order))
    mailoutbox.clear()

    def ship_then_fail():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            lifecycle.order_ship(order=order, carrier="GLS", tracking_number="1")
            raise ZeroDivisionError

    committed(ship_then_fail)

    assert mailoutbox == [] and not Mail.objects.filter(template="orders/mail/shipped").exists()


@pytest.mark.django_db(transaction=True)  # committed as seed_demo commits: the refunds of cancelled orders follow the commit
def test_demo_orders_send_no_mail(mailoutbox):
    # given: demo customers and stock
    for _ in range(3):
        customer_with_address()
    for _ in range(4):
        stocked_product(quantity=50)

    # when: seed_demo's orders are placed (confirmed, shipped, cancelled, refunded, declined ones)
    call_command("seed_demo_orders", orders=12, stdout=io.StringIO())

    # then: none of their events mailed anyone, and the bus works again afterwards
    assert events("orders.order.shipped") and events("orders.order.confirmed")
    assert events("orders.order.refunded") and events("orders.payment.processed")
    assert mailoutbox == [] and Mail.objects.count() == 0
    paid_order([(stocked_product(), 1)])
    assert len(mailoutbox) == 1
