"""A real Celery worker, started by the test, against Redis and the test's own MariaDB database.

The worker is a subprocess (``celery -A commerce worker``) with ``CELERY_TASK_ALWAYS_EAGER=false``
and ``DATABASE_URL`` pointing at the test database, so it sees what the test committed
(``transactional_db``). Tasks are sent through the broker and their results read back.
"""

import contextlib
import json
import os
import signal
import time
import uuid

import pytest
import redis
from celery.result import AsyncResult
from django.conf import settings
from django.db.models import F

from commerce.catalog import inventory
from commerce.catalog.models import StockBatch
from commerce.catalog.tasks import stock_reconcile_task
from commerce.celery import app
from tests.factories import ProductFactory
from tests.integration.workers import QUEUES, start_worker, stop_worker, worker_log

pytestmark = pytest.mark.integration


@pytest.fixture
def celery_worker(transactional_db):
    """Start a worker on every queue; stop it (warm shutdown, then kill) when the test ends."""
    process = start_worker()
    try:
        yield process
    finally:
        stop_worker(process)


def test_stock_reconcile_task_runs_on_a_real_worker_and_returns_its_result(celery_worker):
    # given: committed stock, and one batch whose counter drifted from the ledger
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number="IT-CELERY-1", quantity=5)
    inventory.stock_receive(product=product, batch_number="IT-CELERY-2", quantity=5)
    StockBatch.objects.filter(batch_number="IT-CELERY-2").update(quantity_on_hand=F("quantity_on_hand") + 1)

    # when: the nightly reconcile task is sent through Redis to the worker
    result = stock_reconcile_task.apply_async()

    # then: the worker (not this process) ran it against the same database and reported the drift
    assert isinstance(result, AsyncResult) and not app.conf.task_always_eager
    try:
        drift_count = result.get(timeout=60)
    except Exception as exc:
        pytest.fail(f"no result from the worker ({exc!r}); worker log:\n{worker_log(celery_worker)}")
    assert drift_count == 1
    assert result.status == "SUCCESS"
    assert celery_worker.poll() is None, "the worker is still running"
    log_text = worker_log(celery_worker)
    assert "stock drift batch=IT-CELERY-2" in log_text

    # and a task sent to the logistics queue is consumed by the same worker (it listens on all three)
    StockBatch.objects.filter(batch_number="IT-CELERY-2").update(quantity_on_hand=F("quantity_on_hand") - 1)
    assert stock_reconcile_task.apply_async(queue="logistics").get(timeout=60) == 0


def _queued(client: redis.Redis, queue: str, task_id: str) -> list[bytes]:
    return [raw for raw in client.lrange(queue, 0, -1) if json.loads(raw)["headers"].get("id") == task_id]


def test_logistics_task_is_published_to_the_logistics_queue_only():
    # given: no worker consumes the queues during this test; the queues exist on the broker
    client = redis.Redis.from_url(settings.REDIS_URL)
    with app.connection_for_write() as connection:
        for queue in app.amqp.queues.values():
            queue(connection.default_channel).declare()

    # when: a task named logistics.* is sent (no logistics app is needed: the router goes by name)
    result = app.send_task("logistics.routes_plan_probe", kwargs={"probe": True})

    try:
        # then: its message sits in Redis in the logistics queue and in no other
        found = {queue: _queued(client, queue, result.id) for queue in QUEUES}
        assert [q for q, messages in found.items() if messages] == ["logistics"]
        message = json.loads(found["logistics"][0])
        assert message["headers"]["task"] == "logistics.routes_plan_probe"
        assert message["properties"]["delivery_info"]["routing_key"] == "logistics"
    finally:
        for queue in QUEUES:
            for raw in _queued(client, queue, result.id):
                client.lrem(queue, 0, raw)


# A worker's view of time for the dead-worker test: limits of a few seconds, so the visibility
# timeout may be short too (settings refuse one not above the longest countdown + hard limit).
SHORT_LIMITS = {
    "CELERY_TIME_LIMIT_DEFAULT": "3", "CELERY_TIME_LIMIT_RECOMMENDATIONS": "3", "CELERY_TIME_LIMIT_LOGISTICS": "3",
    "CELERY_MAX_COUNTDOWN": "1", "CELERY_VISIBILITY_TIMEOUT": "8",
}


