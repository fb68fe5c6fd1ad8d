"""Domain-correctness review of the promotions provider, services and selectors: each test names a
bug found in review (and fixed), or pins a behaviour checked and found right."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.errors import Conflict
from commerce.money import Money
from orders.pricing import AppliedDiscount
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.lifecycle import order_cancel
from promotions import selectors, services
from promotions.errors import CampaignInvalid, PromotionInvalid
from promotions.models import Campaign, Coupon, Promotion, Redemption
from promotions.provider import PromotionDiscounts
from promotions.selectors import rules as rule_selectors
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _discount(promotion, code="", amount="5.00"):
    return AppliedDiscount(key=f"promotion:{promotion.pk}", name=promotion.name, amount=Money.of(amount, "EUR"), code=code)


# --- lock order ---------------------------------------------------------------------------------------
def _locked_tables(queries) -> list[str]:
    """The promotions tables read by each SELECT, in order (SQLite drops FOR UPDATE: the order is what counts)."""
    out = []
    for q in queries:
        sql = q["sql"]
        match = re.match(r'^SELECT .*? FROM ["`]promotions_(campaign|promotion)["`]', sql)  # SQLite or MariaDB quoting
        if match:
            out.append(match.group(1))
    return out


def test_sync_schedule_locks_campaigns_first_then_all_promotions_at_once_as_checkout_does():
    # Checkout (provider.order_placed) locks campaigns, then promotions, each in id order. The beat
    # locked expiring promotions, then starting ones (two id orders), then campaigns: with a
    # checkout holding the campaign and waiting on a promotion the beat holds, MariaDB deadlocks.
    now = timezone.now()
    campaign = CampaignFactory(status="active", starts_at=now - 5 * HOUR, ends_at=now - HOUR)
    starting = PromotionFactory(status="scheduled", valid_from=now - HOUR, campaign=campaign)
    expiring = PromotionFactory(status="active", valid_from=now - 3 * HOUR, valid_to=now - HOUR, campaign=campaign)
    assert starting.pk < expiring.pk

    with CaptureQueriesContext(connection) as ctx:
        result = services.promotions_sync_schedule(now=now)

    assert result == {"promotions_started": 1, "promotions_expired": 1, "campaigns_started": 0, "campaigns_ended": 1}
    assert _locked_tables(ctx.captured_queries) == ["campaign", "promotion"]
    assert Promotion.objects.get(pk=starting.pk).status == "active"
    assert Promotion.objects.get(pk=expiring.pk).status == "expired"
    assert Campaign.objects.get(pk=campaign.pk).status == "ended"
    # idempotent: a second beat at the same instant changes nothing
    assert set(services.promotions_sync_schedule(now=now).values()) == {0}


# --- usage limit below what is already counted ----------------------------------------------------------
def test_promotion_update_refuses_a_usage_limit_below_the_uses_already_counted():
    # Was a check-constraint IntegrityError (a 500), not a clear validation error.
    promotion = PromotionFactory(usage_limit=10, usage_count=5)

    with pytest.raises(PromotionInvalid) as exc:
        services.promotion_update(promotion=promotion, data={"usage_limit": 3})

    assert "usage_limit" in exc.value.fields
    promotion.refresh_from_db()
    assert promotion.usage_limit == 10
    # exactly the uses counted is allowed: the promotion is simply used up
    services.promotion_update(promotion=promotion, data={"usage_limit": 5})
    promotion.refresh_from_db()
    assert promotion.usage_limit == 5


# --- money in the currency's minor unit -----------------------------------------------------------------
def test_promotion_amounts_are_in_the_currency_minor_unit():
    # JPY has no minor unit: 100.50 yen off was stored as is and rounded (half even) by the engine.
    with pytest.raises(PromotionInvalid) as exc:
        services.promotion_create(name="Yen off", discount_class="order", benefit_type="fixed_amount",
                                  amount="100.50", currency="JPY")
    assert "amount" in exc.value.fields
    with pytest.raises(PromotionInvalid) as exc:
        services.promotion_create(name="Yen min", discount_class="order", benefit_type="percentage", percent="10",
                                  min_subtotal="999.99", currency="JPY")
    assert "min_subtotal" in exc.value.fields
    ok = services.promotion_create(name="Yen ok", discount_class="order", benefit_type="fixed_amount",
                                   amount="100", currency="JPY")
    assert ok.amount == Decimal("100")


def test_campaign_budget_is_in_the_currency_minor_unit():
    # A budget of 1000.50 yen left half a yen the engine would round up to a whole one: the checkout
    # then refused with campaign_budget_spent while every cart still showed the discount.
    with pytest.raises(CampaignInvalid) as exc:
        services.campaign_create(name="Yen", starts_at=timezone.now(), budget_amount="1000.50", currency="JPY")
    assert "budget_amount" in exc.value.fields
    campaign = services.campaign_create(name="Yen", starts_at=timezone.now(), budget_amount="1000", currency="JPY")
    assert campaign.budget_amount == Decimal("1000")


def test_budget_left_never_rounds_up_past_the_budget():
    campaign = CampaignFactory(currency="JPY", budget_amount=Decimal("101"), spent_amount=Decimal("0"))
    # a budget in cents from before budgets were checked against the currency's minor unit
    Campaign.objects.filter(pk=campaign.pk).update(budget_amount=Decimal("101.50"))
    promotion = PromotionFactory(campaign=campaign, currency="JPY", percent=Decimal("10"))
    [rule] = rule_selectors._with_counters(selectors.compile_rules(), customer_id=None, currency="JPY")
    assert rule.id == promotion.pk
    assert rule.budget_left == 101


# --- coupons re-checked under the locks -------------------------------------------------------------------
def test_order_placed_refuses_a_coupon_invalidated_since_pricing_with_its_own_reason():
    promotion = PromotionFactory(requires_coupon=True)
    coupon = CouponFactory(code="GONE10", promotion=promotion, max_uses=5)
    services.coupon_invalidate(coupon=coupon)
    customer, _ = customer_with_address()

    with pytest.raises(Conflict) as exc:
        PromotionDiscounts().order_placed(order_id=10**9, customer_id=customer.pk,
                                          discounts=[_discount(promotion, "GONE10")], coupon_codes=["GONE10"])

    assert exc.value.code == "coupon_invalidated"
    assert Coupon.objects.get(pk=coupon.pk).used_count == 0
    assert Promotion.objects.get(pk=promotion.pk).usage_count == 0


def test_order_placed_refuses_a_coupon_expired_since_pricing():
    promotion = PromotionFactory(requires_coupon=True)
    coupon = CouponFactory(code="LATE10", promotion=promotion, max_uses=5,
                           expires_at=timezone.now() - datetime.timedelta(seconds=1))
    customer, _ = customer_with_address()

    with pytest.raises(Conflict) as exc:
        PromotionDiscounts().order_placed(order_id=10**9, customer_id=customer.pk,
                                          discounts=[_discount(promotion, "LATE10")], coupon_codes=["LATE10"])

    assert exc.value.code == "coupon_expired"
    assert Coupon.objects.get(pk=coupon.pk).used_count == 0


def test_order_placed_refuses_another_customers_coupon():
    promotion = PromotionFactory(requires_coupon=True)
    owner, _ = customer_with_address()
    other, _ = customer_with_address()
    coupon = CouponFactory(code="MINE10", promotion=promotion, max_uses=5, assigned_to=owner)

    with pytest.raises(Conflict) as exc:
        PromotionDiscounts().order_placed(order_id=10**9, customer_id=other.pk,
                                          discounts=[_discount(promotion, "mine10 ")], coupon_codes=["mine10 "])

    assert exc.value.code == "coupon_not_yours"
    assert Coupon.objects.get(pk=coupon.pk).used_count == 0


# --- checked and found right ------------------------------------------------------------------------------
def test_budget_capped_discount_never_overspends_and_cancel_twice_gives_back_once():
    campaign = CampaignFactory(budget_amount=Decimal("4.00"))
    promotion = PromotionFactory(campaign=campaign, percent=Decimal("50"))
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])

    order = order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    assert order.discount_amount == Decimal("4.00")
    campaign.refresh_from_db()
    assert campaign.spent_amount == Decimal("4.00")
    order_cancel(order=order, reason="a")
    campaign.refresh_from_db()
    promotion.refresh_from_db()
    assert (campaign.spent_amount, promotion.usage_count, promotion.discount_granted) == (0, 0, 0)
    assert Redemption.objects.get().cancelled_at is not None
    # a second cancel is refused by the order's own state machine, and gives nothing back twice
    with pytest.raises(Exception):  # noqa: B017 - whichever the orders app raises
        order_cancel(order=order, reason="b")
    PromotionDiscounts().order_cancelled(order_id=order.pk)
    campaign.refresh_from_db()
    promotion.refresh_from_db()
    assert (campaign.spent_amount, promotion.usage_count) == (0, 0)


def test_code_whitespace_and_case_are_normalised_from_cart_to_redemption():
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="SPRING", promotion=promotion, max_uses=2)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    cart_services.cart_apply_coupon(cart=cart, code="  spring ")
    cart_services.cart_apply_coupon(cart=cart, code="Spring")  # the same code twice: kept once

    order = order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    assert order.coupon_codes == ["SPRING"]
    assert Coupon.objects.get(code="SPRING").used_count == 1
    assert Redemption.objects.get().coupon.code == "SPRING"


def test_promotion_performance_periods_are_utc_days_whatever_the_active_time_zone():
    # TruncDay and __date follow the active time zone: a request under Europe/Paris moved an order
    # placed at 23:30 UTC into the next day (and out of a date_to filter on its UTC day).
    promotion = PromotionFactory()
    customer, _ = customer_with_address()
    placed = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    Redemption.objects.create(
        promotion=promotion, customer=customer, order_id=1, order_number="A1", currency="EUR", amount=Decimal("2.00"),
        order_subtotal=Decimal("20.00"), order_total=Decimal("18.00"), placed_at=placed,
    )

    with timezone.override("Europe/Paris"):
        rows = selectors.promotion_performance(promotion=promotion, period="day", date_from=datetime.date(2026, 3, 10),
                                               date_to=datetime.date(2026, 3, 10))

    assert [(r["period"].date(), r["orders"], r["discount"]) for r in rows] == [(datetime.date(2026, 3, 10), 1, Decimal("2.00"))]
    assert rows[0]["period"].utcoffset() == datetime.timedelta(0)


def test_a_used_promotion_keeps_its_currency():
    promotion = PromotionFactory(usage_count=1, currency="EUR")

    with pytest.raises(PromotionInvalid) as exc:
        services.promotion_update(promotion=promotion, data={"currency": "USD"})

    assert "currency" in exc.value.fields
    promotion.refresh_from_db()
    assert promotion.currency == "EUR"
    unused = PromotionFactory(currency="EUR")
    assert services.promotion_update(promotion=unused, data={"currency": "USD"}).currency == "USD"


def test_check_coupon_without_a_cart_looks_at_its_promotion_too():
    live = PromotionFactory(requires_coupon=True)
    CouponFactory(code="LIVE1", promotion=live)
    CouponFactory(code="OFF1", promotion=PromotionFactory(requires_coupon=True, status="inactive"))
    ended = PromotionFactory(requires_coupon=True, valid_from=timezone.now() - 2 * HOUR, valid_to=timezone.now() - HOUR)
    CouponFactory(code="ENDED1", promotion=ended)

    provider = PromotionDiscounts()

    assert provider.check_coupon("live1").accepted
    assert [(r.accepted, r.reason) for r in (provider.check_coupon("OFF1"), provider.check_coupon("ENDED1"))] == [
        (False, "coupon_not_applicable"), (False, "coupon_not_applicable")]
