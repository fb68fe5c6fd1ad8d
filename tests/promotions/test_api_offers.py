"""Promotions for shoppers through the REST API: current offers, a product's offers, my offers, my
coupons; and every way a code can be refused, each with its own message, through the cart API."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import Cart
from tests.factories import CustomerFactory, category, token_client
from tests.orders.factories import filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory, customer_in_segment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["name"] for row in rows)


# --- current offers -------------------------------------------------------------------------------
def test_active_offers_list_automatic_promotions_for_everyone_only():
    segment = SegmentFactory()
    PromotionFactory(name="Ten off everything", badge="-10 %")
    PromotionFactory(name="Secret coupon offer", requires_coupon=True)
    PromotionFactory(name="VIP only", segments=[segment])
    PromotionFactory(name="Not yet", draft=True)
    PromotionFactory(name="Ended", valid_to=timezone.now() - datetime.timedelta(hours=1))
    PromotionFactory(name="Campaign not launched", campaign=CampaignFactory(status="draft"))

    response = APIClient().get("/api/v1/promotions/active/")

    assert names(response) == ["Ten off everything"]
    row = response.json()["results"][0]
    assert (row["badge"], row["benefit_type"], row["requires_coupon"]) == ("-10 %", "percentage", False)
    assert "usage_count" not in row and "usage_limit" not in row


def test_a_products_offers_are_the_automatic_ones_that_target_it():
    food = category("Food")
    milk = stocked_product(category=food)
    other = stocked_product()
    PromotionFactory(name="Food 3 for 2", buy_x_get_y=True, categories=[food])
    PromotionFactory(name="Only other", discount_class="product", targets=[other])
    PromotionFactory(name="Coupon on milk", discount_class="product", targets=[milk], requires_coupon=True)

    assert names(APIClient().get(f"/api/v1/products/{milk.pk}/promotions/")) == ["Food 3 for 2"]
    missing = APIClient().get("/api/v1/products/999999/promotions/")
    assert (missing.status_code, missing.json()["code"]) == (404, "product_not_found")


def test_my_offers_add_my_segments_and_my_coupons_and_need_a_login():
    segment = SegmentFactory()
    me = customer_in_segment(segment)
    someone = CustomerFactory()
    PromotionFactory(name="For everyone")
    PromotionFactory(name="For my segment", segments=[segment])
    mine = PromotionFactory(name="My coupon's", requires_coupon=True)
    CouponFactory(promotion=mine, assigned_to=me)
    theirs = PromotionFactory(name="Their coupon's", requires_coupon=True)
    CouponFactory(promotion=theirs, assigned_to=someone)

    assert names(token_client(me).get("/api/v1/me/promotions/")) == ["For everyone", "For my segment", "My coupon's"]
    assert names(token_client(someone).get("/api/v1/me/promotions/")) == ["For everyone", "Their coupon's"]
    anonymous = APIClient().get("/api/v1/me/promotions/")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")


# --- my coupons -----------------------------------------------------------------------------------
def test_my_coupons_lists_only_mine_with_status_uses_and_expiry():
    me, someone = CustomerFactory(), CustomerFactory()
    now = timezone.now()
    promotion = PromotionFactory(name="Spring", requires_coupon=True, valid_to=now + datetime.timedelta(days=10))
    CouponFactory(code="READY", promotion=promotion, assigned_to=me, assigned_at=now, max_uses=2, used_count=1,
                  expires_at=now + datetime.timedelta(days=20))
    CouponFactory(code="USEDUP", promotion=promotion, assigned_to=me, assigned_at=now - datetime.timedelta(days=1), used_count=1)
    CouponFactory(code="TOOLATE", promotion=promotion, assigned_to=me, assigned_at=now - datetime.timedelta(days=2),
                  expires_at=now - datetime.timedelta(minutes=1))
    CouponFactory(code="THEIRS", promotion=promotion, assigned_to=someone)

    response = token_client(me).get("/api/v1/me/coupons/")

    assert response.status_code == 200, response.json()
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"READY", "USEDUP", "TOOLATE"}
    ready = rows["READY"]
    assert (ready["status"], ready["status_label"], ready["uses_left"], ready["max_uses"]) == ("usable", "Ready to use", 1, 2)
    assert ready["promotion"]["name"] == "Spring" and ready["promotion"]["badge"] == "10% off"
    # the promotion ends before the coupon does: that is when it stops working
    assert ready["expires_at"] == promotion.valid_to.isoformat().replace("+00:00", "Z")
    assert (rows["USEDUP"]["status"], rows["TOOLATE"]["status"]) == ("used_up", "expired")


def test_one_of_my_coupons_and_someone_elses_is_not_found():
    me, someone = CustomerFactory(), CustomerFactory()
    CouponFactory(code="MINE01", assigned_to=me)
    CouponFactory(code="THEIRS01", assigned_to=someone)

    client = token_client(me)
    mine = client.get("/api/v1/me/coupons/mine01/")
    theirs = client.get("/api/v1/me/coupons/THEIRS01/")

    assert (mine.status_code, mine.json()["code"]) == (200, "MINE01")
    assert (theirs.status_code, theirs.json()["code"]) == (404, "coupon_unknown")
    assert APIClient().get("/api/v1/me/coupons/").status_code == 401
    assert APIClient().get("/api/v1/me/coupons/MINE01/").status_code == 401


# --- every refusal, its own message ----------------------------------------------------------------
@pytest.fixture
def shopper():
    customer = CustomerFactory()
    filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    return customer


def _codes():
    now = timezone.now()
    offer = PromotionFactory(name="Coupon offer", requires_coupon=True, fixed=True, amount=Decimal("5.00"))
    later = PromotionFactory(name="Later offer", requires_coupon=True, status="scheduled",
                             valid_from=now + datetime.timedelta(days=2))
    big = PromotionFactory(name="Big baskets", requires_coupon=True, min_subtotal=Decimal("50.00"))
    CouponFactory(code="EXPIRED1", promotion=offer, expires_at=now - datetime.timedelta(minutes=1))
    CouponFactory(code="USEDUP1", promotion=offer, used_count=1)
    CouponFactory(code="SOON1", promotion=later)
    CouponFactory(code="NOTYOURS1", promotion=offer, assigned_to=CustomerFactory())
    CouponFactory(code="BIGONLY1", promotion=big)
    CouponFactory(code="GOOD1", promotion=offer, max_uses=None)


@pytest.mark.parametrize(
    ("code", "reason", "message"),
    [
        ("WRONG1", "coupon_unknown", "The code WRONG1 is not known."),
        ("EXPIRED1", "coupon_expired", "The code EXPIRED1 has expired."),
        ("USEDUP1", "coupon_exhausted", "The code USEDUP1 has been used up."),
        ("SOON1", "coupon_not_yet_valid", "The code SOON1 is not valid yet."),
        ("NOTYOURS1", "coupon_not_yours", "The code NOTYOURS1 belongs to another customer."),
        ("BIGONLY1", "coupon_not_applicable", "The code BIGONLY1 does not apply: Needs a subtotal of at least 50.00."),
    ],
)
def test_each_refused_code_gets_its_own_reason_and_message_and_the_cart_keeps_no_code(shopper, code, reason, message):
    _codes()

    response = token_client(shopper).post("/api/v1/cart/coupons/", {"code": code.lower()}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == (reason, message)
    # a code that would apply with more in the cart says what would qualify
    hint = {"BIGONLY1": "Spend 30.00 more"}.get(code, "")
    assert response.json()["fields"] == {"code": [f"{message} {hint}." if hint else message]}
    assert response.json().get("extra", {}).get("hint", "") == hint
    assert Cart.objects.get(customer=shopper).coupon_codes == []


def test_an_accepted_code_is_itemised_in_the_cart_summary_with_its_verdict(shopper):
    _codes()

    response = token_client(shopper).post("/api/v1/cart/coupons/", {"code": "good1"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["coupons"] == [{"code": "GOOD1", "accepted": True, "reason": "", "message": "", "hint": ""}]
    [discount] = body["discounts"]
    assert (discount["name"], discount["code"], discount["amount"]) == ("Coupon offer", "GOOD1", {"amount": "5.00", "currency": "EUR"})


def test_a_code_that_stops_working_stays_on_the_cart_with_its_reason(shopper):
    _codes()
    client = token_client(shopper)
    client.post("/api/v1/cart/coupons/", {"code": "GOOD1"}, format="json")
    from promotions.models import Coupon

    Coupon.objects.filter(code="GOOD1").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    body = client.get("/api/v1/cart/").json()

    assert body["coupons"] == [{"code": "GOOD1", "accepted": False, "reason": "coupon_expired",
                                "message": "The code GOOD1 has expired.", "hint": ""}]
    assert body["discounts"] == []


def test_the_cart_summary_lists_what_an_automatic_offer_needs_and_keeps_secret_offers_out(shopper):
    # given: a 20.00 cart, free shipping from 40.00 for everyone, and a coupon-only offer from 40.00
    PromotionFactory(name="Free shipping from 40", free_shipping=True, min_subtotal=Decimal("40.00"))
    PromotionFactory(name="Secret", requires_coupon=True, min_subtotal=Decimal("40.00"))

    body = token_client(shopper).get("/api/v1/cart/").json()

    assert [(h["name"], h["reason"], h["hint"]) for h in body["hints"]] == [
        ("Free shipping from 40", "minimum_not_reached", "Spend 20.00 more")]
    assert body["hints"][0]["key"].startswith("promotion:")
