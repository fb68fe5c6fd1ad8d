"""promotions_sync_schedule: statuses follow the clock, and the engine never waits for it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from orders.selectors import cart_summary
from promotions import services
from tests.factories import last_event_id
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)


def _types(*, after: int = 0):
    return sorted(DomainEvent.objects.filter(event_type__startswith="promotions.", id__gt=after)
                  .values_list("event_type", "stream_id"))


def test_sync_schedule_starts_expires_and_ends_by_time_and_records_each():
    starting = PromotionFactory(status="scheduled", valid_from=NOW - HOUR)
    waiting = PromotionFactory(status="scheduled", valid_from=NOW + HOUR)
    expiring = PromotionFactory(status="active", valid_from=NOW - 3 * HOUR, valid_to=NOW - HOUR)
    scheduled_but_over = PromotionFactory(status="scheduled", valid_from=NOW - 3 * HOUR, valid_to=NOW - HOUR)
    running = PromotionFactory(status="active", valid_to=NOW + HOUR)
    campaign_starting = CampaignFactory(status="scheduled", starts_at=NOW - HOUR)
    campaign_ending = CampaignFactory(status="active", starts_at=NOW - 5 * HOUR, ends_at=NOW - HOUR)
    campaign_waiting = CampaignFactory(status="scheduled", starts_at=NOW + HOUR)
    set_up = last_event_id()

    result = services.promotions_sync_schedule(now=NOW)

    assert result == {"promotions_started": 1, "promotions_expired": 2, "campaigns_started": 1, "campaigns_ended": 1}
    statuses = {p.pk: p.status for p in (starting, waiting, expiring, scheduled_but_over, running)
                if not p.refresh_from_db()}
    assert statuses == {starting.pk: "active", waiting.pk: "scheduled", expiring.pk: "expired",
                        scheduled_but_over.pk: "expired", running.pk: "active"}
    for campaign in (campaign_starting, campaign_ending, campaign_waiting):
        campaign.refresh_from_db()
    assert (campaign_starting.status, campaign_ending.status, campaign_waiting.status) == ("active", "ended", "scheduled")
    assert campaign_ending.ended_at == NOW
    assert _types(after=set_up) == sorted([
        ("promotions.promotion.started", str(starting.pk)),
        ("promotions.promotion.expired", str(expiring.pk)),
        ("promotions.promotion.expired", str(scheduled_but_over.pk)),
        ("promotions.campaign.started", str(campaign_starting.pk)),
        ("promotions.campaign.ended", str(campaign_ending.pk)),
    ])
    # a second run finds nothing to do
    assert services.promotions_sync_schedule(now=NOW) == dict.fromkeys(result, 0)


def test_the_engine_checks_windows_itself_so_a_late_beat_never_over_grants():
    # given: an "active" promotion whose window closed an hour ago, the beat not run yet
    PromotionFactory(status="active", valid_to=NOW - HOUR)
    PromotionFactory(status="scheduled", valid_from=NOW + HOUR)
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="20.00"), 1)])

    summary = cart_summary(cart=cart)

    assert summary.discount_total.amount == Decimal("0.00")
    assert sorted(h.reason for h in summary.explanations) == ["expired", "not_yet_valid"]


def test_a_campaign_window_bounds_its_promotions():
    campaign = CampaignFactory(status="active", starts_at=NOW - 5 * HOUR, ends_at=NOW - HOUR)  # beat late again
    PromotionFactory(campaign=campaign)
    draft_campaign = CampaignFactory(status="draft")
    PromotionFactory(campaign=draft_campaign)
    customer, _ = customer_with_address()

    summary = cart_summary(cart=filled_cart(customer, [(stocked_product(price="20.00"), 1)]))

    assert summary.discount_total.amount == Decimal("0.00")
    assert [h.reason for h in summary.explanations] == ["expired"]  # the draft campaign's promotion is not live at all
