"""A real Celery worker, started by the test, against Redis and the test's own MariaDB database.

The worker is a subprocess (``celery -A commerce worker``) with ``CELERY_TASK_ALWAYS_EAGER=false``
and ``DATABASE_URL`` pointing at the test database, so it sees what the test committed
(``transactional_db``). Tasks are sent through the broker and their results read back.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

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

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("default", "recommendations", "logistics")


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.mysql", "the worker test runs on MariaDB"
    auth = quote(db["USER"] or "root")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"mysql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db):
    """Start a worker on every queue; stop it (warm shutdown, then kill) when the test ends."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "DATABASE_URL": _test_database_url(),  # test_<name>: the database this test commits to
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)
    command = [
        sys.executable, "-m", "celery", "-A", "commerce", "worker",
        "-Q", ",".join(QUEUES), "--pool=solo", "-c", "1", "--loglevel=INFO",
        "--without-heartbeat", "--without-mingle", "--without-gossip",
        "-n", f"it-{uuid.uuid4().hex[:8]}@%h",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (fixed argv)
    process.log_path = log.name
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        os.unlink(log.name)


def worker_log(process) -> str:
    return Path(process.log_path).read_text(errors="replace")[-4000:]


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
