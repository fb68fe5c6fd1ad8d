"""Search on the shop's product list page (``?q=``): ranked, corrected, with "did you mean", an
empty result that offers something, a constant number of queries, and hostile input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import JourneyStep
from tests.catalog.search_factories import dairy_shop
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db

LIST_URL = reverse("catalog:product_list")


def names(response) -> list[str]:
    return [p.name for p in response.context["products"]]


def searches():
    return list(JourneyStep.objects.filter(action="product_search").order_by("id").values_list("payload", flat=True))


def test_search_lists_the_best_match_first_and_the_shopper_can_sort_otherwise(client):
    dairy_shop()

    response = client.get(LIST_URL, {"q": "cheese"})

    assert response.status_code == 200
    assert names(response)[:3] == ["Cheese platter", "Fresh goat cheese 150 g", "Cheesecake"]
    assert response.context["sort"] == "relevance"
    html = response.content.decode()
    assert 'aria-current="true">Best match</a>' in html
    by_name = client.get(LIST_URL, {"q": "cheese", "sort": "name"})
    assert names(by_name) == sorted(names(response), key=lambda n: n.replace("é", "e"))
    assert "sort=relevance" not in client.get(LIST_URL).content.decode()  # no such link without a search
    assert names(client.get(LIST_URL, {"sort": "relevance"}))[0] == "Baguette"  # by name then


def test_a_typo_shows_the_corrected_results_and_is_recorded(client):
    dairy_shop()

    response = client.get(LIST_URL, {"q": "chese"})

    assert names(response)[:2] == ["Cheese platter", "Fresh goat cheese 150 g"]
    html = response.content.decode()
    assert "Showing results for <strong>cheese</strong>" in html
    assert "7 products for “cheese”" in " ".join(html.split())
    assert searches() == [{"query": "chese", "results": 7, "corrected": "cheese"}]


def test_a_rare_spelling_offers_did_you_mean(client):
    shop = dairy_shop()
    ProductFactory(name="Cheeze straws", category=shop["bakery"])

    response = client.get(LIST_URL, {"q": "cheeze", "sort": "price"})

    assert names(response) == ["Cheeze straws"]
    html = response.content.decode()
    assert 'Did you mean <a href="?q=cheese">cheese</a>?' in html


def test_an_empty_result_offers_related_products_and_matching_categories(client):
    dairy_shop()

    response = client.get(LIST_URL, {"q": "goat dairy unicornz"})

    assert names(response) == []
    html = " ".join(response.content.decode().split())
    assert "No products match “goat dairy unicornz”" in html
    assert "Products matching some of your words" in html
    assert [p.name for p in response.context["fallback"].related][0] == "Fresh goat cheese 150 g"
    assert 'Matching categories: <a href="/c/dairy-' in html
    assert searches() == [{"query": "goat dairy unicornz", "results": 0}]


def test_an_empty_result_without_any_known_word_offers_popular_products(client):
    shop = dairy_shop()
    client.get(shop["products"]["DAI-0002"].get_absolute_url())

    response = client.get(LIST_URL, {"q": "qwxzv"})

    assert "Popular products" in response.content.decode()
    assert response.context["fallback"].popular[0].name == "Butter 250 g"


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL, params).status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_the_queries_of_a_search_do_not_depend_on_how_many_products_match(client):
    food = category("Food")
    for i in range(30):
        ProductFactory(name=f"Tea {i:02d}", category=food, description="Leaves.")
    ProductFactory(name="Lonely kettle", category=food)
    client.get(LIST_URL, {"q": "warm"})  # the session, the vocabulary and the popular products, cached
    client.get(LIST_URL, {"q": "qwxzv"})

    one, many, typo = _count(client, {"q": "kettle"}), _count(client, {"q": "tea", "per_page": "48"}), _count(client, {"q": "kettel"})
    # session, count, page, journey row, the pictures of the page (one query) and the cards' extras (the
    # ratings: one query); the category tree, the makers and the navigation's categories come from the cached menu
    assert one == many == typo == 6
    # a word matching nothing: no count and no page, but the fallback's products (related or popular)
    assert _count(client, {"q": "kettle unicornz"}) == _count(client, {"q": "tea unicornz"}) == _count(client, {"q": "qwxzv"}) == 5
