"""The dispatch console in a real browser (Debian's Chromium): a dispatcher drags a stop onto another
route, locks it, re-optimises, and the map and the arrival times change; every request goes to the
shop itself (the map has no tile server). Screenshots are kept in test-artifacts/ (git-ignored)."""

import pytest

from logistics.models import Stop
from tests.browser.pages import ARTIFACTS, shot
from tests.factories import PASSWORD, StaffFactory
from tests.logistics.test_dispatch_services import two_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signature(page) -> str:
    return page.locator("#console-map").get_attribute("data-signature")


def arrivals(page) -> list[str]:
    return page.locator("li.stop .arrival").all_inner_texts()


def test_a_dispatcher_moves_locks_and_reoptimises(live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    centre, date, (first, second), deliveries = two_routes()
    StaffFactory(username="dispatch", groups=["Dispatchers"])
    context = browser.new_context(viewport={"width": 1366, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{live_server.url}/admin/")
        page.get_by_label("Username").fill("dispatch")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        page.get_by_role("link", name="Dispatch console").click()
        page.wait_for_selector("#console-map[data-drawn=true]")
        page.wait_for_selector("#console-map path.leaflet-interactive")  # the routes' lines
        assert page.locator("#console-map .stop-pin").count() == 6
        shot(page, "dispatch_console_before")
        before_map, before_times = signature(page), arrivals(page)

        # 1. Drag the first route's last stop to the top of the second route.
        moved = deliveries[2]
        source = page.locator(f'li.stop[data-delivery="{moved.pk}"]')
        target = page.locator(f'ol.stops[data-route="{second.pk}"] li.stop').first
        source.locator(".seq").drag_to(target.locator(".seq"), target_position={"x": 5, "y": 1})
        page.wait_for_function("before => document.querySelector('#console-map')?.dataset.signature !== before "
                               "&& document.querySelector('#console-map')?.dataset.drawn === 'true'", arg=before_map)
        assert page.get_by_text("Stop moved; times and cost recalculated.").is_visible()
        assert Stop.objects.get(holds=moved).route_id == second.pk
        assert page.locator(f'ol.stops[data-route="{second.pk}"] li.stop').first.get_attribute("data-delivery") == str(moved.pk)
        after_move_map, after_move_times = signature(page), arrivals(page)
        assert after_move_times != before_times

        # 2. Lock it on its new route.
        page.locator(f'li.stop[data-delivery="{moved.pk}"] .lock-button').click()
        page.wait_for_selector(f'li.stop.locked[data-delivery="{moved.pk}"]')
        assert page.locator("#console-map .stop-pin.locked").count() == 1
        assert Stop.objects.get(holds=moved).locked

        # 3. Re-optimise around it.
        page.locator("#reoptimise").click()
        page.wait_for_selector("text=Re-optimised around the locked stops")
        page.wait_for_selector("#console-map[data-drawn=true]")
        assert Stop.objects.get(holds=moved).route_id == second.pk  # kept on its route
        assert page.locator(f'li.stop.locked[data-delivery="{moved.pk}"]').count() == 1
        assert signature(page) != before_map
        assert arrivals(page) != before_times
        assert after_move_map  # drawn each time
        shot(page, "dispatch_console_after")

        outside = [url for url in requests if not url.startswith(live_server.url)]
        assert outside == [], f"requests to another host: {outside}"
        assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in requests)
        assert any(url.endswith("/static/vendor/world-atlas/countries-50m.json") for url in requests)
    finally:
        context.close()
