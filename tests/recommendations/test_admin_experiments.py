"""A/B tests in the back office: drafted with their variants through the services, started and stopped by
actions, the results on the test's page with the intervals, sample sizes and the chart's data."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Experiment
from recommendations.serving.stats import day_bounds, stats_rebuild_day
from tests.factories import admin_form_data, events
from tests.recommendations.experiment_factories import running_test
from tests.recommendations.test_stats import served

pytestmark = pytest.mark.django_db


def test_a_merchandiser_drafts_starts_and_stops_a_test(client, admin_merchandiser, django_capture_on_commit_callbacks):
    add = reverse("admin:recommendations_experiment_add")
    page = client.get(add)
    assert page.status_code == 200
    data = admin_form_data(page, **{
        "name": "Smaller similar lists", "placement": "product_similar", "minimum_effect": "0.20",
        "variants-0-key": "control", "variants-0-name": "As it is", "variants-0-is_control": "on", "variants-0-weight": "50",
        "variants-1-key": "three", "variants-1-name": "Three products", "variants-1-weight": "50", "variants-1-size": "3",
    })
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    experiment = Experiment.objects.get()
    assert experiment.status == "draft" and experiment.variants.count() == 2
    changelist = reverse("admin:recommendations_experiment_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "start", "_selected_action": [experiment.pk]})
    experiment.refresh_from_db()
    assert experiment.status == "running"
    assert client.get(reverse("admin:recommendations_experiment_change", args=[experiment.pk])).status_code == 200
    client.post(changelist, {"action": "stop", "_selected_action": [experiment.pk]})
    experiment.refresh_from_db()
    assert experiment.status == "stopped"
    assert len(events("recommendations.ab_test.started")) == 1 and len(events("recommendations.ab_test.stopped")) == 1


def test_a_bad_variant_comes_back_on_the_form(client, admin_merchandiser):
    add = reverse("admin:recommendations_experiment_add")
    data = admin_form_data(client.get(add), **{
        "name": "T", "placement": "home_for_you", "minimum_effect": "0.10",
        "variants-0-key": "control", "variants-0-name": "As it is", "variants-0-is_control": "on", "variants-0-weight": "50",
        "variants-0-size": "3",
    })
    response = client.post(add, data)
    assert response.status_code == 200  # the form again, with the service's message; nothing saved
    assert "The control serves the placement as it is" in response.content.decode()
    assert not Experiment.objects.exists()


def test_the_results_show_intervals_sample_sizes_and_the_chart(client, admin_merchandiser):
    experiment, control, other = running_test()
    Experiment.objects.filter(pk=experiment.pk).update(started_at=timezone.now() - datetime.timedelta(days=2))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = day_bounds(yesterday)[0] + datetime.timedelta(hours=1)
    for n in range(10):
        served(at, variant_id=control.pk, clicks=1 if n < 2 else 0, purchases=[("5.00", "EUR")] if n < 1 else ())
        served(at, variant_id=other.pk, clicks=1 if n < 5 else 0)
    stats_rebuild_day(day=yesterday)
    page = client.get(reverse("admin:recommendations_experiment_change", args=[experiment.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="ab-results"' in html
    data = json.loads(re.search(r'<script id="ab-chart" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["labels"] == ["control", "b"] and data["series"][0]["values"] == [20.0, 50.0]
    assert "20.00 %" in html and "50.00 %" in html and "(control)" in html
    assert "chart.umd.min.js" in html
