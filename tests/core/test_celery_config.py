"""The Celery app: queues named for their work, late acks, retries with backoff, beat in the DB."""

import pytest
from celery.result import EagerResult
from django.conf import settings

from commerce.catalog.tasks import stock_reconcile_task
from commerce.celery import QueueTimeLimits, app, queue_of


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


def test_the_visibility_timeout_outlasts_the_longest_a_live_worker_may_hold_a_task():
    # A message is unacked while it waits for its countdown and while it runs (acks_late); if the
    # visibility timeout were shorter, Redis would hand a live worker's task to a second worker.
    options = app.conf.broker_transport_options
    longest_hard_limit = max(settings.CELERY_QUEUE_TIME_LIMITS.values())

    assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert options["visibility_timeout"] > settings.CELERY_MAX_COUNTDOWN + longest_hard_limit
    assert options["visibility_timeout"] < 3600, "a dead worker's tasks come back sooner than kombu's default hour"
    # abandoned messages are looked for well within the timeout, not every 100 s
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 10
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True


def test_every_task_has_its_queues_time_limits_and_no_longer_retry_delay_than_allowed():
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert tasks

    for name, task in tasks.items():
        hard = settings.CELERY_QUEUE_TIME_LIMITS[queue_of(name)]
        assert task.time_limit is not None and task.time_limit <= hard, name
        assert task.soft_time_limit is not None and task.soft_time_limit < task.time_limit, name
        # autoretry's backoff and a manual retry's delay are countdowns: within CELERY_MAX_COUNTDOWN
        assert getattr(task, "retry_backoff_max", 600) <= settings.CELERY_MAX_COUNTDOWN, name
        assert task.default_retry_delay <= settings.CELERY_MAX_COUNTDOWN, name


def test_time_limits_follow_the_queue_a_task_name_routes_to():
    # the recommendations and logistics apps are not built: their tasks get their queue's longer limits by name
    limits = settings.CELERY_QUEUE_TIME_LIMITS

    for name, queue in (("recommendations.model_train", "recommendations"), ("logistics.routes_plan", "logistics"),
                        ("orders.expire_unpaid", "default")):
        task = type("Probe", (), {"name": name, "time_limit": None})()
        annotation = QueueTimeLimits().annotate(task)

        assert queue_of(name) == queue
        assert annotation["time_limit"] == limits[queue]
        assert 0 < annotation["soft_time_limit"] < limits[queue]
    assert limits["recommendations"] > limits["default"] and limits["logistics"] > limits["default"]

    # a task that sets its own limit keeps it
    assert QueueTimeLimits().annotate(type("Own", (), {"name": "logistics.x", "time_limit": 5})()) is None
