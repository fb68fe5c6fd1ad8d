"""The beat tasks, run through Celery (eagerly) as beat would run them."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from commerce.audit.models import DomainEvent
from orders.models import Order, OrderSummary
from promotions import tasks
from promotions.models import SegmentMembership
from tests.orders.factories import customer_with_address, placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_beat_schedule_runs_the_sync_every_minute_and_the_refresh_nightly():
    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["promotions.sync_schedule"].minute == set(range(60))
    nightly = entries["promotions.segments_refresh"]
    assert len(nightly.hour) == 1 and len(nightly.minute) == 1
    assert tasks.promotions_sync_schedule_task.name == "promotions.sync_schedule"
    assert tasks.segments_refresh_task.name == "promotions.segments_refresh"


def test_sync_schedule_task_flips_statuses(celery_eager):
    past = timezone.now() - datetime.timedelta(minutes=5)
    promotion = PromotionFactory(status="scheduled", valid_from=past)
    campaign = CampaignFactory(status="active", ends_at=past, starts_at=past - datetime.timedelta(days=1))

    result = tasks.promotions_sync_schedule_task.delay().get()

    assert result["promotions_started"] == 1 and result["campaigns_ended"] == 1
    promotion.refresh_from_db()
    campaign.refresh_from_db()
    assert (promotion.status, campaign.status) == ("active", "ended")
    assert DomainEvent.objects.filter(event_type="promotions.promotion.started", channel="task").exists()


def test_segments_refresh_task_recomputes_dynamic_segments(celery_eager):
    customer, address = customer_with_address()
    order = placed_order([(stocked_product(price="80.00"), 1)], customer=customer, address=address)
    when = timezone.now() - datetime.timedelta(days=100)
    Order.objects.filter(pk=order.pk).update(placed_at=when)
    OrderSummary.objects.filter(order_id=order.pk).update(placed_at=when)
    lapsing = SegmentFactory(code="lapsing", kind="rfm", rfm_label="lapsing")

    result = tasks.segments_refresh_task.delay().get()

    assert result == {"lapsing": 1}
    assert list(SegmentMembership.objects.filter(segment=lapsing).values_list("customer_id", flat=True)) == [customer.pk]


def test_segment_refresh_task_for_a_deleted_segment_does_nothing(celery_eager):
    assert tasks.segment_refresh_task.delay(987654).get() == 0
