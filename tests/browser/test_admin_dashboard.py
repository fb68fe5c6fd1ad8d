"""The back office's home in a real browser (Debian's Chromium): a merchandiser logs in and lands on
today's figures with their charts drawn by the vendored Chart.js, at desktop (1,366 px) and phone
(390 px) sizes; every request the page makes goes to the shop itself; without JavaScript the same
figures are there as tables. Screenshots are kept in test-artifacts/ (git-ignored)."""

import pytest

from tests.browser.pages import ARTIFACTS, shot
from tests.dashboard_factories import shop_with_figures
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

# Whether a canvas has anything drawn on it: some pixel is not transparent.
PAINTED = """canvas => {
  const { width, height } = canvas;
  if (!width || !height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) return true; }
  return false;
}"""


def overflowing(page) -> list[str]:
    """The panels whose content runs past their right edge (a wide table scrolls inside its box)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.dash-panel')].filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.id)"
    )


def log_in(context, base):
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/admin/")
    page.get_by_label("Username").fill("merch")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")
    return page, requests


@pytest.mark.parametrize("size", list(SIZES))
def test_a_merchandiser_lands_on_figures_with_charts(live_server, browser, size):
    ARTIFACTS.mkdir(exist_ok=True)
    shop_with_figures()
    StaffFactory(username="merch", groups=["Merchandisers"])
    context = browser.new_context(viewport=SIZES[size])
    try:
        page, requests = log_in(context, live_server.url)

        page.wait_for_selector("[data-chart][data-drawn=true]")
        page.wait_for_timeout(400)  # the charts' short entry animation
        charts = page.locator("[data-chart]")
        assert charts.count() >= 4
        for i in range(charts.count()):
            canvas = charts.nth(i).locator("canvas")
            assert canvas.is_visible()
            assert canvas.evaluate(PAINTED), f"chart {i} drew nothing"
        sales = page.locator("#panel-orderssales")
        assert sales.get_by_text("Sales today").is_visible()
        assert page.get_by_role("heading", name="All sections").is_visible()
        assert overflowing(page) == [], f"panels wider than themselves at {size}"
        shot(page, f"admin_dashboard_{size}")
        outside = [url for url in requests if not url.startswith(live_server.url)]
        assert outside == [], f"requests to another host: {outside}"
        assert any(url.endswith("/static/vendor/chartjs/chart.umd.min.js") for url in requests)
    finally:
        context.close()


def test_without_javascript_the_figures_are_tables(live_server, browser):
    shop_with_figures()
    StaffFactory(username="merch", groups=["Merchandisers"])
    context = browser.new_context(viewport=SIZES["desktop"], java_script_enabled=False)
    try:
        page, _ = log_in(context, live_server.url)

        assert page.locator("[data-chart]").first.is_hidden()
        table = page.locator("#panel-orderssales table")
        assert table.is_visible()
        assert table.locator("tbody tr").count() == 14
        assert overflowing(page) == []
        shot(page, "admin_dashboard_no_js")
    finally:
        context.close()


# What each role lands on: its own panels, none of another role's (the merchandiser's above).
ROLES = {
    "Support": {"sees": ["ordersfulfilment"], "not": ["orderssales", "promotionsactive", "logisticsperformance"]},
    "Dispatchers": {"sees": ["logisticsperformance", "logisticsfailures", "logisticsroutes"],
                    "not": ["orderssales", "promotionsactive", "catalognear_expiry"]},
}


@pytest.mark.parametrize("group", list(ROLES))
def test_each_role_lands_on_its_own_figures(live_server, browser, group):
    ARTIFACTS.mkdir(exist_ok=True)
    shop_with_figures()
    StaffFactory(username="merch", groups=[group])  # the log-in helper's user name
    context = browser.new_context(viewport=SIZES["desktop"])
    try:
        page, _ = log_in(context, live_server.url)

        shown = page.evaluate("() => [...document.querySelectorAll('.dash-panel')].map(p => p.id.replace('panel-', ''))")
        assert set(ROLES[group]["sees"]) <= set(shown), shown
        assert not set(ROLES[group]["not"]) & set(shown), shown
        if page.locator("[data-chart]").count():
            page.wait_for_selector("[data-chart][data-drawn=true]")
        assert overflowing(page) == []
        shot(page, f"admin_dashboard_{group.lower()}")
    finally:
        context.close()
