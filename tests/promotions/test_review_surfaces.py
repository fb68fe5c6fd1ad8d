"""Review of the promotions surfaces: who may call what, and what bad input gets back."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from promotions.models import Campaign, Coupon, CouponBatch, Promotion, Segment
from tests.factories import CustomerFactory, StaffFactory, token_client
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]


@pytest.fixture
def rows():
    promotion = PromotionFactory(requires_coupon=True)
    batch = CouponBatch.objects.create(promotion=promotion, prefix="X", quantity=1)
    coupon = CouponFactory(promotion=promotion, batch=batch, code="X-ABCDEFGHJK")
    return {"p": promotion.pk, "b": batch.pk, "c": coupon.code, "cm": CampaignFactory().pk, "s": SegmentFactory().pk}


STAFF_ENDPOINTS = [
    ("get", "/api/v1/promotions/"), ("post", "/api/v1/promotions/"),
    ("post", "/api/v1/promotions/simulate/"),
    ("get", "/api/v1/promotions/{p}/"), ("patch", "/api/v1/promotions/{p}/"), ("delete", "/api/v1/promotions/{p}/"),
    ("post", "/api/v1/promotions/{p}/activate/"), ("post", "/api/v1/promotions/{p}/deactivate/"),
    ("get", "/api/v1/promotions/{p}/performance/"),
    ("post", "/api/v1/promotions/{p}/coupons/"), ("post", "/api/v1/promotions/{p}/coupons/generate/"),
    ("get", "/api/v1/promotions/{p}/coupons/statistics/"),
    ("get", "/api/v1/coupon-batches/{b}/csv/"), ("post", "/api/v1/coupon-batches/{b}/distribute/"),
    ("get", "/api/v1/coupon-batches/{b}/statistics/"),
    ("post", "/api/v1/coupons/{c}/invalidate/"),
    ("get", "/api/v1/campaigns/"), ("post", "/api/v1/campaigns/"),
    ("get", "/api/v1/campaigns/{cm}/"), ("patch", "/api/v1/campaigns/{cm}/"), ("delete", "/api/v1/campaigns/{cm}/"),
    ("post", "/api/v1/campaigns/{cm}/launch/"), ("post", "/api/v1/campaigns/{cm}/end/"),
    ("get", "/api/v1/campaigns/{cm}/roi/"),
    ("get", "/api/v1/segments/"), ("post", "/api/v1/segments/"),
    ("get", "/api/v1/segments/{s}/"), ("patch", "/api/v1/segments/{s}/"), ("delete", "/api/v1/segments/{s}/"),
    ("post", "/api/v1/segments/{s}/refresh/"), ("get", "/api/v1/segments/{s}/members/"),
    ("post", "/api/v1/segments/{s}/members/"), ("delete", "/api/v1/segments/{s}/members/"),
    ("get", "/api/v1/segments/{s}/promotions/"),
]


def _state():
    return (Promotion.objects.count(), Coupon.objects.count(), CouponBatch.objects.count(), Campaign.objects.count(),
            Segment.objects.count(), list(Coupon.objects.values_list("status", flat=True)),
            list(Promotion.objects.values_list("status", flat=True)), DomainEvent.objects.count())


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "customer", "dispatcher"])
def test_staff_endpoints_refuse_everyone_without_manage_promotions(rows, method, path, who):
    client = APIClient() if who == "anonymous" else token_client(
        CustomerFactory() if who == "customer" else StaffFactory(groups=["Dispatchers"]))
    before = _state()

    response = getattr(client, method)(path.format(**rows), {}, format="json")

    expected = 401 if who == "anonymous" else 403
    assert response.status_code == expected, (response.status_code, response.content[:300])
    assert response.json()["code"] in ("not_authenticated", "permission_denied")
    assert _state() == before


BASE = {"name": "N", "discount_class": "order", "benefit_type": "percentage", "percent": "10"}
TIERS = {"name": "N", "discount_class": "product", "benefit_type": "quantity_tiers"}
HUGE_ID = 10**20  # beyond any database integer: must be a 400, never an overflow (500)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BASE, "priority": 10**20}, "priority"),
        ({**BASE, "priority": -(10**20)}, "priority"),
        ({**BASE, "usage_limit": 10**12}, "usage_limit"),
        ({**BASE, "usage_limit_per_customer": 10**12}, "usage_limit_per_customer"),
        ({**BASE, "min_quantity": 10**12}, "min_quantity"),
        ({**BASE, "target_products": [HUGE_ID]}, "target_products[0]"),
        ({**BASE, "target_categories": [HUGE_ID]}, "target_categories[0]"),
        ({**BASE, "segments": [HUGE_ID]}, "segments[0]"),
        ({**BASE, "campaign": HUGE_ID}, "campaign"),
        ({**TIERS, "tiers": [{"min_quantity": 10**12, "percent": "5"}]}, "tiers[0].min_quantity"),
        ({**TIERS, "tiers": [{"min_quantity": 2, "percent": "5", "price": "0"}]}, "tiers[0].price"),
        ({"name": "N", "discount_class": "product", "benefit_type": "buy_x_get_y", "buy_quantity": 10**12,
          "get_quantity": 1, "get_percent": "100"}, "buy_quantity"),
    ],
)
def test_promotion_create_refuses_out_of_range_numbers_and_unknown_tier_fields(merchandiser, body, field):
    before = _state()

    response = merchandiser.post("/api/v1/promotions/", body, format="json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    answer = response.json()
    assert answer["code"] in ("invalid", "unknown_field", "promotion_invalid")
    assert field in answer["fields"], answer
    assert _state() == before


def test_promotion_update_refuses_an_overflowing_priority_and_changes_nothing(merchandiser):
    promotion = PromotionFactory(priority=3)
    before = _state()

    response = merchandiser.patch(f"/api/v1/promotions/{promotion.pk}/", {"priority": 2**40}, format="json")

    assert response.status_code == 400
    assert "priority" in response.json()["fields"]
    promotion.refresh_from_db()
    assert promotion.priority == 3
    assert _state() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/promotions/simulate/", {"lines": [{"product_id": HUGE_ID, "quantity": 1}]}, "lines[0].product_id"),
        ("/api/v1/promotions/{p}/coupons/generate/", {"quantity": 2, "max_uses": 10**12}, "max_uses"),
        ("/api/v1/promotions/{p}/coupons/", {"code": "BIGUSE", "max_uses": 10**12}, "max_uses"),
    ],
)
def test_other_writes_refuse_out_of_range_numbers(merchandiser, rows, path, body, field):
    before = _state()

    response = merchandiser.post(path.format(**rows), body, format="json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert field in response.json()["fields"]
    assert _state() == before


def test_segment_members_refuse_an_overflowing_customer_id(merchandiser, rows):
    response = merchandiser.put(f"/api/v1/segments/{rows['s']}/members/", {"customers": [HUGE_ID]}, format="json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert "customers[0]" in response.json()["fields"]
    assert Segment.objects.get(pk=rows["s"]).memberships.count() == 0


# --- the CSV of a batch --------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_batch():
    """A batch whose promotion name (staff input) and assignee's user name (customer input) look like formulas."""
    promotion = PromotionFactory(requires_coupon=True, name='=HYPERLINK("http://evil.example","Click")')
    batch = CouponBatch.objects.create(promotion=promotion, prefix="X", quantity=2)
    CouponFactory(promotion=promotion, batch=batch, code="X-ABCDEFGHJK", assigned_to=CustomerFactory(username="+1234"))
    CouponFactory(promotion=promotion, batch=batch, code="X-BCDEFGHJKM", assigned_to=CustomerFactory(username="@evil"))
    return batch


