"""Event writers racing for one stream on MariaDB, in transactions, with no savepoint around the INSERT:
the loser's duplicate-key INSERT undoes only itself, it retries at the next version, and its
transaction (its other writes included) commits whole. Real threads, each with its own connection."""

import threading
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.audit import store
from commerce.audit.events import DomainEventData, record, record_many
from commerce.audit.models import DomainEvent
from orders.models import GatewayNotification
from tests.integration.concurrency import run_in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Counted(DomainEventData):
    event_type: ClassVar[str] = "tests.counter.counted"
    stream_type: ClassVar[str] = "counter"
    counter_id: int
    writer: int = 0
    step: int = 0

    @property
    def stream_id(self):
        return self.counter_id


def test_racing_writers_on_one_stream_lose_no_event_and_keep_their_transactions(monkeypatch):
    writers = 4  # each may lose at most 2 x 3 races: within the store's 8 attempts
    # Every writer reads the stream's version, then all INSERT the same version at once.
    gate, seen, attempts = threading.Barrier(writers), threading.local(), []
    real_insert = store._insert

    def insert_together(insert, *, rows):
        attempts.append(rows)
        if not getattr(seen, "first", False):
            seen.first = True
            gate.wait(timeout=30)
        return real_insert(insert, rows=rows)

    monkeypatch.setattr(store, "_insert", insert_together)

    def writer(index):
        def job():
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:  # each thread's own connection
                GatewayNotification.objects.create(gateway="race", notification_id=f"writer-{index}", event="t", payload={})
                record(Counted(counter_id=1, writer=index, step=1))
                record_many([Counted(counter_id=1, writer=index, step=2), Counted(counter_id=1, writer=index, step=3)])
                assert transaction.get_rollback() is False
            return [q["sql"] for q in queries.captured_queries]
        return job

    outcomes = run_in_threads([writer(i) for i in range(writers)])

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert not any(sql.startswith("SAVEPOINT") for _, statements in outcomes for sql in statements)
    assert len(attempts) > 2 * writers  # the race happened: losers wrote again at a later version
    rows = list(DomainEvent.objects.filter(stream_type="counter", stream_id="1").order_by("version")
                .values_list("version", "payload__writer", "payload__step"))
    assert [version for version, _, _ in rows] == list(range(1, 3 * writers + 1))  # no gap, no duplicate
    for index in range(writers):  # every writer's events, in its own order
        assert [step for _, w, step in rows if w == index] == [1, 2, 3]
    assert GatewayNotification.objects.filter(gateway="race").count() == writers  # each transaction committed whole
