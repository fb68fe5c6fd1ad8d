"""Stars and review counts on product cards: the catalog list, search results and a maker's page show
them from the rating summaries (``commerce.catalog.product_cards``), never a query per card."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.recommendations.factories import review, stocked_product

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:product_list")


def _card(html: str, name: str) -> str:
    """The card of the product called ``name``."""
    match = re.search(r'<li class="card">(?:(?!</li>).)*?<h2 class="card-title">' + re.escape(name) + r"</h2>.*?</li>", html, re.DOTALL)
    assert match, f"no card for {name}"
    return match.group(0)


def test_list_search_and_maker_cards_show_the_stars_and_count_of_approved_reviews(client):
    rated = stocked_product(name="Espresso beans")
    review(rated, overall=5)
    review(rated, overall=4)
    review(rated, overall=1, approve=False)  # pending: not counted
    stocked_product(name="Espresso cups", manufacturer=rated.manufacturer)

    for response in (client.get(LIST_URL), client.get(LIST_URL, {"q": "espresso"}),
                     client.get(reverse("recommendations:manufacturer", args=[rated.manufacturer.slug]))):
        html = response.content.decode()
        card = _card(html, "Espresso beans")
        assert '<p class="card-rating">' in card and "★★★★★" in card  # 4.50 rounds to five stars
        assert "4.50" in card and "(2 reviews)" in card
        assert "card-rating" not in _card(html, "Espresso cups")  # no approved review: nothing on the card


def test_one_review_is_singular_and_a_low_average_shows_its_stars():
    from recommendations.views.reviews import rating_card_extras

    product = stocked_product()
    review(product, overall=2)
    html = rating_card_extras(product_ids=[product.pk])[product.pk]
    assert "★★☆☆☆" in html and "(1 review)" in html


def test_the_list_costs_the_same_queries_as_products_and_reviews_grow(client):
    review(stocked_product(name="Item 00"))
    client.get(LIST_URL, {"q": "item"})  # builds the search vocabulary (cached)
    client.get(LIST_URL, {"per_page": "48"})  # and the home page's shelves (cached): only the cards are measured
    with CaptureQueriesContext(connection) as few:
        first = client.get(LIST_URL, {"per_page": "48"})
    with CaptureQueriesContext(connection) as few_searched:
        client.get(LIST_URL, {"per_page": "48", "q": "item"})
    for i in range(1, 9):
        product = stocked_product(name=f"Item {i:02d}")
        for _ in range(2):
            review(product, overall=1 + i % 5)
    client.get(LIST_URL, {"q": "item"})  # new products: the search vocabulary is built again (cached)
    client.get(LIST_URL, {"per_page": "48"})
    with CaptureQueriesContext(connection) as many:
        last = client.get(LIST_URL, {"per_page": "48"})
    with CaptureQueriesContext(connection) as many_searched:
        client.get(LIST_URL, {"per_page": "48", "q": "item"})
    assert first.content.decode().count('class="card-rating"') == 1
    assert last.content.decode().count('class="card-rating"') == 9
    assert len(many) == len(few) and len(many_searched) == len(few_searched)
    assert sum("recommendations_productratingsummary" in q["sql"] for q in many.captured_queries) == 1