def _csv_cells(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_batch_csv_over_the_api_cannot_carry_a_spreadsheet_formula(merchandiser, formula_batch):
    response = merchandiser.get(f"/api/v1/coupon-batches/{formula_batch.pk}/csv/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="coupons-batch-{formula_batch.pk}.csv"'
    header, *body = _csv_cells(response)
    assert header[0] == "code"
    assert len(body) == 2
    assert not [cell for row in body for cell in row if cell.startswith(FORMULA_STARTS)]
    assert body[0][6] == "'" + formula_batch.promotion.name  # kept readable, behind an apostrophe
    assert {row[4] for row in body} == {"'+1234", "'@evil"}


def test_batch_csv_in_the_admin_cannot_carry_a_spreadsheet_formula(client, formula_batch):
    client.force_login(StaffFactory(groups=["Merchandisers"]))

    response = client.get(f"/admin/promotions/couponbatch/{formula_batch.pk}/csv/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    _header, *body = _csv_cells(response)
    assert not [cell for row in body for cell in row if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("who", ["customer", "dispatcher"])
def test_batch_csv_in_the_admin_is_refused_without_manage_promotions(client, formula_batch, who):
    user = CustomerFactory() if who == "customer" else StaffFactory(groups=["Dispatchers"])
    client.force_login(user)

    response = client.get(f"/admin/promotions/couponbatch/{formula_batch.pk}/csv/")

    # a customer is not staff: the admin sends them to its login page; staff without the permission get 403
    assert response.status_code == (302 if who == "customer" else 403)
    assert b"X-ABCDEFGHJK" not in b"".join(getattr(response, "streaming_content", [response.content]))


# --- shoppers ---------------------------------------------------------------------------------------------
def _names(response) -> list[str]:
    body = response.json()
    return sorted(row["name"] for row in (body["results"] if isinstance(body, dict) else body))


def test_a_products_offers_leave_out_segment_only_and_coupon_only_promotions():
    from tests.orders.factories import stocked_product

    milk = stocked_product()
    PromotionFactory(name="Milk for all", discount_class="product", targets=[milk])
    PromotionFactory(name="Milk for VIPs", discount_class="product", targets=[milk], segments=[SegmentFactory()])
    PromotionFactory(name="Milk by coupon", discount_class="product", targets=[milk], requires_coupon=True)

    for client in (APIClient(), token_client(CustomerFactory())):
        response = client.get(f"/api/v1/products/{milk.pk}/promotions/")
        assert response.status_code == 200
        assert _names(response) == ["Milk for all"]
        assert not {"usage_count", "usage_limit", "usage_limit_per_customer", "discount_granted"} & set(response.json()[0])


def test_my_offers_leave_out_other_segments_public_codes_and_invalidated_coupons():
    me = CustomerFactory()
    PromotionFactory(name="Other segment", segments=[SegmentFactory()])
    public = PromotionFactory(name="Public code", requires_coupon=True)
    CouponFactory(promotion=public, code="SPRING10")  # a named code assigned to nobody: not "mine"
    gone = PromotionFactory(name="Invalidated mine", requires_coupon=True)
    CouponFactory(promotion=gone, assigned_to=me, status=Coupon.Status.INVALIDATED)

    response = token_client(me).get("/api/v1/me/promotions/")

    assert response.status_code == 200
    assert _names(response) == []


def test_my_coupons_never_list_a_code_assigned_to_nobody_or_to_someone_else():
    me = CustomerFactory()
    CouponFactory(code="SPRING10", promotion=PromotionFactory(requires_coupon=True))
    CouponFactory(code="THEIRS02", assigned_to=CustomerFactory())
    client = token_client(me)

    assert client.get("/api/v1/me/coupons/").json()["results"] == []
    for code in ("SPRING10", "spring10", "THEIRS02", "%00", "x" * 300):
        response = client.get(f"/api/v1/me/coupons/{code}/")
        assert (response.status_code, response.json()["code"]) == (404, "coupon_unknown"), code


# --- the back office --------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["customer", "dispatcher"])
def test_admin_writes_are_refused_without_manage_promotions_and_write_nothing(client, rows, who):
    client.force_login(CustomerFactory() if who == "customer" else StaffFactory(groups=["Dispatchers"]))
    before = _state()
    posts = [
        (f"/admin/promotions/promotion/{rows['p']}/generate-coupons/", {"quantity": "5", "uses": "single"}),
        (f"/admin/promotions/couponbatch/{rows['b']}/distribute/", {"segment": rows["s"]}),
        (f"/admin/promotions/promotion/{rows['p']}/transition/deactivate/", {}),
        ("/admin/promotions/promotion/simulate/", {}),
    ]

    for url, data in posts:
        response = client.post(url, data)
        # not staff: the admin's login page; staff without the permission: 403
        assert response.status_code == (302 if who == "customer" else 403), url
        if who == "customer":
            assert "/admin/login/" in response["Location"]
    assert client.get("/admin/promotions/promotion/simulate/").status_code == (302 if who == "customer" else 403)
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"quantity": "0", "uses": "single"}, "quantity"),
        ({"quantity": "100000", "uses": "single"}, "quantity"),
        ({"quantity": "-5", "uses": "single"}, "quantity"),
        ({"quantity": "abc", "uses": "single"}, "quantity"),
        ({"quantity": "5", "uses": "single", "prefix": "=SUM"}, "prefix"),
        ({"quantity": "5", "uses": "single", "prefix": "+1"}, "prefix"),
        ({"quantity": "5", "uses": "single", "prefix": "-1"}, "prefix"),
        ({"quantity": "5", "uses": "single", "prefix": "@A"}, "prefix"),
        ({"quantity": "5", "uses": "single", "prefix": "A" * 13}, "prefix"),
        ({"quantity": "5", "uses": "limited", "max_uses": "99999999999"}, "max_uses"),
        ({"quantity": "5", "uses": "limited"}, "max_uses"),
        ({"quantity": "5", "uses": "sometimes"}, "uses"),
        ({"quantity": "5", "uses": "single", "expires_at_0": "2000-01-01", "expires_at_1": "00:00"}, "expires_at"),
        ({"quantity": "5", "uses": "single", "expires_at_0": "not a day", "expires_at_1": "00:00"}, "expires_at"),
    ],
)
def test_admin_generate_form_validates_its_inputs_and_generates_nothing(client, rows, data, field):
    client.force_login(StaffFactory(groups=["Merchandisers"]))
    before = _state()

    response = client.post(f"/admin/promotions/promotion/{rows['p']}/generate-coupons/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert _state() == before


# --- pages ------------------------------------------------------------------------------------------------
def test_my_coupons_apply_form_carries_csrf_and_a_post_without_it_is_refused():
    from django.test import Client
    from django.urls import reverse

    from orders.models import Cart
    from tests.orders.factories import filled_cart, stocked_product

    me = CustomerFactory()
    CouponFactory(code="MINE03", assigned_to=me, promotion=PromotionFactory(requires_coupon=True))
    CouponFactory(code="THEIRS03", assigned_to=CustomerFactory(), promotion=PromotionFactory(requires_coupon=True))
    filled_cart(me, [(stocked_product(price="20.00"), 1)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(me)

    page = client.get("/accounts/coupons/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'value="MINE03"' in page and "THEIRS03" not in page

    forged = client.post(reverse("orders:cart_coupon_apply"), {"code": "MINE03"})
    assert forged.status_code == 403
    assert Cart.objects.get(customer=me).coupon_codes == []
