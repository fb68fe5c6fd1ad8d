"""A shopper finds a product by search and opens its page, in a real browser (Debian's Chromium).

Runs against pytest-django's live server. Without /usr/bin/chromium the test is skipped and says
why. The screenshots are kept in test-artifacts/ (git-ignored).
"""

from decimal import Decimal

import pytest

from commerce.audit.models import JourneyStep
from commerce.catalog import inventory
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.money import Money
from tests.browser.pages import ARTIFACTS

# The live server's thread reads what this test commits, so the test runs outside a transaction
# (pytest-django orders such tests after the others; the flush afterwards empties the tables).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    """A small shop made through the catalog services: the product to find and two it must not confuse."""
    coffee = category_create(name="Coffee", slug="coffee")
    maker = manufacturer_create(name="Roastworks", description="Small-batch roasters.", website="https://roastworks.example.com")
    wanted = product_create(
        code="COF-0001", name="Trailhead Espresso Beans", category=coffee, manufacturer=maker,
        price=Money.of(Decimal("24.00"), "EUR"), weight_kg=Decimal("1.000"),
    )
    inventory.stock_receive(product=wanted, batch_number="COF-0001-A", quantity=40)
    for code, name in (("COF-0002", "House Filter Coffee"), ("COF-0003", "Decaf Blend")):
        product_create(code=code, name=name, category=coffee, manufacturer=maker, price=Money.of(Decimal("9.50"), "EUR"))
    return wanted


def test_shopper_finds_a_product_by_search_and_opens_its_page(live_server, browser, shop):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/")
    assert page.locator(".results .card").count() == 3  # the list; the home's sections have cards too

    page.get_by_role("searchbox", name="Search products").fill("espresso")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/?q=espresso")
    assert page.locator("#result-count").inner_text().startswith("1 product")
    cards = page.locator(".card")
    assert cards.count() == 1
    page.screenshot(path=str(ARTIFACTS / "search_results.png"), full_page=True)

    cards.get_by_role("link", name="Trailhead Espresso Beans").click()
    page.wait_for_url(f"**{shop.get_absolute_url()}")

    assert page.locator("h1").inner_text() == "Trailhead Espresso Beans"
    assert page.locator("#product-price").inner_text() == "24.00 EUR"
    assert "In stock" in page.locator(".availability").inner_text()
    page.screenshot(path=str(ARTIFACTS / "search_product.png"), full_page=True)
    page.close()

    assert (ARTIFACTS / "search_product.png").stat().st_size > 0
    search = JourneyStep.objects.get(action="product_search")
    view = JourneyStep.objects.get(action="product_view")
    assert search.payload == {"query": "espresso", "results": 1}
    assert view.product_id == shop.pk
    assert view.session_id == search.session_id  # one shopper's journey, one session
