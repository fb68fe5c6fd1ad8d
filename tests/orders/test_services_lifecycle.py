import time
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch, StockReservation
from commerce.catalog.selectors import stock_reconcile
from commerce.catalog.traceability import batch_traceability
from orders import read_model
from orders.errors import InvalidTransition, PaymentDeclined, PaymentGatewayError, RefundInvalid, WebhookRejected
from orders.models import OrderSummary, Payment, SandboxCharge
from orders.services import lifecycle, payments
from tests.orders.factories import (
    DECLINED_CARD,
    ERROR_CARD,
    GOOD_CARD,
    LOST_CARD,
    paid_order,
    placed_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db


def order_events(order):
    return list(DomainEvent.objects.filter(stream_type="order", stream_id=str(order.pk)).values_list("event_type", flat=True))


def test_card_payment_pays_the_order_once_per_idempotency_key():
    order = placed_order([(stocked_product(price="20.00"), 2)])

    first = payments.order_pay(order=order, customer=order.customer, card=GOOD_CARD, idempotency_key="k1")
    again = payments.order_pay(order=order, customer=order.customer, card=GOOD_CARD, idempotency_key="k1")

    order.refresh_from_db()
    assert first.pk == again.pk and first.status == Payment.Status.CAPTURED
    assert (order.status, order.payment_status, order.paid_amount) == ("paid", "paid", Decimal("44.90"))
    assert SandboxCharge.objects.count() == 1
    assert order_events(order) == ["orders.order.created", "orders.payment.processed", "orders.order.confirmed", "orders.order.paid"]
    assert order.hold_until is None


def test_declined_card_leaves_the_order_payable():
    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(PaymentDeclined) as err:
        payments.order_pay(order=order, customer=order.customer, card=DECLINED_CARD, idempotency_key="k1")
    assert (err.value.code, err.value.extra["decline_code"]) == ("payment_declined", "card_declined")
    order.refresh_from_db()
    assert order.status == "pending"
    payments.order_pay(order=order, customer=order.customer, card=GOOD_CARD, idempotency_key="k2")
    order.refresh_from_db()
    assert order.status == "paid"
    assert list(order.payments.values_list("status", flat=True)) == ["declined", "captured"]


def test_gateway_error_charges_nothing_and_order_stays_payable():
    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(PaymentGatewayError):
        payments.order_pay(order=order, customer=order.customer, card=ERROR_CARD, idempotency_key="k1")
    order.refresh_from_db()
    assert order.status == "pending" and SandboxCharge.objects.count() == 0
    assert order.payments.get().status == "failed"


def test_lost_gateway_answer_is_settled_later_without_a_second_charge():
    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(PaymentGatewayError) as err:
        payments.order_pay(order=order, customer=order.customer, card=LOST_CARD, idempotency_key="k1")
    assert err.value.code == "payment_pending"
    order.refresh_from_db()
    assert order.status == "pending" and SandboxCharge.objects.count() == 1  # money moved, order does not know yet
    from commerce.errors import Conflict
    with pytest.raises(Conflict):  # a second attempt with another key must not charge again meanwhile
        payments.order_pay(order=order, customer=order.customer, card=GOOD_CARD, idempotency_key="k2")
    assert lifecycle.orders_expire_unpaid(now=timezone.now() + timezone.timedelta(days=1)) == []  # in-flight: not expired

    assert payments.payments_settle_pending(older_than_seconds=-1) == 1

    order.refresh_from_db()
    assert order.status == "paid" and order.paid_amount == order.total_amount
    assert SandboxCharge.objects.count() == 1


def test_webhook_settles_a_pending_payment_once_and_rejects_bad_signatures():
    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(PaymentGatewayError):
        payments.order_pay(order=order, customer=order.customer, card=LOST_CARD, idempotency_key="k1")
    body, now = b'{"id": "evt_1"}', int(time.time())
    good = f"t={now},v1={payments.webhook_signature(body, now, 'secret')}"
    payments.verify_webhook(body=body, header=good, secret="secret")
    with pytest.raises(WebhookRejected):
        payments.verify_webhook(body=body + b" ", header=good, secret="secret")
    with pytest.raises(WebhookRejected):
        old = now - 3600
        payments.verify_webhook(body=body, header=f"t={old},v1={payments.webhook_signature(body, old, 'secret')}", secret="secret")

    data = {"idempotency_key": "k1", "reference": "ch_1"}
    assert payments.payment_notification_process(gateway="sandbox", notification_id="evt_1", event="charge.succeeded", data=data)
    assert not payments.payment_notification_process(gateway="sandbox", notification_id="evt_1", event="charge.succeeded", data=data)
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_amount == order.total_amount


def test_fulfilment_records_batches_on_lines_and_traceability_finds_the_customer():
    product = stocked_product(quantity=5)
    order = paid_order([(product, 3)])

    lifecycle.order_allocate(order=order)
    lifecycle.order_mark_ready(order=order)
    lifecycle.order_ship(order=order, carrier="La Poste", tracking_number="LP123")
    lifecycle.order_deliver(order=order)
    lifecycle.order_complete(order=order)

    line = order.lines.get()
    batch = StockBatch.objects.get(product=product)
    assert [(a.batch_number, a.quantity) for a in line.allocations.all()] == [(batch.batch_number, 3)]
    assert (batch.quantity_on_hand, batch.quantity_reserved) == (2, 0)
    trace = batch_traceability(batch_number=batch.batch_number)
    assert trace.customer_ids == [order.customer_id]
    assert trace.entries[0].details["order"] == order.number
    assert order_events(order)[-5:] == [
        "orders.order.inventory_allocated", "orders.order.ready_to_ship", "orders.order.shipped",
        "orders.order.delivered", "orders.order.completed",
    ]
    assert OrderSummary.objects.get(order_id=order.pk).status == "completed"


def test_illegal_transitions_are_refused():
    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(InvalidTransition):
        lifecycle.order_ship(order=order, carrier="UPS", tracking_number="1Z")
    with pytest.raises(InvalidTransition):
        lifecycle.order_allocate(order=order)  # a card order must be paid first
    with pytest.raises(InvalidTransition):
        payments.order_refund(order=order)
    order.refresh_from_db()
    assert order.status == "pending"


def test_cancel_releases_stock_and_refunds_what_was_paid(django_capture_on_commit_callbacks):
    product = stocked_product(quantity=5)
    order = paid_order([(product, 2)])

    with django_capture_on_commit_callbacks(execute=True):  # the refund runs once the cancel committed
        lifecycle.order_cancel(order=order, reason="changed my mind", by_customer=order.customer)

    order.refresh_from_db()
    assert (order.status, order.payment_status, order.refunded_amount) == ("cancelled", "refunded", order.total_amount)
    assert StockReservation.objects.get(reference=order.reference).status == "released"
    assert StockBatch.objects.get(product=product).quantity_available == 5
    assert stock_reconcile() == []
    summary = OrderSummary.objects.get(order_id=order.pk)
    assert (summary.status, summary.payment_status) == ("cancelled", "refunded")


def test_customer_cannot_cancel_after_allocation_but_staff_can_and_stock_returns():
    product = stocked_product(quantity=5)
    order = paid_order([(product, 2)])
    lifecycle.order_allocate(order=order)
    with pytest.raises(InvalidTransition):
        lifecycle.order_cancel(order=order, by_customer=order.customer)
    lifecycle.order_cancel(order=order, reason="damaged in warehouse")
    batch = StockBatch.objects.get(product=product)
    assert (batch.quantity_on_hand, batch.quantity_reserved) == (5, 0)
    assert stock_reconcile() == []


def test_partial_refund_by_lines_returns_discounted_shares_exactly():
    product = stocked_product(price="10.00")
    order = paid_order([(product, 3)])
    line = order.lines.get()

    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}], reason="one broken")
    order.refresh_from_db()
    assert (order.payment_status, order.refunded_amount, order.status) == ("partially_refunded", Decimal("10.00"), "paid")
    with pytest.raises(RefundInvalid):
        payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 3}])
    with pytest.raises(RefundInvalid):
        payments.order_refund(order=order, amount=Decimal("1000"))
    payments.order_refund(order=order)  # the rest
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.refunded_amount) == ("refunded", "refunded", order.paid_amount)


