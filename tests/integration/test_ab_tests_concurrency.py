"""Racing A/B tests on MariaDB: two tests of one placement started at once (one runs, the other is
refused), and one shopper's first lists served at once (one assignment stored)."""

from collections import Counter

import pytest
from django.db import connection

from recommendations.errors import ExperimentState
from recommendations.models import Experiment, ExperimentAssignment
from recommendations.services.experiments import experiment_create, experiment_start, experiment_variant_save
from recommendations.serving import experiments
from recommendations.serving.shopper import Shopper
from tests.integration.concurrency import run_in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _draft(name):
    test = experiment_create(name=name, placement="home_trending")
    experiment_variant_save(experiment_id=test.pk, key="control", name="A", is_control=True)
    experiment_variant_save(experiment_id=test.pk, key="b", name="B", size=3)
    return test


def test_two_tests_of_one_placement_started_at_once_one_runs():
    assert connection.vendor == "mysql"
    first, second = _draft("First"), _draft("Second")
    outcomes = run_in_threads([lambda: experiment_start(experiment_id=first.pk).pk,
                               lambda: experiment_start(experiment_id=second.pk).pk])
    assert Counter(kind for kind, _ in outcomes) == {"ok": 1, "error": 1}, outcomes
    assert isinstance(next(value for kind, value in outcomes if kind == "error"), ExperimentState)
    assert Experiment.objects.filter(status="running").count() == 1
    assert Experiment.objects.filter(status="draft").count() == 1  # the refused one changed nothing


def test_a_shoppers_first_lists_at_once_store_one_assignment(settings):
    test = _draft("Assign")
    experiment_start(experiment_id=test.pk)
    spec = experiments._load()["home_trending"]
    shopper = Shopper(session_id="d" * 32)
    settings.RECOMMENDATIONS_CACHE_LOCAL_SECONDS = 0  # every thread stores: the unique key keeps one
    outcomes = run_in_threads([lambda: experiments.assigned(spec, shopper, record=True).id for _ in range(4)])
    assert Counter(kind for kind, _ in outcomes) == {"ok": 4}, outcomes
    assert len({value for _kind, value in outcomes}) == 1
    assert ExperimentAssignment.objects.filter(experiment_id=test.pk).count() == 1
