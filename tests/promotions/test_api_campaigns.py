"""Campaigns through the REST API (staff): list, read, create, change, launch, end, ROI."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from orders.services.lifecycle import order_cancel
from promotions.models import Campaign
from tests.orders.factories import placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, PromotionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]

CAMPAIGNS = "/api/v1/campaigns/"


def campaign_state():
    return (
        list(Campaign.objects.order_by("id").values_list("name", "status", "budget_amount", "ends_at")),
        DomainEvent.objects.filter(event_type__startswith="promotions.campaign").count(),
    )


def later(days: int) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def test_campaign_create_list_and_get(merchandiser):
    response = merchandiser.post(CAMPAIGNS, {"name": "Spring sale", "starts_at": later(1), "ends_at": later(22),
                                             "budget_amount": "5000.00"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["budget"], body["spent"], body["promotion_count"]) == (
        "draft", {"amount": "5000.00", "currency": "EUR"}, {"amount": "0.00", "currency": "EUR"}, 0)
    PromotionFactory(campaign=Campaign.objects.get(pk=body["id"]))
    listed = merchandiser.get(CAMPAIGNS).json()
    assert [(c["id"], c["promotion_count"]) for c in listed["results"]] == [(body["id"], 1)]
    assert merchandiser.get(f"{CAMPAIGNS}{body['id']}/").json()["name"] == "Spring sale"
    missing = merchandiser.get(f"{CAMPAIGNS}999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "campaign_not_found")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "Backwards", "starts_at": later(5), "ends_at": later(1)}, "campaign_invalid", "ends_at"),
        ({"name": "Free money", "starts_at": later(1), "budget_amount": "0"}, "invalid", "budget_amount"),
        ({"name": "Float", "starts_at": later(1), "budget_amount": 10.5}, "invalid", "budget_amount"),
        ({"name": "No start"}, "invalid", "starts_at"),
        ({"name": "Extra", "starts_at": later(1), "status": "active"}, "unknown_field", "status"),
    ],
)
def test_campaign_create_refuses_bad_input_and_creates_nothing(merchandiser, body, code, field):
    before = campaign_state()

    response = merchandiser.post(CAMPAIGNS, body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == (code, [field])
    assert campaign_state() == before


def test_campaign_patch_launch_and_end(merchandiser):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, launched_at=None)
    url = f"{CAMPAIGNS}{campaign.pk}/"

    patched = merchandiser.patch(url, {"budget_amount": "800.00", "name": "Renamed"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["name"], patched.json()["budget"]["amount"]) == ("Renamed", "800.00")
    launched = merchandiser.post(f"{url}launch/")
    assert (launched.status_code, launched.json()["status"]) == (200, "active")
    ended = merchandiser.post(f"{url}end/")
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    assert ended.json()["ended_at"] is not None
    before = campaign_state()
    relaunch = merchandiser.post(f"{url}launch/")
    assert (relaunch.status_code, relaunch.json()["code"]) == (409, "invalid_transition")
    change = merchandiser.patch(url, {"name": "Too late"}, format="json")
    assert (change.status_code, change.json()["code"]) == (409, "invalid_transition")
    assert campaign_state() == before
    assert [e.event_type for e in DomainEvent.objects.filter(stream_id=str(campaign.pk), event_type__startswith="promotions.campaign",
                                                             channel="api")
            .order_by("id")] == ["promotions.campaign.updated", "promotions.campaign.launched", "promotions.campaign.ended"]


def test_campaign_launch_of_a_future_campaign_schedules_it(merchandiser):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, starts_at=timezone.now() + datetime.timedelta(days=3))

    assert merchandiser.post(f"{CAMPAIGNS}{campaign.pk}/launch/").json()["status"] == "scheduled"


def test_campaign_roi_from_its_redemptions(merchandiser):
    campaign = CampaignFactory(budget_amount=Decimal("100.00"))
    PromotionFactory(campaign=campaign, percent=Decimal("10"))
    product = stocked_product(price="20.00")
    kept = placed_order([(product, 5)])
    cancelled = placed_order([(product, 1)])
    order_cancel(order=cancelled, reason="no", by_customer=cancelled.customer)

    response = merchandiser.get(f"{CAMPAIGNS}{campaign.pk}/roi/")

    assert response.status_code == 200, response.json()
    body = response.json()
    revenue = kept.total_amount
    assert (body["campaign"], body["orders"]) == (campaign.pk, 1)
    assert body["discount"] == {"amount": "10.00", "currency": "EUR"}
    assert body["revenue"] == {"amount": str(revenue), "currency": "EUR"}
    assert body["roi"] == str(((revenue - Decimal("10.00")) / Decimal("10.00")).quantize(Decimal("0.0001")))
    assert body["budget"]["amount"] == "100.00" and body["spent"]["amount"] == "10.00" and body["budget_left"]["amount"] == "90.00"


def test_campaign_roi_without_redemptions_is_null(merchandiser):
    campaign = CampaignFactory()

    body = merchandiser.get(f"{CAMPAIGNS}{campaign.pk}/roi/").json()

    assert (body["roi"], body["orders"], body["budget"], body["budget_left"]) == (None, 0, None, None)
