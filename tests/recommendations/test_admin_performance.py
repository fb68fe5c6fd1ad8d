"""The performance page in the back office: rates per placement, intent, model version and day as tables
with their charts' data (the vendored Chart.js, no other host), the daily rows rebuilt by an action."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recommendations.models import RecommendationDayStat
from recommendations.serving.stats import day_bounds, stats_rebuild_day
from tests.factories import CustomerFactory
from tests.recommendations.test_stats import served

pytestmark = pytest.mark.django_db
URL = "admin:recommendations_recommendationdaystat_changelist"


def chart(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_page_shows_the_rates_with_their_charts(client, admin_merchandiser, django_assert_max_num_queries):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = day_bounds(yesterday)[0] + datetime.timedelta(hours=1)
    served(at, clicks=1, carts=1, purchases=[("10.00", "EUR")])
    served(at)
    served(at, placement="product_similar", intent="similar", model_version=None, clicks=1)
    stats_rebuild_day(day=yesterday)
    served(timezone.now(), placement="product_similar", intent="similar", model_version=None)  # today, live
    client.get(reverse(URL))  # warm the session and the content types
    with django_assert_max_num_queries(16):  # constant: the page's own reads, the stored days, today's three
        page = client.get(reverse(URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert "chart.umd.min.js" in html and "//cdn" not in html
    placement = chart(html, "rec-perf-placement")
    assert placement["labels"] == ["home_for_you", "product_similar"]
    ctr, _carts, conversion = placement["series"]
    assert ctr["values"] == [50.0, 50.0] and conversion["values"] == [50.0, 0.0]
    assert chart(html, "rec-perf-model")["labels"] == ["no model", "v3"]
    assert chart(html, "rec-perf-day")["kind"] == "line"
    assert "€10.00" in html or "10.00" in html
    assert client.get(reverse(URL), {"period": "x"}).status_code == 200  # bad input: the default period


def test_the_page_is_for_staff_who_may_see_it(admin_merchandiser):
    stranger = Client()
    stranger.force_login(CustomerFactory())
    assert stranger.get(reverse(URL)).status_code == 302  # the admin's login


def test_the_rebuild_action_recomputes_a_day(client, admin_merchandiser):
    day = timezone.localdate() - datetime.timedelta(days=2)
    stale = RecommendationDayStat.objects.create(day=day, placement="home_for_you", intent="for_you", currency="EUR",
                                                 lists=99, computed_at=timezone.now())
    served(day_bounds(day)[0] + datetime.timedelta(hours=1), purchases=[("4.00", "EUR")])
    response = client.post(reverse(URL), {"action": "rebuild_days", "_selected_action": [stale.pk]})
    assert response.status_code == 302
    row = RecommendationDayStat.objects.get(day=day)
    assert (row.lists, row.purchases, row.revenue_amount) == (1, 1, Decimal("4.00"))


def test_the_attributed_conversions_are_browsed(client, admin_merchandiser):
    served(timezone.now(), clicks=1, purchases=[("7.00", "EUR")])
    page = client.get(reverse("admin:recommendations_recommendationconversion_changelist"))
    assert page.status_code == 200 and "Purchase" in page.content.decode()
