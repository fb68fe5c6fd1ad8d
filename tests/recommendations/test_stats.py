"""The daily performance rows: a day's lists and what they led to, rebuilt by the nightly task (a rerun
gives the same rows), read by GetRecommendationPerformance with the conversion rate."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from commerce.audit.models import DomainEvent
from recommendations.models import RecommendationClick, RecommendationConversion, RecommendationDayStat, RecommendationList
from recommendations.serving.performance import recommendation_performance
from recommendations.serving.stats import day_bounds, stats_days_to_refresh, stats_rebuild_day
from recommendations.tasks import stats_aggregate_task

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)


def served(at, *, placement="home_for_you", intent="for_you", model_version=3, seen=True, clicks=0, carts=0,
           purchases=(), variant_id=0):
    row = RecommendationList.objects.create(placement=placement, intent=intent, model_version=model_version,
                                            product_ids=[1, 2, 3], created_at=at, impressed_at=at if seen else None,
                                            session_id="s", variant_id=variant_id)
    for _n in range(clicks):
        RecommendationClick.objects.create(recommendation_list=row, product_id=1, position=1, clicked_at=at, session_id="s")
    for n in range(carts):
        RecommendationConversion.objects.create(reference=f"c{row.pk}{n}", kind="add_to_cart", recommendation_list=row,
                                                product_id=1, occurred_at=at)
    for n, (amount, currency) in enumerate(purchases):
        RecommendationConversion.objects.create(reference=f"o{row.pk}{n}", kind="purchase", recommendation_list=row,
                                                product_id=1, revenue_amount=Decimal(amount), revenue_currency=currency,
                                                occurred_at=at + datetime.timedelta(days=3))
    return row


def test_a_day_is_rebuilt_as_a_cohort_and_a_rerun_gives_the_same_rows():
    start, _end = day_bounds(DAY)
    at = start + datetime.timedelta(hours=10)
    served(at, clicks=2, carts=1, purchases=[("20.00", "EUR"), ("5.50", "EUR")])
    served(at, seen=False)
    served(at, placement="product_similar", intent="similar", model_version=None, clicks=1)
    served(at, purchases=[("9.00", "USD")])
    served(start - datetime.timedelta(minutes=1), clicks=5)  # the day before: not this day's
    assert stats_rebuild_day(day=DAY) == 3
    first = list(RecommendationDayStat.objects.filter(day=DAY).values())
    for_you = RecommendationDayStat.objects.get(day=DAY, placement="home_for_you", currency="EUR")
    assert (for_you.lists, for_you.impressions, for_you.clicks, for_you.clicked_lists) == (3, 2, 2, 1)
    assert (for_you.add_to_carts, for_you.carted_lists, for_you.purchases, for_you.purchased_lists) == (1, 1, 2, 1)
    assert for_you.revenue_amount == Decimal("25.50") and for_you.model_version == 3
    dollars = RecommendationDayStat.objects.get(day=DAY, currency="USD")  # revenue never mixes currencies
    assert (dollars.lists, dollars.purchases, dollars.revenue_amount) == (0, 1, Decimal("9.00"))
    assert RecommendationDayStat.objects.get(day=DAY, placement="product_similar").model_version == 0
    assert stats_rebuild_day(day=DAY) == 3
    again = list(RecommendationDayStat.objects.filter(day=DAY).values())
    strip = lambda rows: sorted(({k: v for k, v in r.items() if k not in ("id", "computed_at")} for r in rows),  # noqa: E731
                                key=lambda r: (r["placement"], r["currency"]))
    assert strip(first) == strip(again)
    assert DomainEvent.objects.filter(event_type="recommendations.stats.rebuilt", stream_id=DAY.isoformat()).count() == 2


def test_an_empty_day_leaves_no_rows_and_removes_stale_ones(django_assert_num_queries):
    RecommendationDayStat.objects.create(day=DAY, placement="home", intent="for_you", currency="EUR", lists=9,
                                         computed_at=timezone.now())
    with django_assert_num_queries(3 + 5):  # three reads; the transaction's delete, its audit row (version, insert), savepoints
        assert stats_rebuild_day(day=DAY) == 0
    assert not RecommendationDayStat.objects.exists()


def test_the_nightly_task_refreshes_the_days_a_purchase_can_reach(settings):
    settings.RECOMMENDATIONS_ATTRIBUTION = {"add_to_cart_hours": 24, "purchase_days": 2}
    today = timezone.localdate()
    assert stats_days_to_refresh(today=today) == [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    served(day_bounds(today - datetime.timedelta(days=1))[0] + datetime.timedelta(hours=1), clicks=1)
    result = stats_aggregate_task.delay().get()
    assert result == {(today - datetime.timedelta(days=n)).isoformat(): (1 if n == 1 else 0) for n in (3, 2, 1)}
    assert stats_aggregate_task.delay(day=DAY.isoformat()).get() == {DAY.isoformat(): 0}
    assert "recommendations-stats-nightly" in django_settings.CELERY_BEAT_SCHEDULE


def test_performance_sums_the_stored_days_and_today_with_the_rates():
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    served(day_bounds(yesterday)[0] + datetime.timedelta(hours=1), clicks=1, carts=1, purchases=[("10.00", "EUR")])
    served(day_bounds(yesterday)[0] + datetime.timedelta(hours=2))
    stats_rebuild_day(day=yesterday)
    served(timezone.now(), clicks=1)  # today: computed live
    [row] = recommendation_performance(days=2)
    assert (row.lists, row.impressions, row.clicks, row.purchases) == (3, 3, 2, 1)
    assert row.ctr == pytest.approx(2 / 3) and row.conversion_rate == pytest.approx(1 / 3)
    assert row.add_to_cart_rate == pytest.approx(1 / 3) and row.revenue == {"EUR": Decimal("10.00")}
    assert recommendation_performance(days=1)[0].lists == 1


def test_the_performance_api_answers_conversion_and_revenue(merchandiser):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    served(day_bounds(yesterday)[0] + datetime.timedelta(hours=1), clicks=1, purchases=[("10.00", "EUR")])
    stats_rebuild_day(day=yesterday)
    body = merchandiser.get(reverse("recommendations_api:recommendations_performance"), {"days": "2"}).json()
    assert body == [{"placement": "home_for_you", "intent": "for_you", "model_version": 3, "lists": 1, "impressions": 1,
                     "clicks": 1, "add_to_carts": 0, "purchases": 1, "revenue": [{"amount": "10.00", "currency": "EUR"}],
                     "ctr": 1.0, "add_to_cart_rate": 0.0, "conversion_rate": 1.0}]
