import pytest

from commerce.audit.models import DomainEvent
from commerce.catalog import inventory
from commerce.catalog.errors import (
    BatchNotFound,
    InsufficientStock,
    InvalidQuantity,
    InvalidStockOperation,
    ProductInactive,
    ProductNotFound,
    ReservationNotActive,
)
from commerce.catalog.models import StockBatch, StockMovement, StockReservation
from commerce.catalog.selectors import stock_reconcile
from commerce.catalog.traceability import batch_traceability, register_resolver, unregister_resolver
from tests.factories import ProductFactory, days_ago, days_ahead

pytestmark = pytest.mark.django_db


def receive(product, number, qty, *, received=10, expires=None):
    return inventory.stock_receive(
        product=product, batch_number=number, quantity=qty, received_at=days_ago(received), expires_on=expires
    )


def test_stock_reserve_picks_fifo_for_non_perishables():
    product = ProductFactory()
    receive(product, "NEW", 5, received=1)
    receive(product, "OLD", 3, received=20)

    reservation = inventory.stock_reserve(product=product, quantity=4, reference="order:1")

    taken = {a.batch.batch_number: a.quantity for a in reservation.allocations.select_related("batch")}
    assert taken == {"OLD": 3, "NEW": 1}
    assert StockBatch.objects.get(batch_number="OLD").quantity_reserved == 3


def test_stock_reserve_picks_fefo_and_never_an_expired_batch():
    product = ProductFactory(is_perishable=True)
    receive(product, "EXPIRED", 10, received=30, expires=days_ago(1))
    receive(product, "TODAY", 10, received=30, expires=days_ago(0))
    receive(product, "LATE", 5, received=20, expires=days_ahead(30))
    receive(product, "SOON", 2, received=1, expires=days_ahead(3))

    reservation = inventory.stock_reserve(product=product, quantity=4, reference="order:1")

    taken = {a.batch.batch_number: a.quantity for a in reservation.allocations.select_related("batch")}
    assert taken == {"SOON": 2, "LATE": 2}
    assert inventory.check_availability(product=product, quantity=4).available == 3


def test_stock_reserve_many_is_all_or_nothing_and_sums_demand_per_product():
    apples, pears = ProductFactory(), ProductFactory()
    receive(apples, "A1", 3)
    receive(pears, "P1", 10)

    with pytest.raises(InsufficientStock) as err:
        inventory.stock_reserve_many(lines=[(pears, 2), (apples, 2), (apples, 2)], reference="order:1")

    assert err.value.extra["shortages"] == [{"product_id": apples.pk, "code": apples.code, "requested": 4, "available": 3}]
    assert StockReservation.objects.count() == 0
    assert StockBatch.objects.get(batch_number="P1").quantity_reserved == 0
    assert not DomainEvent.objects.filter(event_type="catalog.stock.reserved").exists()


@pytest.mark.parametrize("quantity", [0, -1, 10_001, "3", 2.5, True])
def test_stock_reserve_refuses_bad_quantities(quantity):
    product = ProductFactory()
    receive(product, "B", 5)
    with pytest.raises(InvalidQuantity):
        inventory.stock_reserve(product=product, quantity=quantity, reference="order:1")
    assert StockReservation.objects.count() == 0


def test_stock_reserve_refuses_unknown_and_inactive_products():
    inactive = ProductFactory(is_active=False)
    receive(inactive, "B", 5)
    with pytest.raises(ProductInactive):
        inventory.stock_reserve(product=inactive, quantity=1, reference="order:1")
    with pytest.raises(ProductNotFound):
        inventory.stock_reserve(product=999_999, quantity=1, reference="order:1")


def test_stock_release_and_consume_update_counters_ledger_and_events():
    product = ProductFactory()
    receive(product, "B1", 5)
    kept = inventory.stock_reserve(product=product, quantity=2, reference="order:1")
    dropped = inventory.stock_reserve(product=product, quantity=1, reference="order:2")

    inventory.stock_release(reservation=dropped)
    allocations = inventory.stock_consume(reservation=kept)

    batch = StockBatch.objects.get(batch_number="B1")
    assert (batch.quantity_on_hand, batch.quantity_reserved) == (3, 0)
    assert [(a.batch_number, a.quantity) for a in allocations] == [("B1", 2)]
    assert stock_reconcile() == []
    kinds = list(StockMovement.objects.values_list("kind", flat=True))
    assert kinds == ["receipt", "reservation", "reservation", "release", "consumption"]
    types = list(DomainEvent.objects.filter(stream_type="product", stream_id=str(product.pk)).values_list("event_type", "version"))
    assert types == [
        ("catalog.batch.received", 1),
        ("catalog.stock.reserved", 2),
        ("catalog.stock.reserved", 3),
        ("catalog.stock.released", 4),
        ("catalog.stock.consumed", 5),
    ]
    with pytest.raises(ReservationNotActive):
        inventory.stock_release(reservation=kept)


