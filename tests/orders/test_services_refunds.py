"""Refunds: how much a partial refund returns (one rounding rule), and that the gateway is called
outside any transaction, with a pending refund committed first."""

from decimal import Decimal

import pytest

from orders.models import Refund
from orders.services import payments
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
