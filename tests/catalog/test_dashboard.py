"""The catalog's panels on the admin home: low stock and near-expiry batches, each in a fixed
number of queries, with links to the lists that show them all."""

import datetime

import pytest
from django.utils import timezone

from commerce.catalog import dashboard as panels
from commerce.catalog import inventory
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

_lot = iter(range(1, 10**6))


def receive(product, quantity, *, expires_in=None):
    expires = timezone.localdate() + datetime.timedelta(days=expires_in) if expires_in is not None else None
    return inventory.stock_receive(product=product, batch_number=f"B-{next(_lot)}", quantity=quantity, expires_on=expires)


def test_low_stock_counts_products_at_or_below_the_threshold_fewest_first():
    plenty, edge, few, reserved = (ProductFactory(name=n) for n in ("Plenty", "Edge", "Few", "Reserved"))
    empty = ProductFactory(name="Empty")  # never stocked: out of stock
    ProductFactory(name="Retired", is_active=False)  # not sold: not counted
    receive(plenty, 50)
    receive(edge, inventory.LOW_STOCK_THRESHOLD)
    receive(few, 2)
    receive(reserved, 8)
    inventory.stock_reserve(product=reserved, quantity=4, reference="cart:1")  # 4 sellable

    panel = panels.low_stock_panel(now=timezone.now())

    assert panel.figures[0].value == "4"
    assert [row[0].split(" (")[0] for row in panel.table.rows] == ["Empty", "Few", "Reserved", "Edge"]
    assert [row[1] for row in panel.table.rows] == ["0", "2", "4", "5"]
    assert empty.name not in [r[0] for r in panel.table.rows if r[1] != "0"]


def test_near_expiry_lists_sellable_batches_soonest_first():
    milk = ProductFactory(name="Milk", is_perishable=True)
    receive(milk, 3, expires_in=9)
    soon = receive(milk, 4, expires_in=2)
    receive(milk, 5, expires_in=40)  # not near
    receive(milk, 6, expires_in=0)  # expires today: no longer sold, not "near"

    panel = panels.near_expiry_panel(now=timezone.now())

    assert {f.label: f.value for f in panel.figures} == {"Batches near expiry": "2", "Units in them": "7"}
    assert panel.table.rows[0][0] == soon.batch_number
    assert panel.chart.series[0].values == (4.0, 3.0)


def test_the_panels_link_to_the_lists_that_show_them_all(client, admin_merchandiser):
    receive(ProductFactory(), 1)
    receive(ProductFactory(is_perishable=True), 2, expires_in=3)
    for panel in (panels.low_stock_panel(now=timezone.now()), panels.near_expiry_panel(now=timezone.now())):
        response = client.get(panel.figures[0].link)
        assert response.status_code == 200
        assert response.context["cl"].result_count == int(panel.figures[0].value) > 0


@pytest.mark.parametrize(("provider", "queries"), [(panels.low_stock_panel, 2), (panels.near_expiry_panel, 2)])
def test_each_catalog_panel_costs_a_fixed_number_of_queries(django_assert_num_queries, provider, queries):
    for days in range(1, 8):
        receive(ProductFactory(is_perishable=True), days, expires_in=days)

    with django_assert_num_queries(queries):
        provider(now=timezone.now())


def test_the_near_expiry_view_lists_the_soonest_first(client, admin_merchandiser):
    milk = ProductFactory(is_perishable=True)
    later = receive(milk, 3, expires_in=9)
    soon = receive(milk, 4, expires_in=2)
    middle = receive(milk, 5, expires_in=5)

    response = client.get(panels.near_expiry_panel(now=timezone.now()).figures[0].link)

    assert [b.pk for b in response.context["cl"].result_list] == [soon.pk, middle.pk, later.pk]
    by_number = client.get(response.request["PATH_INFO"] + "?expiry=near&o=1")  # sorted by a column: as asked
    assert [b.pk for b in by_number.context["cl"].result_list] == sorted([soon.pk, middle.pk, later.pk],
                                                                          key=lambda pk: {soon.pk: soon, middle.pk: middle, later.pk: later}[pk].batch_number)
