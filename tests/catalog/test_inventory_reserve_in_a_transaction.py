"""stock_reserve_many inside a caller's transaction (checkout's): no savepoint of its own, yet a refusal
leaves that transaction usable, and an unexpected failure while writing still rolls it back whole."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.catalog import inventory
from commerce.catalog.errors import InsufficientStock, ProductInactive, ProductNotFound
from commerce.catalog.models import StockBatch, StockMovement, StockReservation
from tests.factories import ProductFactory, days_ago

pytestmark = pytest.mark.django_db


def stocked(quantity):
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number=f"LOT-{product.pk}", quantity=quantity, received_at=days_ago(2))
    return product


def reserved() -> list[tuple[str, int, int]]:
    return list(StockReservation.objects.order_by("id").values_list("reference", "product_id", "quantity"))


def test_a_reservation_inside_a_transaction_takes_no_savepoint():
    apples, pears = stocked(5), stocked(5)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        inventory.stock_reserve_many(lines=[(apples.pk, 2), (pears.pk, 1)], reference="order:1")

    assert not [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]
    assert reserved() == [("order:1", apples.pk, 2), ("order:1", pears.pk, 1)]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (lambda scarce, retired: (scarce.pk, 9), InsufficientStock),
        (lambda scarce, retired: (retired.pk, 1), ProductInactive),
        (lambda scarce, retired: (987_654, 1), ProductNotFound),
    ],
)
def test_a_refusal_leaves_the_callers_transaction_usable_and_changed_by_nothing(line, error):
    plenty, scarce = stocked(10), stocked(2)
    retired = ProductFactory(is_active=False)

    with transaction.atomic():
        with pytest.raises(error):
            inventory.stock_reserve_many(lines=[(plenty.pk, 1), line(scarce, retired)], reference="order:refused")
        assert transaction.get_rollback() is False
        inventory.stock_reserve_many(lines=[(plenty.pk, 3)], reference="order:next")  # the same transaction goes on

    assert reserved() == [("order:next", plenty.pk, 3)]
    assert StockBatch.objects.get(product=plenty).quantity_reserved == 3
    assert StockBatch.objects.get(product=scarce).quantity_reserved == 0


def test_a_failure_while_writing_rolls_the_callers_transaction_back_whole(monkeypatch):
    apples = stocked(5)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(StockMovement.objects, "bulk_create", broken)
    with pytest.raises(DatabaseError), transaction.atomic():
        inventory.stock_reserve(product=apples.pk, quantity=1, reference="order:earlier")
        try:
            inventory.stock_reserve(product=apples.pk, quantity=2, reference="order:broken")
        except DatabaseError:
            assert transaction.get_rollback() is True  # half-written: the caller cannot commit it
            raise

    assert reserved() == []
    assert StockBatch.objects.get(product=apples).quantity_reserved == 0


def test_products_the_caller_loaded_are_not_read_again():
    apples, pears = stocked(5), stocked(5)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        inventory.stock_reserve_many(lines=[(apples, 1), (pears, 2)], reference="order:1")

    product_reads = [q["sql"] for q in queries.captured_queries if 'FROM "catalog_product"' in q["sql"] or "FROM `catalog_product`" in q["sql"]]
    assert product_reads == []
    assert reserved() == [("order:1", apples.pk, 1), ("order:1", pears.pk, 2)]
