"""A driver works a route through the REST API while the shopper watches their order page in a real
browser (Debian's Chromium): the window, then the estimate, then the proof; and for another order
the failure with what happens next. Every request the page makes goes to the shop itself."""

import pytest
import requests
from rest_framework.authtoken.models import Token

from tests.browser.pages import ARTIFACTS, shot
from tests.factories import PASSWORD
from tests.logistics.driver_factories import todays_route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_shoppers_order_page_follows_the_driver(live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    route, courier = todays_route(count=2)
    first, second = route.stops.select_related("delivery__customer").order_by("sequence")
    shopper = second.delivery.customer
    api = requests.Session()
    api.headers["Authorization"] = f"Token {Token.objects.create(user=courier.user).key}"
    driver_api = f"{live_server.url}/api/v1/logistics/driver"

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(shopper.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    order_url = f"{live_server.url}/orders/{second.delivery.order_number}/"
    try:
        page.goto(order_url)
        box = page.locator("#delivery-tracking")
        assert "09:00–17:00" in box.locator(".delivery-window").inner_text()
        assert box.locator(".delivery-eta").count() == 0

        assert api.post(f"{driver_api}/routes/{route.pk}/start/").status_code == 200
        page.reload()
        assert "1 stop before yours" in box.locator(".delivery-eta").inner_text()

        failed = api.post(f"{driver_api}/stops/{first.pk}/fail/", json={"reason": "not_at_home"})
        assert failed.status_code == 200, failed.text
        page.reload()
        assert "you are next" in box.locator(".delivery-eta").inner_text()

        done = api.post(f"{driver_api}/stops/{second.pk}/complete/", files={"recipient_name": (None, "Camille")})  # multipart
        assert done.status_code == 200, done.text
        page.reload()
        assert box.locator(".delivery-status").inner_text() == "Delivered"
        assert "to Camille" in box.locator(".delivery-delivered").inner_text()
        shot(page, "order_delivered")

        page.get_by_role("link", name="Follow your delivery").click()
        assert page.locator(".delivery-status").inner_text() == "Delivered"

        # the other shopper's tracking page, from the same kind of link: the failure and what happens next
        from logistics.shopper import tracking_path

        page.goto(live_server.url + tracking_path(number=first.delivery.order_number))
        assert "Nobody at home" in page.locator(".delivery-failed").inner_text()
        outside = [url for url in seen if not url.startswith(live_server.url)]
        assert outside == [], f"requests to another host: {outside}"
    finally:
        context.close()
