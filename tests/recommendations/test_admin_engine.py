"""The recommender's back office: versions with their figures, activate, retrain with progress."""

import pytest
from django.urls import reverse

from recommendations.models import ModelVersion, TrainingRun
from recommendations.selectors import engine as engine_selectors
from recommendations.services import training
from tests.factories import messages_of
from tests.recommendations.test_services_training import _small_training, shop, view  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_retrain_queues_a_run_that_trains_and_shows_its_figures(admin_merchandiser, client, shop,  # noqa: F811
                                                                 django_capture_on_commit_callbacks):
    # given the runs' list, with its Retrain link for a merchandiser
    listing = client.get(reverse("admin:recommendations_trainingrun_changelist"))
    assert listing.status_code == 200 and reverse("admin:recommendations_trainingrun_retrain") in listing.content.decode()
    # when the merchandiser retrains "for you" (the task runs in-process here)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:recommendations_trainingrun_retrain"), {"purpose": "for_you", "activate": "on"})
    # then the run is done, its version active, and the version list shows the figures
    assert response.status_code == 302
    run = TrainingRun.objects.get()
    assert run.status == TrainingRun.Status.DONE and run.requested_by == admin_merchandiser
    assert "queued" in " ".join(messages_of(client.get(response.url)))
    version = ModelVersion.objects.get(state="active")
    page = client.get(reverse("admin:recommendations_modelversion_change", args=[version.pk])).content.decode()
    assert "precision@5" in page and "(kept)" in page


def test_a_bad_retrain_form_changes_nothing(admin_merchandiser, client):
    response = client.post(reverse("admin:recommendations_trainingrun_retrain"), {"purpose": "everything"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert TrainingRun.objects.count() == 0


def test_the_list_reloads_itself_while_a_run_goes_on(admin_merchandiser, client):
    run = training.training_run_request(purpose="similar")
    TrainingRun.objects.filter(pk=run.pk).update(status="running", phase="training als", progress_done=3, progress_total=15)
    page = client.get(reverse("admin:recommendations_trainingrun_changelist")).content.decode()
    assert 'http-equiv="refresh"' in page and "3/15 (20%)" in page


def test_activate_action_swaps_the_serving_version(admin_merchandiser, client, shop,  # noqa: F811
                                                   django_capture_on_commit_callbacks):
    first = training.train_now(purpose="similar", trigger="test").versions.get()
    training.train_now(purpose="similar", algorithm="als", trigger="test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:recommendations_modelversion_changelist"),
                               {"action": "activate", "_selected_action": [first.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "active"
    assert engine_selectors.active_recommender("similar").algorithm == first.algorithm


def test_support_staff_may_not_retrain(admin_support, client):
    assert client.post(reverse("admin:recommendations_trainingrun_retrain"), {"purpose": "for_you"}).status_code == 403
    assert TrainingRun.objects.count() == 0
