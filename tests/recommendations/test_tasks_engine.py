"""The training tasks: routed to the recommendations queue, nightly from beat, one run per purpose."""

import pytest
from django.conf import settings

from recommendations.models import TrainingRun
from recommendations.tasks import recommendations_retrain_task
from tests.recommendations.test_services_training import _small_training, shop  # noqa: F401 (fixtures)


def test_training_tasks_go_to_the_recommendations_queue_and_retrain_nightly():
    from commerce.celery import app

    for name in ("recommendations.train", "recommendations.retrain"):
        assert app.amqp.router.route({}, name)["queue"].name == "recommendations"
    assert settings.CELERY_BEAT_SCHEDULE["recommendations-retrain-nightly"]["task"] == "recommendations.retrain"


@pytest.mark.django_db
def test_nightly_retrain_trains_every_purpose(shop, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        run_ids = recommendations_retrain_task()
    runs = TrainingRun.objects.filter(pk__in=run_ids)
    assert sorted(runs.values_list("purpose", flat=True)) == ["for_you", "similar"]
    assert set(runs.values_list("status", "trigger")) == {("done", "nightly")}
