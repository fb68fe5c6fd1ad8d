"""A/B tests over REST (staff): results with intervals and sample sizes, start and stop with their
errors, and nothing for a customer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Experiment
from recommendations.services.experiments import experiment_create, experiment_variant_save
from recommendations.serving.stats import day_bounds, stats_rebuild_day
from tests.recommendations.experiment_factories import running_test
from tests.recommendations.test_stats import served

pytestmark = pytest.mark.django_db


def url(name, experiment_id):
    return reverse(f"recommendations_api:{name}", kwargs={"experiment_id": experiment_id})


def test_results_per_variant_for_staff_only(merchandiser, customer_client, django_assert_max_num_queries):
    experiment, control, other = running_test()
    Experiment.objects.filter(pk=experiment.pk).update(started_at=timezone.now() - datetime.timedelta(days=2))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = day_bounds(yesterday)[0] + datetime.timedelta(hours=1)
    for n in range(10):
        served(at, variant_id=control.pk, clicks=1 if n < 2 else 0, purchases=[("5.00", "EUR")] if n < 1 else ())
        served(at, variant_id=other.pk, clicks=1 if n < 5 else 0)
    stats_rebuild_day(day=yesterday)
    assert customer_client.get(url("recommendations_ab_test_results", experiment.pk)).status_code == 403
    with django_assert_max_num_queries(11):  # constant: auth, the test, its variants, assignments, days, today's three
        response = merchandiser.get(url("recommendations_ab_test_results", experiment.pk))
    assert response.status_code == 200
    body = response.json()
    first, second = body["variants"]
    assert first["is_control"] and first["clicked"]["value"] == 0.2 and first["clicked"]["p_value"] is None
    assert second["clicked"]["successes"] == 5 and second["clicked"]["low"] < 0.5 < second["clicked"]["high"]
    assert first["revenue"] == [{"amount": "5.00", "currency": "EUR"}] and first["converted"]["needed"] > 0
    assert merchandiser.get(url("recommendations_ab_test_results", 10**9)).status_code == 404


def test_start_and_stop_with_their_errors(merchandiser, customer_client):
    experiment = experiment_create(name="T", placement="home_trending")
    experiment_variant_save(experiment_id=experiment.pk, key="control", name="A", is_control=True)
    response = merchandiser.post(url("recommendations_ab_test_start", experiment.pk))
    assert response.status_code == 400 and response.json()["code"] == "experiment_invalid"
    experiment_variant_save(experiment_id=experiment.pk, key="b", name="B", size=3)
    assert customer_client.post(url("recommendations_ab_test_start", experiment.pk)).status_code == 403
    started = merchandiser.post(url("recommendations_ab_test_start", experiment.pk))
    assert started.status_code == 200 and started.json() == {"id": experiment.pk, "status": "running"}
    again = merchandiser.post(url("recommendations_ab_test_start", experiment.pk))
    assert again.status_code == 409 and again.json()["code"] == "experiment_state"
    assert merchandiser.post(url("recommendations_ab_test_stop", experiment.pk), {"extra": 1}, format="json").status_code == 400
    stopped = merchandiser.post(url("recommendations_ab_test_stop", experiment.pk), {"reason": "done"}, format="json")
    assert stopped.json()["status"] == "stopped"
    assert merchandiser.post(url("recommendations_ab_test_stop", 10**9)).status_code == 404
