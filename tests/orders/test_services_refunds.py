"""Refunds: how much a partial refund returns (one rounding rule), and that the gateway is called
outside any transaction, with a pending refund committed first."""

from decimal import Decimal

import pytest

from commerce.audit.models import DomainEvent
from orders.errors import PaymentGatewayError, RefundInvalid, RefundPending
from orders.gateways import GatewayError
from orders.models import Refund, SandboxCharge
from orders.services import lifecycle, payments
from tests.orders.factories import paid_order, stocked_product
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db


def test_partial_refund_of_a_unit_rounds_half_up_to_the_cent():
    # given 2 units at 5.50 with 0.95 off the order: the line costs 10.05, a unit 5.025
    PromotionFactory(fixed=True, amount=Decimal("0.95"))
    order = paid_order([(stocked_product(price="5.50"), 2)])
    line = order.lines.get()
    assert line.line_total_amount == Decimal("10.05")
    # when one unit is refunded
    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}])
    # then half up (5.03), as every amount rounds, not to even (5.02); the last unit takes the rest
    assert Refund.objects.get(order=order).amount == Decimal("5.03")
    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}])
    assert sorted(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("5.02"), Decimal("5.03")]


def test_partial_refund_in_yen_rounds_to_whole_yen(settings):
    # given a yen shop: 3 units at 1000 JPY
    settings.DEFAULT_CURRENCY = "JPY"
    order = paid_order([(stocked_product(price="1000", price_currency="JPY"), 3)])
    line = order.lines.get()
    assert (order.currency, line.line_total_amount) == ("JPY", Decimal("3000"))
    # when one unit, then two, are refunded
    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}])
    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 2}])
    # then whole yen each time (JPY has no minor unit), adding up to what the line cost
    amounts = list(Refund.objects.filter(order=order).order_by("id").values_list("amount", flat=True))
    assert amounts == [Decimal("1000"), Decimal("2000")]
    assert all(a == a.to_integral_value() for a in amounts)


# --- the gateway is called outside any transaction --------------------------------------------------
class _Watched:
    """Wraps the sandbox gateway's refund: records whether a transaction was open during the call."""

    def __init__(self, monkeypatch, *, fail_with=None):
        from django.db import connection

        from orders.gateways import SandboxCardGateway

        self.calls, real = [], SandboxCardGateway.refund

        def refund(gateway, **kwargs):
            # outside a transaction, the rows read here are committed: what any other connection sees
            self.calls.append({"in_transaction": connection.in_atomic_block,
                               "refunds": list(Refund.objects.values_list("status", flat=True)), **kwargs})
            if fail_with is not None:
                raise fail_with
            return real(gateway, **kwargs)

        monkeypatch.setattr(SandboxCardGateway, "refund", refund)


@pytest.mark.django_db(transaction=True)
def test_a_refund_calls_the_gateway_outside_any_transaction_with_a_pending_refund_committed_first(monkeypatch):
    order = paid_order([(stocked_product(price="10.00"), 3)])
    watched = _Watched(monkeypatch)

    payments.order_refund(order=order, amount=Decimal("5.00"), reason="goodwill")

    assert [(call["in_transaction"], call["refunds"]) for call in watched.calls] == [(False, ["pending"])]
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount) == ("succeeded", Decimal("5.00"))
    order.refresh_from_db()
    assert (order.refunded_amount, order.payment_status) == (Decimal("5.00"), "partially_refunded")


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_paid_order_refunds_outside_the_transaction_that_releases_stock(monkeypatch):
    order = paid_order([(stocked_product(price="10.00"), 2)])
    watched = _Watched(monkeypatch)

    lifecycle.order_cancel(order=order, reason="changed my mind", by_customer=order.customer)

    assert [call["in_transaction"] for call in watched.calls] == [False]
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.refunded_amount) == ("cancelled", "refunded", order.paid_amount)
    assert list(Refund.objects.values_list("status", flat=True)) == ["succeeded"]


def test_a_lost_refund_answer_stays_pending_and_the_settle_task_refunds_it_once(monkeypatch):
    order = paid_order([(stocked_product(price="10.00"), 2)])
    with monkeypatch.context() as patch:
        _Watched(patch, fail_with=GatewayError("timeout", code="gateway_timeout", outcome_unknown=True))
        with pytest.raises(RefundPending):
            payments.order_refund(order=order, amount=Decimal("4.00"))
    refund = Refund.objects.get(order=order)
    assert refund.status == "pending"
    order.refresh_from_db()
    assert order.refunded_amount == 0  # not yet known to be refunded
    # a second refund meanwhile cannot take what the pending one may have taken
    with pytest.raises(RefundInvalid):
        payments.order_refund(order=order, amount=order.paid_amount - Decimal("3.99"))

    assert payments.payments_settle_pending(older_than_seconds=0) == 1
    assert payments.payments_settle_pending(older_than_seconds=0) == 0  # settled once

    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == "succeeded" and order.refunded_amount == Decimal("4.00")
    assert SandboxCharge.objects.get().refunded_amount == Decimal("4.00")  # the gateway refunded once


def test_a_refused_refund_is_failed_and_gives_the_units_back(monkeypatch):
    order = paid_order([(stocked_product(price="10.00"), 2)])
    line = order.lines.get()
    with monkeypatch.context() as patch:
        _Watched(patch, fail_with=GatewayError("unknown charge", code="unknown_charge"))
        with pytest.raises(PaymentGatewayError):
            payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 1}])
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.refunded_quantity, line.refunded_amount, order.refunded_amount) == (0, 0, 0)
    assert list(Refund.objects.values_list("status", flat=True)) == ["failed"]
    assert DomainEvent.objects.filter(event_type="orders.order.refund_failed", stream_id=str(order.pk)).count() == 1
    payments.order_refund(order=order, lines=[{"line_id": line.pk, "quantity": 2}])  # both units still refundable
    order.refresh_from_db()
    assert (order.payment_status, order.refunded_amount) == ("partially_refunded", Decimal("20.00"))  # not the shipping


def test_cancelling_with_a_refund_in_flight_refunds_only_the_rest(monkeypatch, django_capture_on_commit_callbacks):
    order = paid_order([(stocked_product(price="10.00"), 2)])  # 24.90 paid
    with monkeypatch.context() as patch:
        _Watched(patch, fail_with=GatewayError("timeout", code="gateway_timeout", outcome_unknown=True))
        with pytest.raises(RefundPending):
            payments.order_refund(order=order, amount=Decimal("4.00"))

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.order_cancel(order=order, reason="changed my mind")
    payments.payments_settle_pending(older_than_seconds=0)

    order.refresh_from_db()
    assert sorted(Refund.objects.values_list("amount", "status")) == [(Decimal("4.00"), "succeeded"), (Decimal("20.90"), "succeeded")]
    assert (order.status, order.payment_status, order.refunded_amount) == ("cancelled", "refunded", Decimal("24.90"))
    assert SandboxCharge.objects.get().refunded_amount == Decimal("24.90")
