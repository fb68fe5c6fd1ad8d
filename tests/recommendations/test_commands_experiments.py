"""seed_demo_experiments (run by seed_demo): a running A/B test with two weeks of tracked lists, split by
the same hash the shop serves with, and their daily rows; a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from recommendations.models import Experiment, RecommendationDayStat, RecommendationList
from recommendations.selectors.experiments import experiment_results
from recommendations.serving.serve import recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_test_runs_with_tracked_lists_and_daily_rows(django_capture_on_commit_callbacks):
    for _ in range(10):
        stocked_product(quantity=30)
    for _ in range(20):
        CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("seed_demo_experiments")
    assert "Demo A/B test in" in output
    test = Experiment.objects.get(status="running", placement="home_for_you")
    results = experiment_results(experiment_id=test.pk)
    assert [r.variant.key for r in results.variants] == ["control", "trending"]
    assert all(r.totals.impressions > 0 for r in results.variants) and sum(r.shoppers for r in results.variants) == 20
    assert RecommendationDayStat.objects.filter(variant_id=0).exists()  # the other placements, outside the test
    assert RecommendationDayStat.objects.values("day").distinct().count() >= 10
    # the shop serves a demo customer the variant the demo gave them
    for demo in RecommendationList.objects.filter(placement="home_for_you").order_by("customer_id")[:3]:
        served = recommendations_serve(placement="home_for_you", shopper=Shopper(customer_id=demo.customer_id))
        assert served.variant_id == demo.variant_id != 0
    lists = RecommendationList.objects.count()
    assert "nothing changed" in run("seed_demo_experiments")
    assert RecommendationList.objects.count() == lists
