"""Campaign commands: create, update, launch, end."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions import services
from promotions.errors import CampaignInvalid, CampaignNotFound, InvalidTransition
from promotions.models import Campaign
from tests.promotions.factories import CampaignFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def _events(event_type):
    return list(DomainEvent.objects.filter(event_type=event_type).order_by("id"))


def test_campaign_create_in_draft_and_records_it():
    campaign = services.campaign_create(name=" Spring ", starts_at=NOW, ends_at=NOW + 30 * DAY,
                                        budget_amount="1000.00", currency="EUR")

    assert (campaign.name, campaign.status, campaign.budget_amount) == ("Spring", "draft", Decimal("1000.00"))
    [event] = _events("promotions.campaign.created")
    assert event.stream_type == "campaign" and event.payload["budget_amount"] == "1000.00"
    assert event.payload["ends_at"] == (NOW + 30 * DAY).isoformat()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": ""}, "name"),
    ({"ends_at": NOW - DAY}, "ends_at"),
    ({"budget_amount": Decimal("0")}, "budget_amount"),
    ({"budget_amount": "-5"}, "budget_amount"),
    ({"budget_amount": "1.001"}, "budget_amount"),
    ({"currency": "XYZ"}, "currency"),
])
def test_campaign_create_refuses_invalid_input(kwargs, field):
    with pytest.raises(CampaignInvalid) as refused:
        services.campaign_create(**{"name": "C", "starts_at": NOW, **kwargs})
    assert field in refused.value.fields and refused.value.code == "campaign_invalid"
    assert Campaign.objects.count() == 0


def test_campaign_update_records_changes_and_never_lowers_the_budget_below_the_spend():
    campaign = CampaignFactory(budget_amount=Decimal("100.00"), spent_amount=Decimal("60.00"))

    services.campaign_update(campaign=campaign, data={"name": "Renamed", "budget_amount": Decimal("80.00")})
    with pytest.raises(CampaignInvalid) as refused:
        services.campaign_update(campaign=campaign, data={"budget_amount": Decimal("59.99")})

    campaign.refresh_from_db()
    assert (campaign.name, campaign.budget_amount) == ("Renamed", Decimal("80.00"))
    assert "budget_amount" in refused.value.fields
    [event] = _events("promotions.campaign.updated")
    assert event.payload["changes"]["budget_amount"] == ["100.00", "80.00"]


def test_campaign_update_refuses_a_currency_change_once_it_has_promotions():
    campaign = CampaignFactory()
    PromotionFactory(campaign=campaign)
    with pytest.raises(CampaignInvalid):
        services.campaign_update(campaign=campaign, data={"currency": "USD"})


def test_campaign_update_moving_the_end_into_the_past_ends_an_active_campaign():
    campaign = CampaignFactory(starts_at=NOW - 5 * DAY)
    services.campaign_update(campaign=campaign, data={"ends_at": NOW - DAY})
    campaign.refresh_from_db()
    assert campaign.status == "ended" and campaign.ended_at is not None


def test_campaign_update_refuses_an_ended_campaign_and_unknown_fields():
    with pytest.raises(InvalidTransition):
        services.campaign_update(campaign=CampaignFactory(status="ended"), data={"name": "x"})
    with pytest.raises(TypeError):
        services.campaign_update(campaign=CampaignFactory(), data={"spent_amount": 0})


def test_campaign_launch_makes_it_scheduled_or_active_by_its_start():
    soon = services.campaign_create(name="Soon", starts_at=NOW + DAY)
    now = services.campaign_create(name="Now", starts_at=NOW - DAY)

    services.campaign_launch(campaign=soon)
    services.campaign_launch(campaign=now.pk)
    services.campaign_launch(campaign=now.pk)  # already launched: unchanged

    soon.refresh_from_db()
    now.refresh_from_db()
    assert (soon.status, now.status) == ("scheduled", "active")
    assert [e.payload["status"] for e in _events("promotions.campaign.launched")] == ["scheduled", "active"]


def test_campaign_launch_refuses_an_ended_campaign_or_one_whose_end_has_passed():
    with pytest.raises(InvalidTransition):
        services.campaign_launch(campaign=CampaignFactory(status="ended"))
    past = CampaignFactory(status="draft", starts_at=NOW - 5 * DAY, ends_at=NOW - DAY)
    with pytest.raises(InvalidTransition) as refused:
        services.campaign_launch(campaign=past)
    assert refused.value.code == "invalid_transition"


def test_campaign_end_ends_it_and_its_promotions_stop_applying():
    from orders.selectors import cart_summary
    from tests.orders.factories import customer_with_address, filled_cart, stocked_product

    campaign = CampaignFactory(spent_amount=Decimal("3.00"))
    PromotionFactory(campaign=campaign)
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    assert cart_summary(cart=cart).discount_total.amount == Decimal("2.00")

    services.campaign_end(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == "ended" and campaign.ended_at is not None
    [event] = _events("promotions.campaign.ended")
    assert event.payload == {"campaign_id": campaign.pk, "name": campaign.name, "previous_status": "active",
                             "spent_amount": "3.00"}
    assert cart_summary(cart=cart).discount_total.amount == Decimal("0.00")
    services.campaign_end(campaign=campaign)  # again: unchanged
    assert len(_events("promotions.campaign.ended")) == 1


def test_campaign_not_found():
    with pytest.raises(CampaignNotFound):
        services.campaign_launch(campaign=123456)
