"""The promotions provider through the real orders services: cart, coupon, checkout, cancel."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from commerce.money import Money
from orders.errors import CartNeedsReview, CouponRejected
from orders.models import Order
from orders.pricing import PricingSnapshot
from orders.selectors import cart_summary
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.lifecycle import order_cancel
from promotions import services
from promotions.errors import CampaignBudgetSpent, CouponExhausted, PromotionUsageLimitReached
from promotions.models import Campaign, Coupon, Promotion, Redemption
from promotions.provider import PromotionDiscounts
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _checkout(customer, address, cart):
    return order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")


def _events(event_type):
    return list(DomainEvent.objects.filter(event_type=event_type).order_by("id"))


def test_checkout_with_a_coupon_writes_the_redemption_counts_the_use_and_records_events():
    # given: a single-use code for 10 % off the order, and a cart of 2 x 30.00 + 1 x 15.00
    promotion = PromotionFactory(requires_coupon=True, percent=Decimal("10"))
    CouponFactory(code="SAVE10", promotion=promotion, max_uses=1)
    a, b = stocked_product(price="30.00"), stocked_product(price="15.00")
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(a, 2), (b, 1)])
    cart_services.cart_apply_coupon(cart=cart, code="save10")

    # when
    order = _checkout(customer, address, cart)

    # then: 75.00 subtotal, 7.50 off spread 6.00 / 1.50 over the lines, free shipping over 50
    assert order.discount_amount == Decimal("7.50")
    assert order.total_amount == Decimal("67.50")
    lines = list(order.lines.order_by("id"))
    redemption = Redemption.objects.get()
    assert redemption.promotion_id == promotion.pk and redemption.order_id == order.pk
    assert redemption.order_number == order.number and redemption.customer_id == customer.pk
    assert redemption.amount == Decimal("7.50")
    assert redemption.line_amounts == {str(lines[0].pk): "6.00", str(lines[1].pk): "1.50"}
    assert redemption.units == 3
    assert (redemption.order_subtotal, redemption.order_total) == (Decimal("75.00"), Decimal("67.50"))
    assert redemption.coupon.code == "SAVE10"
    promotion.refresh_from_db()
    assert (promotion.usage_count, promotion.discount_granted) == (1, Decimal("7.50"))
    assert Coupon.objects.get(code="SAVE10").used_count == 1
    [redeemed] = _events("promotions.promotion.redeemed")
    assert redeemed.stream_id == str(promotion.pk)
    assert redeemed.payload["amount"] == "7.50" and redeemed.payload["coupon_code"] == "SAVE10"
    assert redeemed.payload["order_number"] == order.number and redeemed.customer_id == customer.pk
    [coupon_event] = _events("promotions.coupon.redeemed")
    assert coupon_event.payload["used_count"] == 1 and coupon_event.payload["order_id"] == order.pk
    assert order.applied_promotions[0]["key"] == f"promotion:{promotion.pk}"


def test_cancelling_the_order_gives_the_usage_and_the_coupon_back():
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="ONCE", promotion=promotion, max_uses=1)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    cart_services.cart_apply_coupon(cart=cart, code="ONCE")
    order = _checkout(customer, address, cart)

    order_cancel(order=order, reason="changed my mind")

    redemption = Redemption.objects.get()
    assert redemption.cancelled_at is not None
    promotion.refresh_from_db()
    assert (promotion.usage_count, promotion.discount_granted) == (0, Decimal("0.00"))
    assert Coupon.objects.get(code="ONCE").used_count == 0
    [reversed_event] = _events("promotions.promotion.redemption_reversed")
    assert reversed_event.payload["order_id"] == order.pk and reversed_event.payload["amount"] == "2.00"
    [released] = _events("promotions.coupon.released")
    assert released.payload["used_count"] == 0
    # and the code can be used again
    other, other_address = customer_with_address()
    again = filled_cart(other, [(stocked_product(price="20.00"), 1)])
    cart_services.cart_apply_coupon(cart=again, code="ONCE")
    assert _checkout(other, other_address, again).discount_amount == Decimal("2.00")


def test_a_single_use_coupon_cannot_be_used_by_a_second_checkout_and_the_checkout_rolls_back():
    # given: two carts holding the same single-use code, priced while it was still free
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="LASTONE", promotion=promotion, max_uses=1)
    product = stocked_product(price="20.00")
    first, first_address = customer_with_address()
    second, second_address = customer_with_address()
    cart1, cart2 = filled_cart(first, [(product, 1)]), filled_cart(second, [(product, 1)])
    cart_services.cart_apply_coupon(cart=cart1, code="LASTONE")
    cart_services.cart_apply_coupon(cart=cart2, code="LASTONE")
    _checkout(first, first_address, cart1)

    # when: the second checks out, its pricing sees the code used up
    with pytest.raises(CartNeedsReview) as refused:
        _checkout(second, second_address, cart2)

    # then
    assert refused.value.code == "coupon_not_applicable"
    assert refused.value.extra["coupons"][0]["reason"] == "coupon_exhausted"
    assert Order.objects.count() == 1 and Redemption.objects.count() == 1
    assert Coupon.objects.get(code="LASTONE").used_count == 1


def test_order_placed_refuses_a_coupon_taken_meanwhile_with_coupon_exhausted_and_rolls_back(monkeypatch):
    # given: the checkout priced the code as free, but another order took its last use before our lock
    promotion = PromotionFactory(requires_coupon=True)
    coupon = CouponFactory(code="RACE", promotion=promotion, max_uses=1)
    customer, address = customer_with_address()
    product = stocked_product(price="20.00", quantity=5)
    cart = filled_cart(customer, [(product, 1)])
    cart_services.cart_apply_coupon(cart=cart, code="RACE")
    real = PromotionDiscounts.order_placed

    def taken_first(self, **kwargs):
        Coupon.objects.filter(pk=coupon.pk).update(used_count=1)
        return real(self, **kwargs)

    monkeypatch.setattr(PromotionDiscounts, "order_placed", taken_first)
    with pytest.raises(CouponExhausted) as refused:
        _checkout(customer, address, cart)

    assert refused.value.code == "coupon_exhausted" and refused.value.status_code == 409
    assert Order.objects.count() == 0 and Redemption.objects.count() == 0
    assert product.batches.get().quantity_reserved == 0  # the stock reservation rolled back too
    promotion.refresh_from_db()
    assert promotion.usage_count == 0
    cart.refresh_from_db()
    assert cart.status == "open"


def test_a_campaign_budget_caps_the_discount_and_the_spend_is_recorded():
    # given: a campaign with 12.00 of budget and a 10 % product discount
    campaign = CampaignFactory(budget_amount=Decimal("12.00"))
    promotion = PromotionFactory(campaign=campaign, discount_class="product")
    customer, address = customer_with_address()

    # when: a first order takes 10.00, a second would take 10.00 but only 2.00 are left
    first = _checkout(customer, address, filled_cart(customer, [(stocked_product(price="100.00"), 1)]))
    second = _checkout(customer, address, filled_cart(customer, [(stocked_product(price="100.00"), 1)]))

    # then
    assert (first.discount_amount, second.discount_amount) == (Decimal("10.00"), Decimal("2.00"))
    campaign.refresh_from_db()
    assert campaign.spent_amount == Decimal("12.00")
    promotion.refresh_from_db()
    assert (promotion.usage_count, promotion.discount_granted) == (2, Decimal("12.00"))
    [spent] = _events("promotions.campaign.budget_spent")
    assert spent.payload["order_id"] == second.pk and spent.payload["spent_amount"] == "12.00"
    # and a third order gets nothing from it
    third = _checkout(customer, address, filled_cart(customer, [(stocked_product(price="100.00"), 1)]))
    assert third.discount_amount == Decimal("0.00")
    assert Redemption.objects.filter(order_id=third.pk).count() == 0


def test_order_placed_refuses_to_overspend_a_budget_granted_on_stale_pricing():
    campaign = CampaignFactory(budget_amount=Decimal("5.00"))
    promotion = PromotionFactory(campaign=campaign, discount_class="product")
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="40.00"), 1)])
    summary = cart_summary(cart=cart)
    assert summary.discount_total.amount == Decimal("4.00")
    Campaign.objects.filter(pk=campaign.pk).update(spent_amount=Decimal("3.00"))  # another order spent meanwhile

    with pytest.raises(CampaignBudgetSpent) as refused:
        PromotionDiscounts().order_placed(order_id=1, customer_id=customer.pk, discounts=summary.discounts, coupon_codes=[])

    assert refused.value.code == "campaign_budget_spent"
    promotion.refresh_from_db()
    assert promotion.usage_count == 0


def test_order_placed_refuses_past_the_usage_limit():
    promotion = PromotionFactory(usage_limit=1)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="40.00"), 1)])
    summary = cart_summary(cart=cart)
    Promotion.objects.filter(pk=promotion.pk).update(usage_count=1)

    with pytest.raises(PromotionUsageLimitReached):
        PromotionDiscounts().order_placed(order_id=1, customer_id=customer.pk, discounts=summary.discounts, coupon_codes=[])


def test_a_usage_limit_stops_the_promotion_once_reached_and_cancel_reopens_it():
    promotion = PromotionFactory(usage_limit=1)
    customer, address = customer_with_address()
    first = _checkout(customer, address, filled_cart(customer, [(stocked_product(price="20.00"), 1)]))
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    summary = cart_summary(cart=cart)
    assert first.discount_amount == Decimal("2.00")
    assert summary.discount_total.amount == Decimal("0.00")
    assert [h.reason for h in summary.hints] == ["usage_limit_reached"]

    order_cancel(order=first)

    assert cart_summary(cart=cart).discount_total.amount == Decimal("2.00")
    promotion.refresh_from_db()
    assert promotion.usage_count == 0


def test_per_customer_limit_counts_this_customers_redemptions_only():
    PromotionFactory(usage_limit_per_customer=1)
    customer, address = customer_with_address()
    other, _ = customer_with_address()
    _checkout(customer, address, filled_cart(customer, [(stocked_product(price="20.00"), 1)]))

    mine = cart_summary(cart=filled_cart(customer, [(stocked_product(price="20.00"), 1)]))
    theirs = cart_summary(cart=filled_cart(other, [(stocked_product(price="20.00"), 1)]))

    assert mine.discount_total.amount == Decimal("0.00")
    assert [h.reason for h in mine.hints] == ["customer_limit_reached"]
    assert theirs.discount_total.amount == Decimal("2.00")


def test_unknown_code_is_refused_with_coupon_unknown():
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 1)])
    with pytest.raises(CouponRejected) as refused:
        cart_services.cart_apply_coupon(cart=cart, code="NOPE")
    assert refused.value.code == "coupon_unknown"


def test_check_coupon_without_a_cart_says_whether_the_code_itself_is_usable():
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="FINE", promotion=promotion)
    CouponFactory(code="USED", promotion=promotion, max_uses=1, used_count=1)
    CouponFactory(code="OLD", promotion=promotion, expires_at=timezone.now() - datetime.timedelta(days=1))
    services.coupon_invalidate(coupon=CouponFactory(code="GONE", promotion=promotion))
    provider = PromotionDiscounts()

    verdicts = {code: provider.check_coupon(code).reason for code in ("fine", "USED", "OLD", "GONE", "WHAT")}

    assert verdicts == {"fine": "", "USED": "coupon_exhausted", "OLD": "coupon_expired", "GONE": "coupon_invalidated",
                        "WHAT": "coupon_unknown"}
    assert provider.check_coupon("FINE").accepted


def test_deactivated_promotion_stops_applying_at_once():
    promotion = PromotionFactory()
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    assert cart_summary(cart=cart).discount_total.amount == Decimal("2.00")

    services.promotion_deactivate(promotion=promotion)

    assert cart_summary(cart=cart).discount_total.amount == Decimal("0.00")


def test_no_live_promotions_and_no_codes_cost_no_query(django_assert_num_queries):
    PromotionFactory(status=Promotion.Status.DRAFT)
    provider = PromotionDiscounts()
    snapshot = PricingSnapshot([], 1, [], Money.zero("EUR"), "EUR", timezone.now())
    provider.price(snapshot)  # compiles and caches

    with django_assert_num_queries(0):
        result = provider.price(snapshot)
    assert result.discounts == [] and result.coupons == []


def test_cart_hints_keep_coupon_only_and_other_segments_promotions_secret():
    PromotionFactory(name="Secret", requires_coupon=True, min_subtotal=Decimal("100.00"))
    PromotionFactory(name="For VIPs", segments=[SegmentFactory()], min_subtotal=Decimal("100.00"))
    PromotionFactory(name="Big basket", min_subtotal=Decimal("100.00"))
    customer, _ = customer_with_address()

    summary = cart_summary(cart=filled_cart(customer, [(stocked_product(price="40.00"), 1)]))

    assert [(h.name, h.reason, h.hint) for h in summary.hints] == [("Big basket", "minimum_not_reached", "Spend 60.00 more")]
    # staff (the simulation) still see why each of them did not apply
    assert {h.name: h.reason for h in summary.explanations} == {
        "Secret": "coupon_required", "For VIPs": "not_for_customer", "Big basket": "minimum_not_reached"}