def _wait_for(predicate, *, timeout: float, what: str, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    log = worker_log(process) if process is not None else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def test_a_task_of_a_worker_killed_whole_is_delivered_again_after_the_visibility_timeout(transactional_db):
    # given: a worker (main process and pool child) running a task that blocks until released
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"it-probe-{uuid.uuid4().hex}"
    visibility_timeout = int(SHORT_LIMITS["CELERY_VISIBILITY_TIMEOUT"])
    client.set(f"{key}:armed", "1", ex=3600)
    first = start_worker(**SHORT_LIMITS)
    second = None
    try:
        result = app.send_task("tests.probe_wait_for_release", kwargs={"key": key})
        _wait_for(lambda: client.llen(f"{key}:attempts") == 1, timeout=90, what="the first attempt", process=first)

        # when: the whole worker is SIGKILLed mid-task (no chance to ack or reject), then a new one starts
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert result.status == "PENDING"  # nobody finished it
        client.set(f"{key}:release", "1")
        second = start_worker(**SHORT_LIMITS)

        # then: the new worker gets the same message again once the (shortened) visibility timeout
        # has passed, not after kombu's default hour
        try:
            outcome = result.get(timeout=visibility_timeout + 60)
        except Exception as exc:
            pytest.fail(f"the task was not delivered again ({exc!r}); worker log:\n{worker_log(second)}")
        assert outcome == "released after 2 attempt(s)"
        assert result.status == "SUCCESS"
        attempts = [json.loads(raw) for raw in client.lrange(f"{key}:attempts", 0, -1)]
        assert len(attempts) == 2
        assert attempts[0]["hostname"] != attempts[1]["hostname"], "the second attempt ran on the new worker"
        assert attempts[0]["redelivered"] is False and attempts[1]["redelivered"] is True
        # and the message leaves the broker: acknowledged (just after the result is stored), nothing
        # left to deliver a third time
        _wait_for(lambda: not any(result.id in raw.decode(errors="replace") for raw in client.hvals("unacked")),
                  timeout=30, what="the acknowledgement", process=second)
        assert not any(result.id in raw.decode(errors="replace") for q in QUEUES for raw in client.lrange(q, 0, -1))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        first.log_file.close()
        os.unlink(first.log_file.name)
        if second is not None:
            stop_worker(second)
        client.delete(f"{key}:attempts", f"{key}:release", f"{key}:armed")


def test_a_task_whose_pool_process_dies_is_rejected_back_and_runs_again_at_once(transactional_db):
    # given: a worker with the default (long) visibility timeout, running a task that blocks
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"it-probe-{uuid.uuid4().hex}"
    client.set(f"{key}:armed", "1", ex=3600)
    worker = start_worker()
    try:
        result = app.send_task("tests.probe_wait_for_release", kwargs={"key": key})
        _wait_for(lambda: client.llen(f"{key}:attempts") == 1, timeout=90, what="the first attempt", process=worker)
        first = json.loads(client.lindex(f"{key}:attempts", 0))

        # when: only the pool process running it is killed (the OOM killer's way); the worker lives on
        os.kill(first["pid"], signal.SIGKILL)
        client.set(f"{key}:release", "1")

        # then: the worker rejects the message back to its queue (task_reject_on_worker_lost) and it
        # runs again long before the visibility timeout, in a new pool process of the same worker
        try:
            outcome = result.get(timeout=60)
        except Exception as exc:
            pytest.fail(f"the task did not run again ({exc!r}); worker log:\n{worker_log(worker)}")
        assert outcome == "released after 2 attempt(s)"
        second = json.loads(client.lindex(f"{key}:attempts", 1))
        assert second["hostname"] == first["hostname"] and second["pid"] != first["pid"]
        assert worker.poll() is None, "the worker itself survived"
        assert settings.CELERY_VISIBILITY_TIMEOUT > 60
    finally:
        stop_worker(worker)
        client.delete(f"{key}:attempts", f"{key}:release", f"{key}:armed")
