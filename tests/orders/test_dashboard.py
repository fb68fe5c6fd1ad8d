"""The orders app's panels on the admin home: sales today, this week and per day, top products, and
the fulfilment queue, against orders placed through the services; each in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce import dashboard
from commerce.money_format import money_text
from orders import dashboard as panels
from orders.services.lifecycle import order_allocate, order_cancel, order_confirm, order_mark_ready
from orders.services.payments import order_refund
from tests.orders.factories import paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


def figures(panel) -> dict[str, str]:
    return {f.label: f.value for f in panel.figures}


@pytest.fixture
def wednesday(frozen_clock):
    """Noon on the Wednesday of this week (UTC, the shop's zone): Monday and Tuesday are this week,
    Sunday is last week."""
    today = timezone.localdate()
    day = dashboard.week_start(today) + datetime.timedelta(days=2)
    return lambda hours=0: frozen_clock(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
                                        + datetime.timedelta(hours=hours))


def test_sales_today_this_week_and_per_day(wednesday):
    product = stocked_product(quantity=100, price="10.00")
    wednesday(-24 * 3)  # Sunday: last week
    paid_order([(product, 1)])
    wednesday(-24 * 2)  # Monday
    monday = paid_order([(product, 2)])
    wednesday()  # today
    today = paid_order([(product, 3)])
    placed_order([(product, 4)])  # pending: not a sale
    order_cancel(order=paid_order([(product, 5)]))  # cancelled: not a sale
    refunded = paid_order([(product, 1)])
    order_refund(order=refunded, amount=Decimal("4.00"))
    now = wednesday(1)

    panel = panels.sales_panel(now=now)

    today_total = today.total_amount + refunded.total_amount - Decimal("4.00")  # refunds come off
    monday_total = monday.total_amount
    assert figures(panel)["Orders today"] == "2"
    assert figures(panel)["Sales today"] == money_text(today_total, "EUR")
    assert figures(panel)["Orders this week"] == "3"
    assert figures(panel)["Sales this week"] == money_text(today_total + monday_total, "EUR")
    chart = panel.chart
    assert len(chart.labels) == panels.SALES_DAYS and chart.labels[-1] == now.strftime("%-d %b")
    assert chart.series[0].values[-1] == float(today_total)
    assert chart.series[0].values[-3] == float(monday_total)
    assert chart.series[0].values[-4] > 0  # Sunday, last week: on the chart, not in the week
    assert panel.table.rows[0][1] == "2"  # newest day first in the table


def test_sales_figures_link_to_the_orders_they_count(admin_superuser, client):
    panel = panels.sales_panel(now=timezone.now())
    for figure in panel.figures:
        if figure.link:
            assert client.get(figure.link).status_code == 200


def test_fulfilment_queue_counts_each_step_and_lists_the_longest_waiting(wednesday):
    product = stocked_product(quantity=100)
    wednesday(-5)
    oldest = paid_order([(product, 1)])
    wednesday(-4)
    cod = order_confirm(order=placed_order([(product, 1)], payment_method="cod"))
    placed_order([(product, 1)])  # pending card order: the warehouse waits for the money
    wednesday(-3)
    order_allocate(order=paid_order([(product, 1)]))
    order_mark_ready(order=order_allocate(order=paid_order([(product, 1)])))
    order_mark_ready(order=order_allocate(order=paid_order([(product, 1)])))

    panel = panels.fulfilment_panel(now=wednesday())

    assert figures(panel) == {"To allocate": "2", "To pack": "1", "To ship": "2"}
    assert [row[0] for row in panel.table.rows][:2] == [oldest.number, cod.number]
    assert panel.table.links[0] == reverse("admin:orders_order_change", args=[oldest.pk])


def test_top_products_rank_by_units_over_thirty_days(wednesday):
    a, b, c = (stocked_product(quantity=100, price=p, name=n) for p, n in (("1.00", "Apples"), ("9.00", "Beans"), ("5.00", "Corn")))
    wednesday(-24 * 40)
    paid_order([(c, 50)])  # too long ago
    wednesday()
    paid_order([(a, 4), (b, 1)])
    paid_order([(b, 2)])

    panel = panels.top_products_panel(now=wednesday(1))

    assert [row[0].split(" (")[0] for row in panel.table.rows] == ["Apples", "Beans"]
    assert [row[1] for row in panel.table.rows] == ["4", "3"]
    assert panel.chart.series[0].values == (4.0, 3.0)


@pytest.mark.parametrize(("provider", "queries"), [
    (panels.sales_panel, 1), (panels.top_products_panel, 1), (panels.fulfilment_panel, 2),
])
def test_each_orders_panel_costs_a_fixed_number_of_queries(django_assert_num_queries, provider, queries):
    product = stocked_product(quantity=100)
    for _ in range(3):
        order_allocate(order=paid_order([(product, 1)]))
        paid_order([(product, 2)])

    with django_assert_num_queries(queries):
        provider(now=timezone.now())