def test_cash_on_delivery_is_confirmed_then_collected_on_delivery():
    order = placed_order([(stocked_product(price="8.00"), 1)], payment_method="cod")
    payments.order_pay(order=order, customer=order.customer, idempotency_key="cod-1")
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.hold_until) == ("confirmed", "due_on_delivery", None)
    for step in (lifecycle.order_allocate, lifecycle.order_mark_ready):
        step(order=order)
    lifecycle.order_ship(order=order, carrier="Courier", tracking_number="C1")
    lifecycle.order_deliver(order=order)
    order.refresh_from_db()
    assert (order.payment_status, order.paid_amount) == ("paid", order.total_amount)
    assert OrderSummary.objects.get(order_id=order.pk).payment_status == "paid"


def test_unpaid_orders_expire_and_release_stock():
    product = stocked_product(quantity=3)
    order = placed_order([(product, 3)])
    assert lifecycle.orders_expire_unpaid() == []
    assert lifecycle.orders_expire_unpaid(now=timezone.now() + timezone.timedelta(hours=1)) == [order.number]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert StockBatch.objects.get(product=product).quantity_available == 3


def test_read_model_rebuild_yields_the_same_rows():
    product = stocked_product(quantity=20)
    paid = paid_order([(product, 2)])
    lifecycle.order_allocate(order=paid)
    payments.order_refund(order=paid, amount=Decimal("1.00"))
    placed_order([(product, 1)], payment_method="cod")
    cancelled = paid_order([(product, 1)])
    lifecycle.order_cancel(order=cancelled)

    fields = [f.name for f in OrderSummary._meta.fields]
    before = list(OrderSummary.objects.order_by("order_id").values(*fields))
    assert read_model.rebuild() == 3
    after = list(OrderSummary.objects.order_by("order_id").values(*fields))
    assert before == after


