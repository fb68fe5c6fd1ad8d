"""The cart says what changed about its offers: an offer that stopped applying, and a
customers-only code entered by a guest (log in or sign up, not "not for this customer")."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, messages_of
from tests.orders.factories import filled_cart, stocked_product
from tests.promotions.factories import CouponFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
APPLY = reverse("orders:cart_coupon_apply")


def test_an_offer_that_stops_applying_is_named_once_with_why(shopper):
    PromotionFactory(name="Ten off everything", percent=Decimal("10"), combines_with=[])
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 2)])
    assert messages_of(shopper.get(CART)) == []  # the offer is seen

    PromotionFactory(name="Twenty off", percent=Decimal("20"), combines_with=[])

    first = shopper.get(CART)
    assert messages_of(first) == ["Ten off everything no longer applies: cannot be combined with Twenty off."]
    assert "Twenty off" in first.content.decode()
    assert messages_of(shopper.get(CART)) == []  # said once


def test_a_guest_entering_a_customers_only_code_is_asked_to_log_in_or_sign_up(client):
    members = SegmentFactory(name="Members")
    CouponFactory(code="MEMBERS5", promotion=PromotionFactory(name="Members only", requires_coupon=True, segments=[members]))
    product = stocked_product(price="20.00")
    client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": "1"})

    html = client.post(APPLY, {"code": "members5"}).content.decode()

    assert "The code MEMBERS5 is for customers with an account: log in or sign up to use it." in html
    assert "Log in or sign up." not in html  # said once, not repeated as the hint
    assert 'href="/accounts/login/?next=/cart/"' in html and 'href="/accounts/signup/?next=/cart/"' in html
    assert "Not for this customer" not in html


def test_a_customer_refused_a_code_gets_no_sign_in_links(shopper):
    CouponFactory(code="JUSTYOU", promotion=PromotionFactory(name="Yours", requires_coupon=True), assigned_to=CustomerFactory())
    shopper.post(reverse("orders:cart_add"), {"product_id": stocked_product().pk, "quantity": "1"})
    html = shopper.post(APPLY, {"code": "justyou"}).content.decode()
    assert "The code JUSTYOU belongs to another customer." in html
    assert "?next=/cart/" not in html


def test_a_guest_entering_a_code_given_to_one_customer_is_asked_to_log_in(client):
    CouponFactory(code="JUSTYOU", promotion=PromotionFactory(name="Yours", requires_coupon=True), assigned_to=CustomerFactory())
    client.post(reverse("orders:cart_add"), {"product_id": stocked_product().pk, "quantity": "1"})
    html = client.post(APPLY, {"code": "justyou"}).content.decode()
    assert "The code JUSTYOU is for a customer account: log in or sign up to use it." in html
    assert 'href="/accounts/login/?next=/cart/"' in html


def test_an_emptied_cart_does_not_say_its_offers_stopped_applying(shopper):
    PromotionFactory(name="Ten off everything", percent=Decimal("10"), combines_with=[])
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 2)])
    assert messages_of(shopper.get(CART)) == []  # the offer is seen
    line = shopper.customer.carts.get().lines.get()

    removed = shopper.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "0"}, follow=True)

    assert messages_of(removed) == ["The item was removed from your cart."]
    assert messages_of(shopper.get(CART)) == []
