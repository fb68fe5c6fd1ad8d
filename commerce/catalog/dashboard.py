"""The catalog's panels on the back office's home page (``commerce.dashboard``): low stock and
near-expiry batches, for the staff who manage the stock. Registered by ``CatalogConfig.ready``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commerce import dashboard
from commerce.catalog import selectors
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD
from commerce.dashboard import Chart, Figure, Panel, Series, Table

STOCK_PERMISSIONS = ["accounts.manage_inventory"]


def low_stock_panel(*, now: datetime.datetime) -> Panel:
    """Products at or below the low-stock threshold, fewest first. Two queries."""
    count, products = selectors.low_stock_products(threshold=LOW_STOCK_THRESHOLD, limit=5)
    out = sum(1 for p in products if p.available <= 0)
    return Panel(
        figures=(
            Figure(f"Products with {LOW_STOCK_THRESHOLD} or fewer units", dashboard.count_text(count),
                   link=reverse("admin:catalog_product_changelist") + "?stock=low", tone="warn" if count else "good"),
        ),
        table=Table(
            columns=("Product", "Sellable units"),
            rows=tuple((f"{p.name} ({p.code})", dashboard.count_text(max(p.available, 0))) for p in products),
            links=tuple(reverse("admin:catalog_product_change", args=[p.pk]) for p in products),
            caption="Fewest units first" + (f" ({out} of these out of stock)" if out else ""),
            empty="Every product has stock.",
        ),
    )


def near_expiry_panel(*, now: datetime.datetime) -> Panel:
    """Batches still sellable that expire within ``NEAR_EXPIRY_DAYS``, soonest first. Two queries."""
    today = timezone.localdate(now)
    count, units, batches = selectors.near_expiry_summary(today=today, limit=5)
    rows = tuple(
        (b.batch_number, b.product.name, date_format(b.expires_on, "D j M"), dashboard.count_text(b.quantity_on_hand))
        for b in batches
    )
    return Panel(
        figures=(
            Figure("Batches near expiry", dashboard.count_text(count),
                   link=reverse("admin:catalog_stockbatch_changelist") + "?expiry=near", tone="warn" if count else "good"),
            Figure("Units in them", dashboard.count_text(units)),
        ),
        table=Table(
            columns=("Batch", "Product", "Expires", "On hand"),
            rows=rows,
            links=tuple(reverse("admin:catalog_stockbatch_change", args=[b.pk]) for b in batches),
            caption=f"Expiring within {settings.NEAR_EXPIRY_DAYS} days, soonest first",
            empty="No batch expires soon.",
        ),
        chart=Chart(
            kind="hbar", title="Units on hand by expiry", unit="units",
            labels=tuple(f"{b.batch_number} ({date_format(b.expires_on, 'j M')})" for b in batches),
            series=(Series("On hand", dashboard.chart_values(b.quantity_on_hand for b in batches)),),
        ) if batches else None,
    )


def register() -> None:
    dashboard.register("catalog.low_stock", low_stock_panel, title="Low stock", order=40,
                       permissions=STOCK_PERMISSIONS, cache_seconds=dashboard.CACHE_SECONDS)
    dashboard.register("catalog.near_expiry", near_expiry_panel, title="Near-expiry batches", order=50,
                       permissions=STOCK_PERMISSIONS)