def test_an_order_cannot_be_cancelled_while_its_payment_is_in_flight():
    from commerce.errors import Conflict

    order = placed_order([(stocked_product(), 1)])
    with pytest.raises(PaymentGatewayError):
        payments.order_pay(order=order, customer=order.customer, card=LOST_CARD, idempotency_key="k1")
    with pytest.raises(Conflict) as err:
        lifecycle.order_cancel(order=order, by_customer=order.customer)
    assert err.value.code == "payment_in_progress"
    order.refresh_from_db()
    assert order.status == "pending"


def test_cancelling_an_allocated_order_returns_its_batches_in_one_lock_in_id_order():
    """Allocations follow the order's lines, not the batches' ids: returning them batch by batch
    locked a higher batch before a lower one (a cycle with a checkout locking both in id order)."""
    first_stocked, second_stocked = stocked_product(quantity=5), stocked_product(quantity=5)
    # the line of the product stocked second (the higher batch id) comes first
    order = paid_order([(second_stocked, 2), (first_stocked, 1)])
    lifecycle.order_allocate(order=order)
    batches = list(StockBatch.objects.order_by("id"))
    allocated = list(order.lines.order_by("id").values_list("allocations__batch_number", flat=True))
    assert allocated == [batches[1].batch_number, batches[0].batch_number]

    lifecycle.order_cancel(order=order, reason="changed my mind")

    for batch in batches:
        batch.refresh_from_db()
    assert [(b.quantity_on_hand, b.quantity_reserved) for b in batches] == [(5, 0), (5, 0)]
    assert stock_reconcile() == []
