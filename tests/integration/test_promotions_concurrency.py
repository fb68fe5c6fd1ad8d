"""Racing checkouts for limited promotions on MariaDB: real threads, each with its own connection."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from orders.models import Order
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from promotions.models import Coupon, Redemption
from tests.integration.concurrency import assert_counters_sane, run_in_threads
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _shoppers(n, product, code=None):
    shoppers = []
    for _ in range(n):
        customer, address = customer_with_address()
        cart = filled_cart(customer, [(product, 1)])
        if code:
            cart_services.cart_apply_coupon(cart=cart, code=code)
        shoppers.append((customer, address, cart))
    return shoppers


def _checkout(customer, address, cart):
    return lambda: order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card").number


def _kinds(outcomes):
    return Counter(kind if kind == "ok" else getattr(value, "code", type(value).__name__) for kind, value in outcomes)


def test_ten_checkouts_racing_for_one_single_use_coupon_only_one_gets_it():
    assert connection.vendor == "mysql"
    # given: ten shoppers, each with the same single-use code accepted in their cart
    promotion = PromotionFactory(requires_coupon=True, percent=Decimal("10"))
    CouponFactory(code="ONLYONE", promotion=promotion, max_uses=1)
    product = stocked_product(quantity=50, price="20.00")
    shoppers = _shoppers(10, product, code="ONLYONE")

    # when: they all check out at the same moment
    outcomes = run_in_threads([_checkout(*s) for s in shoppers])

    # then: one order carries the coupon; the others are refused with a clear reason and leave nothing behind
    kinds = _kinds(outcomes)
    assert kinds["ok"] == 1, outcomes
    assert set(kinds) - {"ok"} <= {"coupon_exhausted", "coupon_not_applicable"}, outcomes
    for kind, value in outcomes:
        if kind == "error":
            assert "ONLYONE" in value.message, value.message
    assert Order.objects.count() == 1
    [order] = Order.objects.all()
    assert order.discount_amount == Decimal("2.00")
    assert Coupon.objects.get(code="ONLYONE").used_count == 1
    promotion.refresh_from_db()
    assert (promotion.usage_count, promotion.discount_granted) == (1, Decimal("2.00"))
    [redemption] = Redemption.objects.all()
    assert redemption.order_id == order.pk and redemption.coupon.code == "ONLYONE"
    assert_counters_sane()  # the losers' stock reservations rolled back with them


def test_racing_checkouts_never_overspend_a_campaign_budget_or_a_usage_limit():
    # given: a 10 % discount (2.00 an order) with a 7.00 budget, and another limited to 3 uses
    campaign = CampaignFactory(budget_amount=Decimal("7.00"))
    budgeted = PromotionFactory(campaign=campaign, discount_class="product", percent=Decimal("10"))
    limited = PromotionFactory(usage_limit=3, percent=Decimal("5"))
    product = stocked_product(quantity=50, price="20.00")
    shoppers = _shoppers(8, product)

    outcomes = run_in_threads([_checkout(*s) for s in shoppers])

    kinds = _kinds(outcomes)
    campaign.refresh_from_db()
    budgeted.refresh_from_db()
    limited.refresh_from_db()
    assert campaign.spent_amount <= Decimal("7.00")
    assert limited.usage_count <= 3
    live = Redemption.objects.filter(cancelled_at__isnull=True)
    assert sum(r.amount for r in live.filter(campaign=campaign)) == campaign.spent_amount == budgeted.discount_granted
    assert live.filter(promotion=limited).count() == limited.usage_count
    assert live.filter(promotion=budgeted).count() == budgeted.usage_count
    # every order placed matches its redemptions
    for order in Order.objects.all():
        assert sum(r.amount for r in live.filter(order_id=order.pk)) == order.discount_amount
    assert kinds["ok"] == Order.objects.count() >= 3, outcomes
    assert limited.usage_count == 3  # the first three orders all got it: nobody is refused while uses are left
    assert set(kinds) - {"ok"} <= {"campaign_budget_spent", "promotion_usage_limit_reached", "cart_changed"}, outcomes
    assert_counters_sane()
