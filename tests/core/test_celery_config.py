"""The Celery app: queues named for their work, late acks, retries with backoff, beat in the DB."""

import pytest
from celery.result import EagerResult
from django.conf import settings

from commerce.catalog.tasks import stock_reconcile_task
from commerce.celery import app


def test_celery_queues_are_named_for_their_work():
    assert [q.name for q in app.conf.task_queues] == ["default", "recommendations", "logistics"]
    assert app.conf.task_default_queue == "default"


def test_celery_workers_ack_late_and_take_one_task_at_a_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_stock_reconcile_task_retries_transient_errors_with_backoff():
    task = app.tasks["catalog.stock_reconcile"]

    assert task.name == stock_reconcile_task.name == "catalog.stock_reconcile"
    assert ConnectionError in task.autoretry_for
    assert task.retry_backoff is True
    assert task.max_retries == 5


def test_beat_uses_the_database_scheduler_and_every_entry_names_a_registered_task():
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert settings.CELERY_BEAT_SCHEDULE
    app.loader.import_default_modules()  # autodiscovery, as a worker or beat does at start
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task {entry['task']}"


@pytest.mark.django_db
def test_tasks_run_in_process_on_the_embedded_default():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: tasks go to real workers (tests/integration/test_celery_worker.py)")

    result = stock_reconcile_task.delay()

    assert isinstance(result, EagerResult)
    assert result.get() == 0
