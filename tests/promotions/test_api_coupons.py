"""Coupons through the REST API (staff): generate and export a batch, a named code, distribution,
invalidation, usage statistics."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions.models import Coupon, CouponBatch
from tests.factories import CustomerFactory, token_client
from tests.orders.factories import customer_with_address, placed_order, stocked_product
from tests.orders.factories import filled_cart as cart_of
from tests.promotions.factories import CouponFactory, PromotionFactory, SegmentFactory, customer_in_segment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]


def coupon_state():
    return (
        list(Coupon.objects.order_by("id").values_list("code", "status", "assigned_to_id", "used_count")),
        CouponBatch.objects.count(),
        DomainEvent.objects.filter(event_type__startswith="promotions.coupon").count(),
    )


# --- generate and export ------------------------------------------------------------------------
def test_generate_returns_the_batch_and_its_codes_and_the_csv_lists_them(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    expires = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)

    response = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/generate/",
                                 {"quantity": 25, "prefix": "spring", "expires_at": expires.isoformat()}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    batch = CouponBatch.objects.get()
    assert (body["batch_id"], body["promotion"], body["quantity"], body["prefix"], body["max_uses"]) == (batch.pk, promotion.pk, 25, "SPRING", 1)
    assert sorted(body["codes"]) == sorted(Coupon.objects.filter(batch=batch).values_list("code", flat=True))
    assert len(set(body["codes"])) == 25 and all(code.startswith("SPRING-") for code in body["codes"])
    assert body["csv_url"].endswith(f"/api/v1/coupon-batches/{batch.pk}/csv/")
    assert batch.created_by is not None and batch.created_by.groups.filter(name="Merchandisers").exists()

    export = merchandiser.get(f"/api/v1/coupon-batches/{batch.pk}/csv/", HTTP_ACCEPT="text/csv")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert f'coupons-batch-{batch.pk}.csv' in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == ["code", "status", "max_uses", "used_count", "assigned_to", "expires_at", "promotion"]
    assert sorted(row[0] for row in rows[1:]) == sorted(body["codes"])
    assert {row[1] for row in rows[1:]} == {"active"}


def test_the_csv_of_an_unknown_batch_is_a_json_404_even_when_csv_is_asked(merchandiser):
    response = merchandiser.get("/api/v1/coupon-batches/999999/csv/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "coupon_batch_not_found"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"quantity": 0}, "invalid", "quantity"),
        ({"quantity": 10001}, "invalid", "quantity"),
        ({"quantity": 5, "prefix": "NO SPACES"}, "coupon_invalid", "prefix"),
        ({"quantity": 5, "max_uses": 0}, "invalid", "max_uses"),
        ({"quantity": 5, "expires_at": "2001-01-01T00:00:00Z"}, "coupon_invalid", "expires_at"),
        ({"quantity": 5, "codes": ["MINE"]}, "unknown_field", "codes"),
    ],
)
def test_generate_refuses_bad_input_and_creates_nothing(merchandiser, body, code, field):
    promotion = PromotionFactory(requires_coupon=True)
    before = coupon_state()

    response = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/generate/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == (code, [field])
    assert coupon_state() == before


def test_generate_for_an_expired_promotion_is_409_and_for_an_unknown_one_404(merchandiser):
    expired = PromotionFactory(status="expired")

    response = merchandiser.post(f"/api/v1/promotions/{expired.pk}/coupons/generate/", {"quantity": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    response = merchandiser.post("/api/v1/promotions/999999/coupons/generate/", {"quantity": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "promotion_not_found")


# --- a named code -----------------------------------------------------------------------------------
def test_create_a_named_code_for_one_customer(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    customer = CustomerFactory()

    response = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/",
                                 {"code": "welcome5", "max_uses": 1, "assigned_to": customer.pk}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["promotion"], body["assigned_to"], body["uses_left"], body["batch"]) == ("WELCOME5", promotion.pk, customer.pk, 1, None)
    assert Coupon.objects.get(code="WELCOME5").assigned_to == customer


def test_create_a_named_code_refuses_a_taken_code_a_bad_code_and_an_unknown_customer(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="SPRING10", promotion=promotion)
    before = coupon_state()
    url = f"/api/v1/promotions/{promotion.pk}/coupons/"

    taken = merchandiser.post(url, {"code": "spring10"}, format="json")
    assert (taken.status_code, taken.json()["code"], list(taken.json()["fields"])) == (409, "coupon_code_taken", ["code"])
    bad = merchandiser.post(url, {"code": "A!"}, format="json")
    assert (bad.status_code, bad.json()["code"], list(bad.json()["fields"])) == (400, "coupon_invalid", ["code"])
    nobody = merchandiser.post(url, {"code": "FORNOBODY", "assigned_to": 999999}, format="json")
    assert (nobody.status_code, nobody.json()["code"], list(nobody.json()["fields"])) == (404, "customer_not_found", ["assigned_to"])
    assert coupon_state() == before


# --- distribute -----------------------------------------------------------------------------------
def test_distribute_gives_each_member_one_coupon(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    segment = SegmentFactory()
    members = [customer_in_segment(segment) for _ in range(3)]
    batch_id = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/generate/", {"quantity": 5},
                                 format="json").json()["batch_id"]

    response = merchandiser.post(f"/api/v1/coupon-batches/{batch_id}/distribute/", {"segment": segment.pk}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"batch_id": batch_id, "segment": segment.pk, "assigned": 3}
    holders = sorted(Coupon.objects.filter(batch_id=batch_id, assigned_to__isnull=False).values_list("assigned_to_id", flat=True))
    assert holders == sorted(m.pk for m in members)
    again = merchandiser.post(f"/api/v1/coupon-batches/{batch_id}/distribute/", {"segment": segment.pk}, format="json")
    assert again.json()["assigned"] == 0  # members who hold one get none


def test_distribute_refuses_too_few_coupons_and_unknown_ids(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    segment = SegmentFactory()
    for _ in range(3):
        customer_in_segment(segment)
    batch_id = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/generate/", {"quantity": 2},
                                 format="json").json()["batch_id"]
    before = coupon_state()

    short = merchandiser.post(f"/api/v1/coupon-batches/{batch_id}/distribute/", {"segment": segment.pk}, format="json")
    assert (short.status_code, short.json()["code"]) == (409, "not_enough_coupons")
    assert short.json()["extra"] == {"available": 2, "needed": 3}
    no_segment = merchandiser.post(f"/api/v1/coupon-batches/{batch_id}/distribute/", {"segment": 999999}, format="json")
    assert (no_segment.status_code, no_segment.json()["code"]) == (404, "segment_not_found")
    no_batch = merchandiser.post("/api/v1/coupon-batches/999999/distribute/", {"segment": segment.pk}, format="json")
    assert (no_batch.status_code, no_batch.json()["code"]) == (404, "coupon_batch_not_found")
    missing = merchandiser.post(f"/api/v1/coupon-batches/{batch_id}/distribute/", {}, format="json")
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["segment"])
    assert coupon_state() == before


# --- invalidate -----------------------------------------------------------------------------------
def test_invalidate_a_code_then_a_shopper_is_told_it_is_no_longer_valid(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    coupon = CouponFactory(code="LASTCALL", promotion=promotion)

    response = merchandiser.post("/api/v1/coupons/lastcall/invalidate/")

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["code"]) == ("invalidated", "LASTCALL")
    coupon.refresh_from_db()
    assert coupon.status == "invalidated"
    customer, _ = customer_with_address()
    cart_of(customer, [(stocked_product(), 1)])
    refused = token_client(customer).post("/api/v1/cart/coupons/", {"code": "LASTCALL"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "coupon_invalidated")
    assert refused.json()["detail"] == "The code LASTCALL is no longer valid."


def test_invalidate_finds_an_all_digit_code_by_its_code_and_unknown_codes_are_404(merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    decoy = CouponFactory(code="DECOY", promotion=promotion)
    digits = CouponFactory(code=f"{decoy.pk:06d}", promotion=promotion)

    response = merchandiser.post(f"/api/v1/coupons/{digits.code}/invalidate/")

    assert response.status_code == 200
    decoy.refresh_from_db()
    digits.refresh_from_db()
    assert (digits.status, decoy.status) == ("invalidated", "active")
    unknown = merchandiser.post("/api/v1/coupons/NOSUCHCODE/invalidate/")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "coupon_unknown")


# --- statistics -----------------------------------------------------------------------------------
def test_usage_statistics_of_a_promotion_and_of_a_batch(merchandiser):
    promotion = PromotionFactory(requires_coupon=True, percent=Decimal("10"))
    batch_id = merchandiser.post(f"/api/v1/promotions/{promotion.pk}/coupons/generate/", {"quantity": 4},
                                 format="json").json()["batch_id"]
    code = Coupon.objects.filter(batch_id=batch_id).order_by("id").values_list("code", flat=True).first()
    customer, address = customer_with_address()
    cart = cart_of(customer, [(stocked_product(price="20.00"), 1)])
    token_client(customer).post("/api/v1/cart/coupons/", {"code": code}, format="json")
    cart.refresh_from_db()
    placed_order([], customer=customer, address=address)

    by_promotion = merchandiser.get(f"/api/v1/promotions/{promotion.pk}/coupons/statistics/").json()
    by_batch = merchandiser.get(f"/api/v1/coupon-batches/{batch_id}/statistics/").json()

    assert (by_promotion["issued"], by_promotion["redeemed"], by_promotion["uses"], by_promotion["redemption_rate"]) == (4, 1, 1, "0.2500")
    assert by_promotion["by_batch"] == [{"batch_id": batch_id, "prefix": "", "issued": 4, "assigned": 0, "redeemed": 1, "uses": 1,
                                         "invalidated": 0, "redemption_rate": "0.2500"}]
    assert {k: by_batch[k] for k in ("issued", "redeemed", "uses")} == {"issued": 4, "redeemed": 1, "uses": 1}
    assert merchandiser.get("/api/v1/coupon-batches/999999/statistics/").json()["code"] == "coupon_batch_not_found"
