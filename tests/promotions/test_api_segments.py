"""Segments through the REST API (staff): list, read, create, change, refresh, members, promotions."""

import pytest

from commerce.audit.models import DomainEvent
from promotions.models import Segment, SegmentMembership
from tests.factories import CustomerFactory, SalesRegionFactory
from tests.promotions.factories import PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db

SEGMENTS = "/api/v1/segments/"


def segment_state():
    return (
        list(Segment.objects.order_by("id").values_list("code", "name", "kind", "sales_region_id", "member_count")),
        list(SegmentMembership.objects.order_by("id").values_list("segment_id", "customer_id")),
        DomainEvent.objects.filter(event_type__startswith="promotions.segment").count(),
    )


def test_segment_create_list_get_and_refresh(merchandiser):
    region = SalesRegionFactory()
    CustomerFactory(profile__sales_region=region)

    response = merchandiser.post(SEGMENTS, {"code": "lyon", "name": "Lyon customers", "kind": "sales_region",
                                            "sales_region": region.pk}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["sales_region"], body["is_dynamic"], body["member_count"]) == ("sales_region", region.pk, False, 0)
    assert [s["code"] for s in merchandiser.get(SEGMENTS).json()["results"]] == ["lyon"]
    refreshed = merchandiser.post(f"{SEGMENTS}{body['id']}/refresh/")
    assert (refreshed.status_code, refreshed.json()["member_count"]) == (200, 1)
    assert refreshed.json()["refreshed_at"] is not None
    missing = merchandiser.get(f"{SEGMENTS}999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "segment_not_found")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"code": "vip", "name": "VIP", "kind": "rfm"}, "segment_invalid", "rfm_label"),
        ({"code": "big", "name": "Big", "kind": "lifetime_value"}, "segment_invalid", "min_lifetime_value"),
        ({"code": "x", "name": "X", "kind": "galaxy"}, "invalid", "kind"),
        ({"code": "with space", "name": "S", "kind": "manual"}, "segment_invalid", "code"),
        ({"code": "m", "name": "M", "kind": "manual", "member_count": 3}, "unknown_field", "member_count"),
    ],
)
def test_segment_create_refuses_bad_input_and_creates_nothing(merchandiser, body, code, field):
    before = segment_state()

    response = merchandiser.post(SEGMENTS, body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == (code, [field])
    assert segment_state() == before


def test_segment_patch_changes_its_name_but_never_its_kind(merchandiser):
    segment = SegmentFactory(name="Old")

    renamed = merchandiser.patch(f"{SEGMENTS}{segment.pk}/", {"name": "New"}, format="json")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "New")
    before = segment_state()
    rekind = merchandiser.patch(f"{SEGMENTS}{segment.pk}/", {"kind": "rfm"}, format="json")
    assert (rekind.status_code, rekind.json()["code"], list(rekind.json()["fields"])) == (400, "segment_invalid", ["kind"])
    assert segment_state() == before


def test_segment_members_replace_a_manual_segments_members(merchandiser):
    segment = SegmentFactory()
    first, second, third = CustomerFactory(), CustomerFactory(), CustomerFactory()
    merchandiser.put(f"{SEGMENTS}{segment.pk}/members/", {"customers": [first.pk, second.pk]}, format="json")

    response = merchandiser.put(f"{SEGMENTS}{segment.pk}/members/", {"customers": [second.pk, third.pk]}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"segment": segment.pk, "member_count": 2}
    assert sorted(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True)) == [second.pk, third.pk]


def test_segment_members_refuses_a_dynamic_segment_and_unknown_customers(merchandiser):
    manual = SegmentFactory()
    region = SegmentFactory(kind="sales_region", sales_region=SalesRegionFactory())
    before = segment_state()

    dynamic = merchandiser.put(f"{SEGMENTS}{region.pk}/members/", {"customers": []}, format="json")
    assert (dynamic.status_code, dynamic.json()["code"]) == (400, "segment_not_manual")
    unknown = merchandiser.put(f"{SEGMENTS}{manual.pk}/members/", {"customers": [999999]}, format="json")
    assert (unknown.status_code, unknown.json()["code"], list(unknown.json()["fields"])) == (400, "segment_invalid", ["customers"])
    assert segment_state() == before


def test_segment_promotions_lists_the_promotions_that_target_it(merchandiser):
    segment = SegmentFactory()
    targeted = PromotionFactory(name="For them", segments=[segment])
    PromotionFactory(name="For everyone")
    PromotionFactory(name="Deleted", segments=[segment], status="archived")

    response = merchandiser.get(f"{SEGMENTS}{segment.pk}/promotions/")

    assert response.status_code == 200
    assert [(p["id"], p["name"]) for p in response.json()["results"]] == [(targeted.pk, "For them")]
    assert merchandiser.get(f"{SEGMENTS}999999/promotions/").json()["code"] == "segment_not_found"
