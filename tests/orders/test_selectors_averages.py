"""Averages of order amounts round like every amount: half up to the currency's minor unit."""

from decimal import Decimal

import pytest

from orders import selectors
from tests.factories import StaffFactory
from tests.orders.factories import customer_with_address, paid_order, stocked_product

pytestmark = pytest.mark.django_db


def test_averages_of_order_totals_round_half_up():
    # given two paid orders of 14.90 and 14.91 (4.90 shipping each): the average is 14.905
    customer, address = customer_with_address()
    for price in ("10.00", "10.01"):
        paid_order([(stocked_product(price=price), 1)], customer=customer, address=address)
    # then half up to the cent (14.91), not to even (14.90)
    pattern = selectors.customer_purchase_pattern(customer_id=customer.pk)
    assert pattern["typical_basket"]["average_total"] == Decimal("14.91")
    staff = StaffFactory(is_superuser=True)
    assert selectors.average_order_value(requester=staff) == Decimal("14.91")
