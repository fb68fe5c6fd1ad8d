"""Concurrent reservations on MariaDB: real threads, each with its own connection.

Proves the two promises of ``stock_reserve_many``: row locks never let concurrent checkouts take
more than is on hand, and locking batch rows in one fixed order means two checkouts asking for the
same products in opposite order never deadlock each other.
"""

from collections import Counter

import pytest
from django.db import OperationalError, connection
from django.db.models import Sum

from commerce.catalog import inventory
from commerce.catalog.errors import InsufficientStock
from commerce.catalog.models import StockBatch, StockMovement, StockReservation
from tests.factories import ProductFactory, days_ago
from tests.integration.concurrency import assert_counters_sane, run_in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MYSQL_DEADLOCK = 1213
MYSQL_LOCK_WAIT_TIMEOUT = 1205


def test_stock_reserve_concurrent_threads_take_exactly_the_last_units():
    # given: 5 sellable units left, spread over two batches (2 of the older one are already sold)
    assert connection.vendor == "mysql"
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number="OLD-1", quantity=3, received_at=days_ago(20))
    inventory.stock_receive(product=product, batch_number="NEW-2", quantity=4, received_at=days_ago(2))
    inventory.stock_consume(reservation=inventory.stock_reserve(product=product, quantity=2, reference="order:earlier"))
    assert inventory.check_availability(product=product, quantity=1).available == 5

    # when: 20 shoppers, each on their own connection, reserve one unit at the same moment
    jobs = [
        (lambda i=i: inventory.stock_reserve(product=product.pk, quantity=1, reference=f"order:race-{i}").pk)
        for i in range(20)
    ]
    outcomes = run_in_threads(jobs)

    # then: exactly five succeed; the rest get a clear insufficient-stock error and nothing else
    succeeded = [value for kind, value in outcomes if kind == "ok"]
    failed = [value for kind, value in outcomes if kind == "error"]
    assert len(succeeded) == 5
    assert len(failed) == 15
    assert all(isinstance(exc, InsufficientStock) for exc in failed), [repr(e) for e in failed if not isinstance(e, InsufficientStock)]
    assert all(exc.code == "insufficient_stock" for exc in failed)
    assert {exc.extra["shortages"][0]["requested"] for exc in failed} == {1}

    batches = {b.batch_number: b for b in StockBatch.objects.filter(product=product)}
    assert batches["OLD-1"].quantity_on_hand == 1 and batches["OLD-1"].quantity_reserved == 1
    assert batches["NEW-2"].quantity_on_hand == 4 and batches["NEW-2"].quantity_reserved == 4
    assert StockBatch.objects.filter(product=product).aggregate(r=Sum("quantity_reserved"))["r"] == 5
    assert StockReservation.objects.filter(reference__startswith="order:race-", status="active").count() == 5
    assert (
        StockMovement.objects.filter(kind=StockMovement.Kind.RESERVATION, reference__startswith="order:race-")
        .aggregate(r=Sum("reserved_delta"))["r"]
        == 5
    )
    assert inventory.check_availability(product=product, quantity=1).available == 0
    assert_counters_sane()


def test_stock_reserve_many_opposite_line_orders_never_deadlock():
    # given: two products, each with stock in two batches, plenty for everyone
    apples, pears = ProductFactory(), ProductFactory()
    for product, prefix in ((apples, "A"), (pears, "P")):
        inventory.stock_receive(product=product, batch_number=f"{prefix}-1", quantity=30, received_at=days_ago(9))
        inventory.stock_receive(product=product, batch_number=f"{prefix}-2", quantity=30, received_at=days_ago(3))
    threads, rounds = 10, 5

    # when: half the checkouts ask for (apples, pears), the other half for (pears, apples), repeatedly
    def checkout(i):
        def job():
            done = 0
            for round_ in range(rounds):
                lines = [(apples.pk, 1), (pears.pk, 1)] if i % 2 == 0 else [(pears.pk, 1), (apples.pk, 1)]
                inventory.stock_reserve_many(lines=lines, reference=f"cart:{i}:{round_}")
                done += 1
            return done

        return job

    outcomes = run_in_threads([checkout(i) for i in range(threads)])

    # then: no deadlock (1213) nor lock-wait timeout (1205), every checkout reserved both lines
    errors = [value for kind, value in outcomes if kind == "error"]
    db_codes = [e.args[0] for e in errors if isinstance(e, OperationalError) and e.args]
    assert MYSQL_DEADLOCK not in db_codes and MYSQL_LOCK_WAIT_TIMEOUT not in db_codes, errors
    assert errors == []
    assert sum(value for _, value in outcomes) == threads * rounds

    total = threads * rounds
    for product in (apples, pears):
        reserved = StockBatch.objects.filter(product=product).aggregate(r=Sum("quantity_reserved"))["r"]
        assert reserved == total
    per_product = Counter(StockReservation.objects.filter(reference__startswith="cart:").values_list("product_id", flat=True))
    assert per_product == {apples.pk: total, pears.pk: total}
    # FIFO held under contention: the older batch of each product was used up first
    assert set(StockBatch.objects.filter(batch_number__endswith="-1").values_list("quantity_reserved", flat=True)) == {30}
    assert set(StockBatch.objects.filter(batch_number__endswith="-2").values_list("quantity_reserved", flat=True)) == {total - 30}
    assert_counters_sane()