def test_stock_adjust_never_goes_below_reserved():
    product = ProductFactory()
    receive(product, "B1", 5)
    inventory.stock_reserve(product=product, quantity=4, reference="order:1")
    with pytest.raises(InvalidStockOperation):
        inventory.stock_adjust(batch_number="B1", delta=-2, reason="damaged")
    inventory.stock_adjust(batch_number="B1", delta=-1, reason="damaged")
    assert StockBatch.objects.get(batch_number="B1").quantity_on_hand == 4
    assert stock_reconcile() == []


def test_stock_reconcile_reports_drift():
    product = ProductFactory()
    receive(product, "B1", 5)
    StockBatch.objects.filter(batch_number="B1").update(quantity_on_hand=4)  # a write behind the ledger's back
    drifts = stock_reconcile()
    assert [(d.batch_number, d.counter, d.recorded, d.ledger) for d in drifts] == [("B1", "on_hand", 4, 5)]


def test_batch_traceability_lists_references_with_resolved_details():
    product = ProductFactory()
    receive(product, "LOT-7", 10)
    inventory.stock_reserve(product=product, quantity=2, reference="order:A")
    inventory.stock_consume_reference(reference="order:A")
    inventory.stock_reserve(product=product, quantity=1, reference="order:B")
    released = inventory.stock_reserve(product=product, quantity=1, reference="order:C")
    inventory.stock_release(reservation=released)

    def resolver(references):
        return {ref: {"customer_id": 42} for ref in references if ref == "order:A"}

    register_resolver(resolver)
    try:
        trace = batch_traceability(batch_number="LOT-7")
    finally:
        unregister_resolver(resolver)

    assert [(e.reference, e.quantity, e.status) for e in trace.entries] == [("order:A", 2, "consumed"), ("order:B", 1, "active")]
    assert trace.shipped_quantity == 2 and trace.reserved_quantity == 1
    assert trace.customer_ids == [42]


def test_stock_return_only_what_was_consumed():
    product = ProductFactory()
    receive(product, "B1", 5)
    inventory.stock_reserve(product=product, quantity=2, reference="order:A")
    inventory.stock_consume_reference(reference="order:A")
    inventory.stock_return(batch_number="B1", quantity=1, reference="order:A")
    with pytest.raises(InvalidStockOperation):
        inventory.stock_return(batch_number="B1", quantity=2, reference="order:A")
    assert StockBatch.objects.get(batch_number="B1").quantity_on_hand == 4
    assert stock_reconcile() == []


def test_stock_return_many_returns_to_every_batch_or_to_none():
    first, second = ProductFactory(), ProductFactory()
    receive(first, "B1", 5)
    receive(second, "B2", 5)
    inventory.stock_reserve_many(lines=[(second, 2), (first, 1)], reference="order:A")
    inventory.stock_consume_reference(reference="order:A")

    # an unknown batch, or more than was consumed from one: refused, nothing returned
    with pytest.raises(BatchNotFound):
        inventory.stock_return_many(returns=[("B2", 1), ("NOPE", 1)], reference="order:A")
    with pytest.raises(InvalidStockOperation):
        inventory.stock_return_many(returns=[("B2", 1), ("B1", 2)], reference="order:A")
    assert dict(StockBatch.objects.values_list("batch_number", "quantity_on_hand")) == {"B1": 4, "B2": 3}

    returned = inventory.stock_return_many(returns=[("B2", 2), ("B1", 1)], reference="order:A")

    assert [b.batch_number for b in returned] == ["B1", "B2"]  # in id order, as they were locked
    assert dict(StockBatch.objects.values_list("batch_number", "quantity_on_hand")) == {"B1": 5, "B2": 5}
    assert stock_reconcile() == []


def test_stock_reserve_opens_a_span(spans):
    product = ProductFactory()
    receive(product, "B1", 5)
    inventory.stock_reserve(product=product, quantity=1, reference="order:1")
    names = [s.name for s in spans.get_finished_spans()]
    assert "commerce.stock.reserve" in names
    event = DomainEvent.objects.get(event_type="catalog.stock.reserved")
    span = next(s for s in spans.get_finished_spans() if s.name == "commerce.stock.reserve")
    assert event.trace_id == format(span.context.trace_id, "032x")


def _reserve_queries(n_products, reference):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    products = [ProductFactory() for _ in range(n_products)]
    for i, product in enumerate(products):
        receive(product, f"{reference}-A{i}", 2, received=5)
        receive(product, f"{reference}-B{i}", 2, received=1)
    with CaptureQueriesContext(connection) as ctx:
        inventory.stock_reserve_many(lines=[(p, 3) for p in products], reference=reference)  # spans two batches each
    with CaptureQueriesContext(connection) as ctx_consume:
        inventory.stock_consume_reference(reference=reference)
    return len(ctx), len(ctx_consume)


def test_reservation_and_consumption_sql_does_not_grow_with_lines():
    assert _reserve_queries(1, "order:one") == _reserve_queries(12, "order:many")
    assert stock_reconcile() == []
    versions = list(
        DomainEvent.objects.filter(event_type="catalog.stock.consumed").order_by().values_list("version", flat=True).distinct()
    )
    assert versions == [4]  # two receipts, one reservation, one consumption on each product's own stream
