"""The orders app's panels on the back office's home page (``commerce.dashboard``).

Sales (today, this week, per day, top products) for the merchandisers; the fulfilment queue (orders
to allocate, pack and ship) for everyone who handles orders. Registered by ``OrdersConfig.ready``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commerce import dashboard
from commerce.dashboard import Chart, Figure, Panel, Series, Table
from commerce.money import default_currency
from commerce.money_format import money_text
from orders import selectors
from orders.models import Order

#: the days the sales chart shows, today included
SALES_DAYS = 14
#: the period of the top products
TOP_PRODUCTS_DAYS = 30


def _orders_link(**filters: str) -> str:
    return reverse("admin:orders_order_changelist") + (f"?{urlencode(filters)}" if filters else "")


def sales_panel(*, now: datetime.datetime) -> Panel:
    """Sales today and this week (since Monday), and per day over the last two weeks. One query."""
    today = timezone.localdate(now)
    monday = dashboard.week_start(today)
    first = min(monday, today - datetime.timedelta(days=SALES_DAYS - 1))
    currency = default_currency()
    days = selectors.sales_by_day(date_from=first, date_to=today, currency=currency)
    week = [d for d in days if d.day >= monday]
    today_sales = days[-1]
    shown = days[-SALES_DAYS:]
    return Panel(
        figures=(
            Figure("Sales today", money_text(today_sales.revenue, currency),
                   link=_orders_link(placed_at__gte=str(dashboard.local_day_start(today)))),
            Figure("Orders today", dashboard.count_text(today_sales.orders)),
            Figure("Sales this week", money_text(sum((d.revenue for d in week), Decimal(0)), currency),
                   link=_orders_link(placed_at__gte=str(dashboard.local_day_start(monday)))),
            Figure("Orders this week", dashboard.count_text(sum(d.orders for d in week))),
        ),
        table=Table(
            columns=("Day", "Orders", f"Sales ({currency})"),
            rows=tuple((date_format(d.day, "D j M"), str(d.orders), money_text(d.revenue, currency)) for d in reversed(shown)),
            caption=f"Sales per day, last {SALES_DAYS} days (order totals less refunds; cancelled and unpaid orders left out)",
        ),
        chart=Chart(
            kind="bar", title="Sales per day", unit=currency,
            labels=tuple(date_format(d.day, "j M") for d in shown),
            series=(Series("Sales", dashboard.chart_values(d.revenue for d in shown)),),
        ),
    )


def top_products_panel(*, now: datetime.datetime) -> Panel:
    """The best sellers by units over the last 30 days. One query (it reads every order's lines
    of the period: cached)."""
    since = dashboard.local_day_start(timezone.localdate(now) - datetime.timedelta(days=TOP_PRODUCTS_DAYS - 1))
    currency = default_currency()
    top = selectors.top_products(since=since, limit=5, currency=currency)
    return Panel(
        table=Table(
            columns=("Product", "Units", f"Sales ({currency})"),
            rows=tuple((f"{p['name']} ({p['code']})", str(p["units"]), money_text(p["revenue"], currency)) for p in top),
            links=tuple(reverse("admin:catalog_product_change", args=[p["product_id"]]) for p in top),
            caption=f"Best sellers by units, last {TOP_PRODUCTS_DAYS} days",
            empty="No sales in the period.",
        ),
        chart=Chart(
            kind="hbar", title="Top products", unit="units",
            labels=tuple(p["name"] for p in top),
            series=(Series("Units", dashboard.chart_values(p["units"] for p in top)),),
        ) if top else None,
    )


def fulfilment_panel(*, now: datetime.datetime) -> Panel:
    """Orders waiting for the warehouse, and the longest waiting. Two queries."""
    queue = selectors.fulfilment_queue(oldest=5)
    labels = dict(Order.Status.choices)
    return Panel(
        figures=(
            Figure("To allocate", dashboard.count_text(queue.to_allocate), link=_orders_link(status__exact=Order.Status.PAID),
                   tone="warn" if queue.to_allocate else "good"),
            Figure("To pack", dashboard.count_text(queue.to_pack), link=_orders_link(status__exact=Order.Status.ALLOCATED),
                   tone="warn" if queue.to_pack else "good"),
            Figure("To ship", dashboard.count_text(queue.to_ship), link=_orders_link(status__exact=Order.Status.READY_TO_SHIP),
                   tone="warn" if queue.to_ship else "good"),
        ),
        table=Table(
            columns=("Order", "Status", "Placed", "Total"),
            rows=tuple(
                (o.number, labels.get(o.status, o.status), date_format(timezone.localtime(o.placed_at), "j M, H:i"),
                 money_text(o.total, o.currency))
                for o in queue.oldest
            ),
            links=tuple(reverse("admin:orders_order_change", args=[o.order_id]) for o in queue.oldest),
            caption="Waiting longest",
            empty="No order is waiting for the warehouse.",
        ),
        note="To allocate: paid orders and confirmed cash-on-delivery orders.",
    )


def register() -> None:
    dashboard.register("orders.sales", sales_panel, title="Sales", order=10,
                       permissions=["accounts.manage_promotions"], cache_seconds=dashboard.CACHE_SECONDS)
    dashboard.register("orders.fulfilment", fulfilment_panel, title="Orders to allocate and ship", order=20,
                       permissions=["accounts.manage_orders", "accounts.view_all_orders"])
    dashboard.register("orders.top_products", top_products_panel, title="Top products", order=30,
                       permissions=["accounts.manage_promotions"], cache_seconds=dashboard.CACHE_SECONDS)
