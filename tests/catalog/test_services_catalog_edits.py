"""Services added for the back office and bulk receipts: category_update / category_move,
manufacturer_update, stock_receive_many."""

import pytest

from commerce.audit.models import DomainEvent
from commerce.catalog import inventory, services
from commerce.catalog.errors import InvalidQuantity, InvalidStockOperation
from commerce.catalog.models import Category, Manufacturer, StockBatch, StockMovement
from commerce.catalog.selectors import stock_reconcile
from commerce.errors import NotFound, ValidationError
from tests.factories import ManufacturerFactory, ProductFactory, category, days_ago, days_ahead

pytestmark = pytest.mark.django_db


def test_category_update_renames_keeps_sorted_order_and_records_the_change():
    root = category("Food")
    category("Apples", parent=root)
    pears = category("Pears", parent=root)

    services.category_update(category=pears, data={"name": "Apricots", "description": "Stone fruit"})

    assert [c.name for c in Category.objects.get_children(Category.objects.get(pk=root.pk))] == ["Apples", "Apricots"]
    [event] = DomainEvent.objects.filter(event_type="catalog.category.updated")
    assert event.payload["changes"]["name"] == {"before": "Pears", "after": "Apricots"}
    assert services.category_update(category=pears.pk, data={"name": "Apricots"}).name == "Apricots"
    assert DomainEvent.objects.filter(event_type="catalog.category.updated").count() == 1  # no change, no event


def test_category_update_refuses_bad_data_and_changes_nothing():
    food = category("Food")
    with pytest.raises(ValidationError) as err:
        services.category_update(category=food, data={"name": "", "slug": "not a slug!"})
    assert set(err.value.fields) == {"name", "slug"}
    assert Category.objects.get(pk=food.pk).name == "Food"
    with pytest.raises(NotFound):
        services.category_update(category=999_999, data={"name": "X"})
    with pytest.raises(TypeError):
        services.category_update(category=food, data={"path": "0001"})


def test_category_move_moves_the_subtree_and_refuses_a_cycle():
    food, home = category("Food"), category("Home")
    dairy = category("Dairy", parent=food)
    cheese = category("Cheese", parent=dairy)

    services.category_move(category=dairy, parent=home)

    cheese.refresh_from_db()
    assert Category.objects.get_parent(Category.objects.get(pk=dairy.pk)).pk == home.pk
    assert cheese.path.startswith(Category.objects.get(pk=dairy.pk).path)
    [moved] = DomainEvent.objects.filter(event_type="catalog.category.moved")
    assert (moved.payload["old_parent_id"], moved.payload["new_parent_id"]) == (food.pk, home.pk)

    with pytest.raises(ValidationError) as err:
        services.category_move(category=home, parent=Category.objects.get(pk=cheese.pk))
    assert err.value.code == "invalid_category_move"

    services.category_move(category=dairy, parent=None)
    assert Category.objects.get(pk=dairy.pk).depth == 1
    assert DomainEvent.objects.filter(event_type="catalog.category.moved").count() == 2


def test_manufacturer_update_changes_official_content_with_an_event():
    maker = ManufacturerFactory(website="")

    services.manufacturer_update(manufacturer=maker, data={"website": "https://maker.example", "support_phone": "+33 1"})

    maker.refresh_from_db()
    assert maker.website == "https://maker.example"
    [event] = DomainEvent.objects.filter(event_type="catalog.manufacturer.updated")
    assert event.payload["changes"]["website"] == {"before": "", "after": "https://maker.example"}
    with pytest.raises(ValidationError):
        services.manufacturer_update(manufacturer=maker, data={"support_email": "not-an-email"})
    assert Manufacturer.objects.get(pk=maker.pk).support_email == ""


def test_stock_receive_many_receives_a_whole_delivery_with_ledger_and_events():
    milk, radio = ProductFactory(is_perishable=True), ProductFactory()
    lines = [
        inventory.ReceiptLine(product=milk, batch_number="M1", quantity=10, received_at=days_ago(1), expires_on=days_ahead(7)),
        inventory.ReceiptLine(product=radio, batch_number="R1", quantity=3, location="NORTH"),
    ]

    batches = inventory.stock_receive_many(lines=lines, reason="delivery 42")

    assert [b.pk is not None for b in batches] == [True, True]
    assert {b.batch_number: (b.quantity_on_hand, b.location) for b in StockBatch.objects.all()} == {"M1": (10, "MAIN"), "R1": (3, "NORTH")}
    assert sorted(StockMovement.objects.values_list("reference", "on_hand_delta", "reason")) == [
        ("M1", 10, "delivery 42"), ("R1", 3, "delivery 42"),
    ]
    assert DomainEvent.objects.filter(event_type="catalog.batch.received").count() == 2
    assert stock_reconcile() == []
    assert inventory.check_availability(product=milk, quantity=10).is_available


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ({"expires_on": None}, InvalidStockOperation),  # perishable without expiry
        ({"quantity": 0}, InvalidQuantity),
        ({"batch_number": "TAKEN"}, InvalidStockOperation),  # already used
        ({"batch_number": "R1"}, InvalidStockOperation),  # twice in one delivery
        ({"location": "X" * 41}, InvalidStockOperation),
    ],
)
def test_stock_receive_many_is_all_or_nothing(bad, error):
    milk, radio = ProductFactory(is_perishable=True), ProductFactory()
    inventory.stock_receive(product=radio, batch_number="TAKEN", quantity=1)
    good = inventory.ReceiptLine(product=radio, batch_number="R1", quantity=3)
    line = {"product": milk, "batch_number": "M1", "quantity": 10, "expires_on": days_ahead(7), **bad}

    with pytest.raises(error):
        inventory.stock_receive_many(lines=[good, inventory.ReceiptLine(**line)])

    assert list(StockBatch.objects.values_list("batch_number", flat=True)) == ["TAKEN"]
    assert StockMovement.objects.count() == 1
    assert DomainEvent.objects.filter(event_type="catalog.batch.received").count() == 1


def test_stock_receive_many_refuses_an_empty_delivery():
    with pytest.raises(InvalidQuantity):
        inventory.stock_receive_many(lines=[])
