"""Search that ranks, in a real browser at desktop (1,366 px) and phone (390 px) sizes: "cheese" puts
the product whose code is the word and the one whose name holds it before those whose descriptions
do; a mistyped "chese" is searched as "cheese" and says so; a rare word with a frequent neighbour
finds its product and asks "Did you mean ...?"; a search the shop has nothing for offers something.

The screenshots are kept in test-artifacts/ (git-ignored), as the other browser tests keep theirs.
"""

from decimal import Decimal

import pytest

from commerce.audit.models import JourneyStep
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.money import Money
from tests.browser.pages import ARTIFACTS, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAIRY = "Milk, yoghurts, butter and cheese from farms around Lyon."


SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# The code is the word, then the name holds it, then the descriptions (A-Z).
CHEESE_RANKED = ["Tomme de Savoie 300 g", "Fresh goat cheese 150 g", "Butter 250 g", "Comté 18 months 250 g", "Whole milk 1 L"]


@pytest.fixture
def shop():
    dairy = category_create(name="Dairy", slug="dairy")
    maker = manufacturer_create(name="Laiterie des Monts")
    for code, name in (("DAI-1", "Whole milk 1 L"), ("DAI-2", "Butter 250 g"), ("DAI-3", "Fresh goat cheese 150 g"),
                       ("DAI-4", "Comté 18 months 250 g"), ("CHEESE", "Tomme de Savoie 300 g")):
        product_create(code=code, name=name, category=dairy, manufacturer=maker, price=Money.of(Decimal("3.20"), "EUR"),
                       description=f"{name}. {DAIRY}")
    # A maker's name one letter from "butter", which five products hold: "Did you mean butter?"
    product_create(code="JAM-1", name="Buter & Sons strawberry jam", category=dairy, manufacturer=maker,
                   price=Money.of(Decimal("4.10"), "EUR"), description="Strawberries and sugar.")


@pytest.fixture
def page(module_browser, request):
    context = module_browser.new_context(viewport=SIZES[request.node.callspec.params["size"]])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_cheese_ranks_code_and_name_first_a_typo_is_corrected_and_an_empty_search_offers_something(live_server, page, shop, size):
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url

    page.goto(f"{base}/?q=cheese")
    assert page.locator(".results .card-title").all_inner_texts() == CHEESE_RANKED
    assert not page.locator("#search-corrected").count() and not page.locator("#search-suggestion").count()
    shot(page, f"search_ranked_{size}")

    page.goto(f"{base}/?q=chese")
    assert "Showing results for cheese" in page.locator("#search-corrected").inner_text()
    assert page.locator(".results .card-title").all_inner_texts() == CHEESE_RANKED
    shot(page, f"search_typo_{size}")

    page.goto(f"{base}/?q=buter")
    assert page.locator(".results .card-title").all_inner_texts() == ["Buter & Sons strawberry jam"]
    suggestion = page.locator("#search-suggestion")
    assert suggestion.inner_text() == "Did you mean butter?"
    shot(page, f"search_did_you_mean_{size}")
    suggestion.get_by_role("link", name="butter").click()
    page.wait_for_url("**/?q=butter")
    assert page.locator(".results .card-title").first.inner_text() == "Butter 250 g"  # the name before the descriptions

    page.goto(f"{live_server.url}/?q=goat+unicornz")
    assert "No products match" in page.locator(".empty h2").inner_text()
    assert page.locator("#fallback-title").inner_text() == "Products matching some of your words"
    assert page.locator(".search-fallback .card").count() == 1
    shot(page, f"search_empty_{size}")

    assert JourneyStep.objects.filter(action="product_search", payload__corrected="cheese").count() == 1
