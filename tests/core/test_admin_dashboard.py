"""The back office's home page: each role lands on its own figures (commerce.dashboard), the app
list stays reachable, the chart library is our own static file, and nothing comes from another host."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce import dashboard
from commerce.dashboard import Figure, Panel
from tests.dashboard_factories import shop_with_figures
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

MERCHANDISER_PANELS = ["Sales", "Top products", "Low stock", "Near-expiry batches", "Active promotions", "Campaign spend"]
FULFILMENT = "Orders to allocate and ship"
LOGISTICS = ["Deliveries: on time and failed", "Failed deliveries by reason", "Routes: efficiency, load and cost"]
ALL_PANELS = ["Sales", FULFILMENT, "Top products", "Low stock", "Near-expiry batches", "Active promotions", "Campaign spend",
              *LOGISTICS]


def panel_titles(html: str) -> list[str]:
    return re.findall(r'<h2 id="panel-[\w-]+-title">([^<]+)</h2>', html)


def home(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("admin_merchandiser", MERCHANDISER_PANELS),
        ("admin_dispatcher", [FULFILMENT, *LOGISTICS]),
        ("admin_support", [FULFILMENT]),
        ("admin_superuser", ALL_PANELS),
    ],
)
def test_each_role_lands_on_its_own_panels(request, client, fixture, expected):
    shop_with_figures()
    request.getfixturevalue(fixture)

    html = home(client)

    assert panel_titles(html) == expected
    assert "All sections" in html  # the app list is still there, below the figures
    assert 'class="app-' in html


def test_a_member_of_sales_sees_no_panel_but_the_app_list(client):
    user = StaffFactory(username="seller", groups=["Sales"])
    client.force_login(user)

    html = home(client)

    assert panel_titles(html) == []
    assert "All sections" in html
    assert "chart.umd.min.js" not in html  # no chart, no library


def test_the_page_names_no_other_host_and_loads_the_vendored_chart_library(client, admin_superuser):
    shop_with_figures()

    html = home(client)

    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), "the dashboard names another host"
    assert f'src="{settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL}vendor/chartjs/chart.umd.min.js"' in html
    charts = re.findall(r'<script id="(chart-[\w-]+)" type="application/json">(.*?)</script>', html, re.S)
    assert {name for name, _ in charts} >= {"chart-orders-sales", "chart-orders-top_products", "chart-promotions-active"}
    for _, body in charts:
        data = json.loads(body)
        assert data["labels"] and all(len(s["values"]) == len(data["labels"]) for s in data["series"])
    for name, _ in charts:  # each chart has its canvas, and its figures in a table beside it
        assert f'data-chart="{name}"' in html


def test_the_vendored_chart_library_is_the_locked_version_with_its_licence():
    lock = json.loads((Path(settings.BASE_DIR) / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/chart.js"]["version"]
    path = finders.find("vendor/chartjs/chart.umd.min.js")

    assert path, "static/vendor/chartjs/chart.umd.min.js is not a static file"
    head = Path(path).read_text()[:200]
    assert f"Chart.js v{version}" in head
    assert "sourceMappingURL" not in Path(path).read_text()[-200:]  # its map is not shipped
    assert "MIT" in Path(finders.find("vendor/chartjs/LICENSE.md")).read_text()
    assert Path(finders.find("vendor/chartjs/VERSION")).read_text().strip() == version


def test_the_page_costs_the_same_queries_however_big_the_shop(client, admin_superuser):
    shop_with_figures()
    with CaptureQueriesContext(connection) as small:
        home(client)
    shop_with_figures()
    shop_with_figures()
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as big:
        home(client)

    assert len(big) == len(small)


def test_expensive_panels_are_cached_briefly(client, admin_superuser):
    shop_with_figures()
    home(client)

    with CaptureQueriesContext(connection) as again:
        home(client)
    with CaptureQueriesContext(connection) as first_cold:
        from django.core.cache import cache

        cache.clear()
        home(client)

    assert len(again) < len(first_cold)


# --- the port ---------------------------------------------------------------------------------------
@pytest.fixture
def panel():
    calls = []

    def provider(*, now):
        calls.append(now)
        return Panel(figures=(Figure("Things", "<b>3</b>"),))

    dashboard.register("test.things", provider, title="Things <i>", permissions=["accounts.manage_orders"], order=1)
    yield calls
    dashboard.unregister("test.things")


def test_a_panel_shows_to_holders_of_its_permission_and_escapes_what_it_says(client, admin_dispatcher, panel):
    html = home(client)

    assert panel_titles(html)[0] == "Things &lt;i&gt;"
    assert "&lt;b&gt;3&lt;/b&gt;" in html
    assert len(panel) == 1


def test_a_panel_is_hidden_from_staff_without_its_permission(client, admin_merchandiser, panel):
    html = home(client)

    assert "Things" not in panel_titles(html)
    assert panel == []


def test_a_failing_panel_is_shown_as_unavailable_and_the_rest_still_render(client, admin_dispatcher):
    def broken(*, now):
        raise RuntimeError("boom")

    dashboard.register("test.broken", broken, title="Broken", permissions=["accounts.manage_orders"], order=1)
    try:
        html = home(client)
    finally:
        dashboard.unregister("test.broken")

    assert panel_titles(html) == ["Broken", FULFILMENT, *LOGISTICS]
    assert "could not be read just now" in html


def test_a_panel_needs_the_permissions_that_may_see_it():
    with pytest.raises(ValueError, match="permissions"):
        dashboard.register("test.open", lambda *, now: Panel(), title="Open", permissions=[])


def test_panels_for_nobody_who_is_not_active_staff():
    user = StaffFactory(is_staff=False, is_superuser=True)

    assert dashboard.panels_for(user, now=timezone.now()) == []


# --- lists that fit: statuses in colour, in words too -------------------------------------------------
def test_order_promotion_and_campaign_lists_show_statuses_in_colour_and_sort_by_them(client, admin_superuser):
    shop_with_figures()

    orders = client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert '<span class="status status-warn">Paid</span>' in orders
    assert '<span class="status status-info">Ready to ship</span>' in orders
    assert '<span class="status status-muted">Pending payment</span>' in orders
    assert '<span class="status status-good">Paid</span>' in orders  # the payment column
    assert "css/admin-commerce.css" in orders
    promotions = client.get(reverse("admin:promotions_promotion_changelist")).content.decode()
    assert '<span class="status status-good">Active</span>' in promotions
    campaigns = client.get(reverse("admin:promotions_campaign_changelist") + "?o=2").content.decode()
    assert '<span class="status status-good">Active</span>' in campaigns
