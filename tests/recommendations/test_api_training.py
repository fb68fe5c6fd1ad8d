"""The recommender's training over REST: staff with the model permissions start a retrain, follow its
progress, list the versions and activate one; everyone else is refused; bad input is a 4xx."""

import pytest
from django.urls import reverse

from recommendations.models import ModelVersion, TrainingRun
from recommendations.selectors import engine as engine_selectors
from tests.factories import events
from tests.recommendations.training_factories import KNN, small_training, two_taste_shop

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"recommendations_api:{name}", kwargs=kwargs or None)


@pytest.fixture(autouse=True)
def _small_training(settings):
    small_training(settings, for_you={**KNN, "bpr": {"factors": 4, "iterations": 3, "num_threads": 1}})
    yield
    engine_selectors.forget_loaded()


@pytest.fixture
def shop():
    return two_taste_shop()


def _retrain(client, capture, body):
    with capture(execute=True):  # the task runs once the request committed (eager here)
        return client.post(url("recommendations_training_runs"), body, format="json")


def test_a_merchandiser_retrains_follows_the_run_and_activates_a_version(merchandiser, shop,
                                                                        django_capture_on_commit_callbacks,
                                                                        django_assert_max_num_queries):
    # when: a retrain of "for you" with the best candidate
    response = _retrain(merchandiser, django_capture_on_commit_callbacks, {"purpose": "for_you"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and response.json()["trigger"] == "api"
    run_id = response.json()["id"]

    # then: the run is done, with its figures and the version it made, which serves
    run = merchandiser.get(url("recommendations_training_run", run_id=run_id)).json()
    assert run["status"] == "done" and run["percent"] == 100 and run["metrics"]["chosen"] in ("item_knn", "bpr")
    first = ModelVersion.objects.get(training_run_id=run_id)
    assert run["version_ids"] == [first.pk] and first.state == "active"

    # a second one, not activated; the lists of runs and versions, newest first
    response = _retrain(merchandiser, django_capture_on_commit_callbacks,
                        {"purpose": "for_you", "algorithm": "item_knn", "activate": False})
    second = ModelVersion.objects.get(training_run_id=response.json()["id"])
    assert second.state == "ready"
    with django_assert_max_num_queries(6):  # token, permissions (user, groups), count, page, its versions
        runs = merchandiser.get(url("recommendations_training_runs"), {"purpose": "for_you"}).json()
    assert [r["id"] for r in runs["results"]] == [response.json()["id"], run_id]
    versions = merchandiser.get(url("recommendations_model_versions"), {"purpose": "for_you"}).json()["results"]
    assert [(v["id"], v["state"]) for v in versions] == [(second.pk, "ready"), (first.pk, "active")]
    assert versions[1]["metrics"]["candidates"]

    # when: the second is activated; then it serves and the first retires, with one event
    with django_capture_on_commit_callbacks(execute=True):
        activated = merchandiser.post(url("recommendations_model_version_activate", version_id=second.pk))
    assert activated.status_code == 200 and activated.json()["state"] == "active"
    first.refresh_from_db()
    assert first.state == "retired"
    assert events("recommendations.model.activated")[-1].payload["version_id"] == second.pk
    assert engine_selectors.active_recommender("for_you") is not None
    assert engine_selectors.loaded_version("for_you") == second.pk


@pytest.mark.parametrize("body, field", [
    ({}, "purpose"),
    ({"purpose": "everything"}, "purpose"),
    ({"purpose": "for_you", "algorithm": "magic"}, "algorithm"),
    ({"purpose": "for_you", "activate": "maybe"}, "activate"),
    ({"purpose": "for_you", "priority": 1}, "priority"),
])
def test_a_bad_retrain_is_refused_and_queues_nothing(merchandiser, body, field):
    response = merchandiser.post(url("recommendations_training_runs"), body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not TrainingRun.objects.exists()


def test_unknown_runs_versions_and_bad_filters(merchandiser):
    assert merchandiser.get(url("recommendations_training_run", run_id=999)).status_code == 404
    assert merchandiser.post(url("recommendations_model_version_activate", version_id=999)).json()["code"] == \
        "model_version_not_found"
    assert merchandiser.get(url("recommendations_training_runs"), {"status": "late"}).status_code == 400
    assert merchandiser.get(url("recommendations_model_versions"), {"state": "best"}).status_code == 400
    assert merchandiser.get(url("recommendations_model_versions"), {"page": 9}).status_code == 404


def test_a_version_whose_file_is_gone_is_not_activated(merchandiser, shop, django_capture_on_commit_callbacks):
    _retrain(merchandiser, django_capture_on_commit_callbacks, {"purpose": "similar", "activate": False})
    version = ModelVersion.objects.get()
    version.file.storage.delete(version.file.name)
    response = merchandiser.post(url("recommendations_model_version_activate", version_id=version.pk))
    assert response.status_code == 409 and response.json()["code"] == "model_file_unreadable"
    version.refresh_from_db()
    assert version.state == "ready"


def test_only_staff_with_the_model_permissions(api_client, customer_client, dispatcher, shop):
    version_id = 1
    calls = [("get", url("recommendations_training_runs"), None),
             ("post", url("recommendations_training_runs"), {"purpose": "for_you"}),
             ("get", url("recommendations_training_run", run_id=1), None),
             ("get", url("recommendations_model_versions"), None),
             ("post", url("recommendations_model_version_activate", version_id=version_id), None)]
    for method, address, body in calls:
        assert getattr(api_client, method)(address, body, format="json").status_code == 401, address
        assert getattr(customer_client, method)(address, body, format="json").status_code == 403, address
        assert getattr(dispatcher, method)(address, body, format="json").status_code == 403, address
    assert not TrainingRun.objects.exists()
