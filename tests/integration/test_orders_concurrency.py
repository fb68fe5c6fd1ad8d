"""Concurrent checkouts and payments on MariaDB: real threads, each with its own connection."""

from collections import Counter
from decimal import Decimal

import pytest

from commerce.catalog.errors import InsufficientStock
from commerce.catalog.models import StockBatch, StockReservation
from orders.models import Order, Payment, SandboxCharge
from orders.services.checkout import order_create_from_cart
from orders.services.payments import order_pay
from tests.integration.concurrency import assert_counters_sane, run_in_threads
from tests.orders.factories import GOOD_CARD, customer_with_address, filled_cart, placed_order, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_checkouts_for_the_last_five_units():
    product = stocked_product(quantity=5)
    shoppers = []
    for _ in range(20):
        customer, address = customer_with_address()
        shoppers.append((customer, address, filled_cart(customer, [(product, 1)])))

    def checkout(customer, address, cart):
        return lambda: order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card").number

    outcomes = run_in_threads([checkout(*s) for s in shoppers])

    kinds = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in outcomes)
    assert kinds == {"ok": 5, "InsufficientStock": 15}, outcomes
    assert all(isinstance(v, InsufficientStock) and v.code == "insufficient_stock" for k, v in outcomes if k == "error")
    assert Order.objects.count() == 5
    batch = StockBatch.objects.get(product=product)
    assert (batch.quantity_on_hand, batch.quantity_reserved) == (5, 5)
    active = StockReservation.objects.filter(status="active")
    assert set(active.values_list("reference", flat=True)) == {o.reference for o in Order.objects.all()}  # no orphans
    assert_counters_sane()


def test_racing_payments_with_one_key_charge_once():
    order = placed_order([(stocked_product(), 1)])

    def pay():
        return order_pay(order=order.pk, customer=order.customer, card=GOOD_CARD, idempotency_key="same-key").pk

    outcomes = run_in_threads([pay for _ in range(6)])

    paid = {value for kind, value in outcomes if kind == "ok"}
    assert len(paid) == 1, outcomes  # every winner saw the same payment
    assert Payment.objects.filter(status="captured").count() == 1
    assert SandboxCharge.objects.count() == 1
    order.refresh_from_db()
    assert order.paid_amount == order.total_amount and order.status == "paid"


def test_racing_full_refunds_of_one_order_refund_once():
    from orders.errors import InvalidTransition, RefundInvalid
    from orders.models import Refund
    from orders.services.payments import order_refund
    from tests.orders.factories import paid_order

    order = paid_order([(stocked_product(price="10.00"), 2)])

    def refund():
        return order_refund(order=order.pk, reason="race").refunded_amount

    outcomes = run_in_threads([refund for _ in range(6)])

    kinds = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in outcomes)
    # one wins; the others see its refund (pending or done) and are refused, or find nothing left to refund
    assert kinds["ok"] == 1 and sum(kinds.values()) == 6, outcomes
    assert all(isinstance(v, RefundInvalid | InvalidTransition) for k, v in outcomes if k == "error"), outcomes
    order.refresh_from_db()
    assert (order.refunded_amount, order.status) == (order.paid_amount, "refunded")
    assert list(Refund.objects.values_list("status", flat=True)) == ["succeeded"]
    assert SandboxCharge.objects.get().refunded_amount == order.paid_amount  # the gateway refunded once


def test_webhook_settle_racing_a_refund_of_the_same_order_neither_deadlocks():
    """A gateway's late ``charge.succeeded`` for a payment already captured (the webhook and the
    response racing) settles under the order's lock, like a refund: payment-then-order against
    order-then-payment was a deadlock. Each round runs one webhook and one partial refund at once."""
    from orders.models import Refund
    from orders.services.payments import order_refund, payment_notification_process
    from tests.orders.factories import paid_order

    order = paid_order([(stocked_product(price="20.00"), 1)])
    payment = Payment.objects.get(order=order, status="captured")
    data = {"idempotency_key": payment.idempotency_key, "reference": payment.gateway_reference}
    rounds = 8
    for round_ in range(rounds):
        def webhook(round_=round_):
            return payment_notification_process(gateway="sandbox", notification_id=f"evt_{round_}",
                                                event="charge.succeeded", data=data)

        def refund(round_=round_):
            return order_refund(order=order.pk, amount=Decimal("1.00"), reason=f"round {round_}").refunded_amount

        outcomes = run_in_threads([webhook, refund])
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes  # a deadlock is an OperationalError here

    order.refresh_from_db()
    assert order.refunded_amount == Decimal("1.00") * rounds
    assert order.paid_amount == order.total_amount  # the late webhooks added nothing
    assert Refund.objects.filter(order=order, status="succeeded").count() == rounds
