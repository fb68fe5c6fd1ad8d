"""A shopper mistypes "cheese" and still finds the cheeses first, then searches for something the
shop does not sell and is offered something, in a real browser at desktop and phone sizes.

The screenshots are kept in test-artifacts/ (git-ignored), as the other browser tests keep theirs.
"""

from decimal import Decimal

import pytest

from commerce.audit.models import JourneyStep
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.money import Money
from tests.browser.pages import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAIRY = "Milk, yoghurts, butter and cheese from farms around Lyon."


@pytest.fixture
def shop():
    dairy = category_create(name="Dairy", slug="dairy")
    maker = manufacturer_create(name="Laiterie des Monts")
    for code, name in (("DAI-1", "Whole milk 1 L"), ("DAI-2", "Butter 250 g"), ("DAI-3", "Fresh goat cheese 150 g"),
                       ("DAI-4", "Comté 18 months 250 g")):
        product_create(code=code, name=name, category=dairy, manufacturer=maker, price=Money.of(Decimal("3.20"), "EUR"),
                       description=f"{name}. {DAIRY}")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_a_typo_finds_the_cheeses_first_and_an_empty_search_offers_something(live_server, browser, shop, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/?q=chese")
    assert "Showing results for cheese" in page.locator("#search-corrected").inner_text()
    names = page.locator(".card-title").all_inner_texts()
    assert names[0] == "Fresh goat cheese 150 g"  # the name holds the word: before the descriptions
    assert names[1:] == ["Butter 250 g", "Comté 18 months 250 g", "Whole milk 1 L"]  # the descriptions, A-Z
    page.screenshot(path=str(ARTIFACTS / f"search_typo_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/?q=goat+unicornz")
    assert "No products match" in page.locator(".empty h2").inner_text()
    assert page.locator("#fallback-title").inner_text() == "Products matching some of your words"
    assert page.locator(".search-fallback .card").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"search_empty_{width}.png"), full_page=True)
    page.close()

    assert JourneyStep.objects.filter(action="product_search", payload__corrected="cheese").count() == 1
