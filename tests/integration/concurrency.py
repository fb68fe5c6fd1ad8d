"""What the concurrency tests share: start jobs at the same moment in threads of their own, each
with its own database connection, and check the stock counters once the dust has settled."""

import threading
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from commerce.catalog.models import StockBatch
from commerce.catalog.selectors import stock_reconcile


def run_in_threads(jobs, *, timeout=120):
    """Start every job at the same moment (a barrier), each in its own thread and DB connection.

    Returns one outcome per job: ("ok", value) or ("error", exception).
    """
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", job())
        except BaseException as exc:  # recorded and asserted on by the caller
            outcomes[index] = ("error", exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a reservation thread hung (lock wait?)"
    return outcomes


def assert_counters_sane():
    for batch in StockBatch.objects.all():
        assert batch.quantity_on_hand >= 0, batch.batch_number
        assert 0 <= batch.quantity_reserved <= batch.quantity_on_hand, batch.batch_number
    assert stock_reconcile() == []


ROOT = Path(__file__).resolve().parents[2]  # the repository: where a worker or server subprocess starts


def worker_database_url() -> str:
    """The test database as a DATABASE_URL, for a subprocess (worker, server) that must see what the test committed."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.mysql", "the worker test runs on MariaDB"
    auth = quote(db["USER"] or "root")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"mysql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
