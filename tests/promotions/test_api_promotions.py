"""Promotions through the REST API (staff): list, read, create, change, activate, deactivate, delete,
performance, the simulator; permissions; the OpenAPI schema."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from orders.services.lifecycle import order_cancel
from promotions.models import Promotion, PromotionTier
from tests.factories import CustomerFactory, StaffFactory, category, token_client
from tests.orders.factories import placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]

PROMOTIONS = "/api/v1/promotions/"


def promotion_state():
    return (
        list(Promotion.objects.order_by("id").values_list("id", "name", "status", "percent", "valid_to")),
        list(PromotionTier.objects.order_by("id").values_list("promotion_id", "min_quantity", "percent")),
        DomainEvent.objects.filter(event_type__startswith="promotions.").count(),
    )


# --- create -----------------------------------------------------------------------------------------
def test_promotion_create_makes_a_draft_with_its_conditions_and_records_it(merchandiser):
    campaign = CampaignFactory()
    product = stocked_product()
    segment = SegmentFactory()

    response = merchandiser.post(PROMOTIONS, {
        "name": "Spring 10 % off", "discount_class": "product", "benefit_type": "percentage", "percent": "10",
        "min_subtotal": "30.00", "requires_coupon": True, "combines_with": ["order", "shipping"], "campaign": campaign.pk,
        "target_products": [product.pk], "segments": [segment.pk], "usage_limit_per_customer": 1,
        "valid_to": (timezone.now() + datetime.timedelta(days=120)).isoformat(),
    }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    promotion = Promotion.objects.get()
    assert body["id"] == promotion.pk and body["status"] == "draft" == promotion.status
    assert (body["percent"], body["min_subtotal"], body["campaign"]) == ("10.00", {"amount": "30.00", "currency": "EUR"}, campaign.pk)
    assert (body["target_products"], body["segments"], body["combines_with"]) == ([product.pk], [segment.pk], ["order", "shipping"])
    assert body["badge"] == "10% off" and body["requires_coupon"] is True and body["usage_limit_per_customer"] == 1
    assert body["discount_granted"] == {"amount": "0.00", "currency": "EUR"}
    assert DomainEvent.objects.filter(event_type="promotions.promotion.created", stream_id=str(promotion.pk)).count() == 1


def test_promotion_create_with_quantity_tiers(merchandiser):
    food = category("Food")

    response = merchandiser.post(PROMOTIONS, {
        "name": "Stock up", "discount_class": "product", "benefit_type": "quantity_tiers", "target_categories": [food.pk],
        "tiers": [{"min_quantity": 10, "percent": "10"}, {"min_quantity": 5, "percent": "5"}],
    }, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["tiers"] == [{"min_quantity": 5, "percent": "5.00"}, {"min_quantity": 10, "percent": "10.00"}]
    assert response.json()["target_categories"] == [food.pk]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"benefit_type": "percentage", "percent": "0"}, "promotion_invalid", "percent"),
        ({"benefit_type": "fixed_amount"}, "promotion_invalid", "amount"),
        ({"benefit_type": "free_shipping", "discount_class": "order"}, "promotion_invalid", "discount_class"),
        ({"benefit_type": "bundle_price", "discount_class": "product", "bundle_quantity": 2, "amount": "9.00"},
         "promotion_invalid", "target_products"),
        ({"benefit_type": "percentage", "percent": "10", "campaign": 999999}, "promotion_invalid", "campaign"),
        ({"benefit_type": "percentage", "percent": 10.5}, "invalid", "percent"),  # a JSON number: no floats
        ({"benefit_type": "percentage", "percent": "10", "discount_class": "everything"}, "invalid", "discount_class"),
        ({"benefit_type": "percentage", "percent": "10", "usage_count": 5}, "unknown_field", "usage_count"),
        ({"benefit_type": "percentage", "percent": "10", "name": ""}, "invalid", "name"),
    ],
)
def test_promotion_create_refuses_bad_input_with_its_code_and_field_and_creates_nothing(merchandiser, body, code, field):
    before = promotion_state()

    response = merchandiser.post(PROMOTIONS, {"name": "Bad", "discount_class": "order", **body}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert promotion_state() == before


# --- list and read ----------------------------------------------------------------------------------
def test_promotion_list_filters_by_status_class_benefit_campaign_and_active_now(merchandiser):
    campaign = CampaignFactory()
    live = PromotionFactory(name="Live order 10", campaign=campaign)
    PromotionFactory(name="Draft", draft=True)
    shipping = PromotionFactory(name="Ship", free_shipping=True)
    PromotionFactory(name="Later", valid_from=timezone.now() + datetime.timedelta(days=3), status=Promotion.Status.SCHEDULED)
    PromotionFactory(name="Gone", status=Promotion.Status.ARCHIVED)

    def names(**params):
        response = merchandiser.get(PROMOTIONS, params)
        assert response.status_code == 200, response.json()
        return sorted(row["name"] for row in response.json()["results"])

    assert names() == ["Draft", "Later", "Live order 10", "Ship"]  # archived left out
    assert names(status="draft") == ["Draft"]
    assert names(status="archived") == ["Gone"]
    assert names(discount_class="shipping") == ["Ship"]
    assert names(benefit_type="free_shipping") == [shipping.name]
    assert names(campaign=campaign.pk) == [live.name]
    assert names(active="true") == ["Live order 10", "Ship"]
    response = merchandiser.get(PROMOTIONS, {"status": "lost"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["status"])


def test_promotion_get_answers_every_field_and_404_for_an_unknown_id(merchandiser):
    promotion = PromotionFactory(tiered=True, tiers=[(3, 5)], badge="Bulk", description="More for less")

    body = merchandiser.get(f"{PROMOTIONS}{promotion.pk}/").json()

    assert (body["name"], body["badge"], body["own_badge"], body["description"]) == (promotion.name, "Bulk", "Bulk", "More for less")
    assert body["tiers"] == [{"min_quantity": 3, "percent": "5.00"}]
    response = merchandiser.get(f"{PROMOTIONS}999999/")
    assert (response.status_code, response.json()["code"]) == (404, "promotion_not_found")


# --- change ---------------------------------------------------------------------------------------------
def test_promotion_patch_changes_only_what_is_sent(merchandiser):
    promotion = PromotionFactory(name="Old name", percent=Decimal("10"), draft=True)

    next_year = timezone.now().year + 1
    response = merchandiser.patch(f"{PROMOTIONS}{promotion.pk}/", {"name": "New name", "valid_to": f"{next_year}-01-01T00:00:00Z"},
                                  format="json")

    assert response.status_code == 200, response.json()
    promotion.refresh_from_db()
    assert (promotion.name, promotion.percent, promotion.valid_to.year) == ("New name", Decimal("10.00"), next_year)
    assert response.json()["percent"] == "10.00"
    assert DomainEvent.objects.filter(event_type="promotions.promotion.updated").count() == 1


def test_promotion_patch_refuses_a_bad_value_and_changes_nothing(merchandiser):
    promotion = PromotionFactory(draft=True)
    before = promotion_state()

    response = merchandiser.patch(f"{PROMOTIONS}{promotion.pk}/", {"percent": "150"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "promotion_invalid")
    assert list(response.json()["fields"]) == ["percent"]
    assert promotion_state() == before


def test_promotion_patch_of_a_deleted_promotion_is_409(merchandiser):
    promotion = PromotionFactory(status=Promotion.Status.ARCHIVED)

    response = merchandiser.patch(f"{PROMOTIONS}{promotion.pk}/", {"name": "Back"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


# --- transitions ------------------------------------------------------------------------------------
def test_activate_then_deactivate(merchandiser):
    promotion = PromotionFactory(draft=True)

    activated = merchandiser.post(f"{PROMOTIONS}{promotion.pk}/activate/")
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    deactivated = merchandiser.post(f"{PROMOTIONS}{promotion.pk}/deactivate/")
    assert (deactivated.status_code, deactivated.json()["status"]) == (200, "inactive")
    assert [e.event_type for e in DomainEvent.objects.filter(stream_id=str(promotion.pk), event_type__startswith="promotions.",
                                                             channel="api")
            .order_by("id")] == ["promotions.promotion.activated", "promotions.promotion.deactivated"]


def test_activate_a_promotion_starting_later_schedules_it(merchandiser):
    promotion = PromotionFactory(draft=True, valid_from=timezone.now() + datetime.timedelta(days=2))

    assert merchandiser.post(f"{PROMOTIONS}{promotion.pk}/activate/").json()["status"] == "scheduled"


def test_activate_an_expired_promotion_is_409_and_changes_nothing(merchandiser):
    promotion = PromotionFactory(status=Promotion.Status.EXPIRED)
    before = promotion_state()

    response = merchandiser.post(f"{PROMOTIONS}{promotion.pk}/activate/")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert response.json()["extra"]["status"] == "expired"
    assert promotion_state() == before


def test_delete_removes_a_promotion_never_redeemed(merchandiser):
    promotion = PromotionFactory(draft=True)

    response = merchandiser.delete(f"{PROMOTIONS}{promotion.pk}/")

    assert response.status_code == 204
    assert not Promotion.objects.filter(pk=promotion.pk).exists()
    assert merchandiser.delete(f"{PROMOTIONS}{promotion.pk}/").json()["code"] == "promotion_not_found"


def test_delete_archives_a_redeemed_promotion_and_invalidates_its_coupons(merchandiser):
    promotion = PromotionFactory(percent=Decimal("10"))
    placed_order([(stocked_product(price="20.00"), 1)])
    coupon = CouponFactory(promotion=promotion)

    assert merchandiser.delete(f"{PROMOTIONS}{promotion.pk}/").status_code == 204

    promotion.refresh_from_db()
    coupon.refresh_from_db()
    assert (promotion.status, coupon.status) == ("archived", "invalidated")


# --- performance ------------------------------------------------------------------------------------
def test_performance_counts_orders_units_revenue_and_discount_and_leaves_cancelled_orders_out(merchandiser):
    promotion = PromotionFactory(percent=Decimal("10"))
    product = stocked_product(price="20.00")
    kept = placed_order([(product, 2)])
    cancelled = placed_order([(product, 1)])
    order_cancel(order=cancelled, reason="changed my mind", by_customer=cancelled.customer)
    today = timezone.localdate().isoformat()

    response = merchandiser.get(f"{PROMOTIONS}{promotion.pk}/performance/", {"period": "month", "date_from": today})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["promotion"], body["period"], body["orders"], body["units"]) == (promotion.pk, "month", 1, 2)
    assert body["discount"] == {"amount": "4.00", "currency": "EUR"}
    assert body["revenue"] == {"amount": str(kept.total_amount), "currency": "EUR"}
    assert len(body["periods"]) == 1 and body["periods"][0]["orders"] == 1


def test_performance_refuses_a_reversed_date_range(merchandiser):
    promotion = PromotionFactory()

    response = merchandiser.get(f"{PROMOTIONS}{promotion.pk}/performance/", {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert (response.status_code, list(response.json()["fields"])) == (400, ["date_to"])
    response = merchandiser.get(f"{PROMOTIONS}{promotion.pk}/performance/", {"period": "year"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["period"])


# --- simulate ---------------------------------------------------------------------------------------
def test_simulate_lists_what_applies_what_does_not_and_why(merchandiser):
    product = stocked_product(price="10.00")
    ten_off = PromotionFactory(name="Ten off", percent=Decimal("10"), discount_class="product")
    free_shipping = PromotionFactory(name="Free shipping", free_shipping=True, min_subtotal=Decimal("50.00"))
    PromotionFactory(name="Secret", requires_coupon=True)
    CouponFactory(code="SPRING10", promotion=PromotionFactory(name="Spring", requires_coupon=True, fixed=True,
                                                              amount=Decimal("2.00")))
    customer = CustomerFactory()

    response = merchandiser.post(f"{PROMOTIONS}simulate/", {
        "lines": [{"product_id": product.pk, "quantity": 3}], "customer": customer.pk, "coupon_codes": ["spring10", "NOPE"],
    }, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    applied = {a["name"]: a for a in body["applied"]}
    assert set(applied) == {"Ten off", "Spring"}
    assert applied["Ten off"]["promotion"] == ten_off.pk
    assert applied["Ten off"]["line_amounts"] == [{"index": 0, "amount": {"amount": "3.00", "currency": "EUR"}}]
    assert applied["Spring"]["code"] == "SPRING10"
    not_applied = {n["name"]: n for n in body["not_applied"]}
    assert not_applied["Free shipping"]["promotion"] == free_shipping.pk
    assert not_applied["Free shipping"]["reason"] == "minimum_not_reached"
    assert not_applied["Free shipping"]["hint"].startswith("Spend ")
    assert not_applied["Secret"]["reason"] == "coupon_required"
    verdicts = {c["code"]: c for c in body["coupons"]}
    assert verdicts["SPRING10"]["accepted"] is True
    assert (verdicts["NOPE"]["accepted"], verdicts["NOPE"]["reason"]) == (False, "coupon_unknown")
    assert body["subtotal"] == {"amount": "30.00", "currency": "EUR"}
    # the order discount is spread over the lines too: 3.00 + 2.00 on the only line
    assert body["lines"][0]["index"] == 0 and body["lines"][0]["discount"]["amount"] == "5.00"
    assert body["discount_total"] == {"amount": "5.00", "currency": "EUR"}


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"lines": []}, 400, "invalid", "lines"),
        ({"lines": [{"product_id": 1, "quantity": 0}]}, 400, "invalid_quantity", "lines[0].quantity"),
        ({"lines": [{"product_id": 999999, "quantity": 1}]}, 400, "simulation_invalid", "lines"),
        ({"lines": [{"product_id": 1, "quantity": 1, "price": "1.00"}]}, 400, "unknown_field", "lines[0].price"),
        ({"lines": [{"product_id": 1, "quantity": 1}], "customer": 999999}, 404, "customer_not_found", "customer"),
    ],
)
def test_simulate_refuses_a_bad_sample_cart(merchandiser, body, status, code, field):
    response = merchandiser.post(f"{PROMOTIONS}simulate/", body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


# --- permissions --------------------------------------------------------------------------------------
STAFF_ENDPOINTS = [
    ("get", "/api/v1/promotions/"),
    ("post", "/api/v1/promotions/"),
    ("get", "/api/v1/promotions/{promotion}/"),
    ("patch", "/api/v1/promotions/{promotion}/"),
    ("delete", "/api/v1/promotions/{promotion}/"),
    ("post", "/api/v1/promotions/{promotion}/activate/"),
    ("post", "/api/v1/promotions/{promotion}/deactivate/"),
    ("get", "/api/v1/promotions/{promotion}/performance/"),
    ("post", "/api/v1/promotions/simulate/"),
    ("post", "/api/v1/promotions/{promotion}/coupons/"),
    ("post", "/api/v1/promotions/{promotion}/coupons/generate/"),
    ("get", "/api/v1/promotions/{promotion}/coupons/statistics/"),
    ("get", "/api/v1/coupon-batches/{batch}/csv/"),
    ("post", "/api/v1/coupon-batches/{batch}/distribute/"),
    ("get", "/api/v1/coupon-batches/{batch}/statistics/"),
    ("post", "/api/v1/coupons/{code}/invalidate/"),
    ("get", "/api/v1/campaigns/"),
    ("post", "/api/v1/campaigns/"),
    ("get", "/api/v1/campaigns/{campaign}/"),
    ("patch", "/api/v1/campaigns/{campaign}/"),
    ("post", "/api/v1/campaigns/{campaign}/launch/"),
    ("post", "/api/v1/campaigns/{campaign}/end/"),
    ("get", "/api/v1/campaigns/{campaign}/roi/"),
    ("get", "/api/v1/segments/"),
    ("post", "/api/v1/segments/"),
    ("get", "/api/v1/segments/{segment}/"),
    ("patch", "/api/v1/segments/{segment}/"),
    ("post", "/api/v1/segments/{segment}/refresh/"),
    ("put", "/api/v1/segments/{segment}/members/"),
    ("get", "/api/v1/segments/{segment}/promotions/"),
]


@pytest.mark.parametrize(("method", "template"), STAFF_ENDPOINTS)
def test_staff_endpoints_refuse_customers_403_and_anonymous_401_and_change_nothing(method, template):
    from tests.promotions.factories import CouponBatchFactory

    batch = CouponBatchFactory()
    coupon = CouponFactory(promotion=batch.promotion, batch=batch)
    url = template.format(promotion=batch.promotion_id, batch=batch.pk, code=coupon.code, campaign=CampaignFactory().pk,
                          segment=SegmentFactory().pk)
    support = StaffFactory(groups=["Support"])  # staff, but not a merchandiser
    before = promotion_state()

    for user in (CustomerFactory(), support):
        response = getattr(token_client(user), method)(url, {}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), (method, url)
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert promotion_state() == before


# --- the schema ---------------------------------------------------------------------------------------
def test_every_promotions_endpoint_is_in_the_openapi_schema(tmp_path: Path):
    schema_file = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    paths = yaml.safe_load(schema_file.read_text())["paths"]

    def schema_path(template: str) -> str:
        return (template.replace("{promotion}", "{promotion_id}").replace("{batch}", "{batch_id}")
                .replace("{campaign}", "{campaign_id}").replace("{segment}", "{segment_id}"))

    wanted = {(method, schema_path(template)) for method, template in STAFF_ENDPOINTS} | {
        ("get", "/api/v1/promotions/active/"),
        ("get", "/api/v1/products/{product_id}/promotions/"),
        ("get", "/api/v1/me/promotions/"),
        ("get", "/api/v1/me/coupons/"),
        ("get", "/api/v1/me/coupons/{code}/"),
    }
    missing = {(method, path) for method, path in wanted if method not in paths.get(path, {})}
    assert not missing
    csv_answer = paths["/api/v1/coupon-batches/{batch_id}/csv/"]["get"]["responses"]["200"]["content"]
    assert list(csv_answer) == ["text/csv"]
    assert paths["/api/v1/promotions/{promotion_id}/"]["get"]["security"]
