"""Search through the product API (``GET /api/v1/products/?q=``), its documentation, the queries it
costs, and hostile input on the API and the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import JourneyStep
from tests.catalog.search_factories import dairy_shop
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/products/"
PAGE_URL = reverse("catalog:product_list")


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_search_answers_best_match_first_and_says_what_it_searched(api_client, customer_client):
    dairy_shop()

    response = customer_client.get(LIST_URL, {"q": "chese"})

    assert response.status_code == 200
    body = response.json()
    assert names(response)[:3] == ["Cheese platter", "Fresh goat cheese 150 g", "Cheesecake"]
    assert body["search"] == {"query": "chese", "showing_results_for": "cheese", "did_you_mean": "",
                              "categories": [], "suggestions": []}
    step = JourneyStep.objects.get(action="product_search")
    assert (step.channel, step.payload) == ("api", {"query": "chese", "results": 7, "corrected": "cheese"})
    assert api_client.get(LIST_URL).json()["search"] is None


def test_the_client_may_choose_another_order(api_client):
    dairy_shop()

    by_price = api_client.get(LIST_URL, {"q": "cheese", "ordering": "-price"}).json()["results"]
    assert [row["price"]["amount"] for row in by_price] == sorted((row["price"]["amount"] for row in by_price), reverse=True)
    assert names(api_client.get(LIST_URL, {"q": "cheese", "ordering": "relevance"}))[0] == "Cheese platter"
    assert names(api_client.get(LIST_URL, {"ordering": "relevance"}))[0] == "Baguette"  # no search: by name


def test_an_empty_search_offers_categories_and_suggestions(api_client):
    shop = dairy_shop()

    body = api_client.get(LIST_URL, {"q": "dairy unicornz"}).json()

    assert body["count"] == 0 and body["results"] == []
    assert body["search"]["categories"] == [{"id": shop["dairy"].pk, "slug": shop["dairy"].slug, "name": "Dairy"}]
    assert body["search"]["suggestions"][0]["code"] == "DAI-0002"  # the dairy products, A-Z by name
    assert {row["code"] for row in body["search"]["suggestions"]} <= {p.code for p in shop["products"].values()}


def test_the_schema_documents_the_search(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/products/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert "best match first" in parameters["q"]["description"]
    assert "relevance" in parameters["ordering"]["schema"]["items"]["enum"]
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][envelope["$ref"].rsplit("/", 1)[1]] if "$ref" in envelope else envelope
    assert set(envelope["properties"]["search"]["properties"]) == {
        "query", "showing_results_for", "did_you_mean", "categories", "suggestions"}


def test_the_queries_of_an_api_search_do_not_depend_on_the_matches(api_client):
    food = category("Food")
    for i in range(30):
        ProductFactory(name=f"Tea {i:02d}", category=food)
    ProductFactory(name="Lonely kettle", category=food)
    api_client.get(LIST_URL, {"q": "warm"})

    counts = []
    for params in ({"q": "kettle"}, {"q": "tea", "page_size": "100"}, {"q": "kettel"}):
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(LIST_URL, params).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts == [3, 3, 3]  # count, page, its pictures (an anonymous client without a session leaves no journey row)


# --- hostile input --------------------------------------------------------------------------------
HOSTILE = ["%", "_", "\\", "*", "%%", "_%_", ".*", "(a|b)+", "[", "' OR x=x --", "\"; DROP TABLE x; --", "🧀", "١٢٣"]


@pytest.mark.parametrize("text", HOSTILE)
def test_metacharacters_match_literally_or_not_at_all_and_never_fail(api_client, client, text):
    dairy_shop()

    api = api_client.get(LIST_URL, {"q": text})
    page = client.get(PAGE_URL, {"q": text})

    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["count"] == 0  # no wildcard: "%" is not "everything"
    assert names(api) == []


def test_non_latin_text_and_digits_are_searched_as_typed(api_client):
    food = category("Food")
    ProductFactory(name="Молоко 1 л", category=food)
    ProductFactory(name="緑茶 抹茶", category=food)
    ProductFactory(name="Tea ١٢", category=food)

    assert names(api_client.get(LIST_URL, {"q": "МОЛОКО"})) == ["Молоко 1 л"]
    assert names(api_client.get(LIST_URL, {"q": "抹茶"})) == ["緑茶 抹茶"]
    assert names(api_client.get(LIST_URL, {"q": "١٢"})) == ["Tea ١٢"]


def test_a_100_kb_query_is_refused_clearly(api_client, client):
    dairy_shop()
    huge = "cheese " * 15_000

    api = api_client.get(LIST_URL, {"q": huge})
    page = client.get(PAGE_URL, {"q": huge})

    assert api.status_code == 400 and list(api.json()["fields"]) == ["q"]
    assert page.status_code == 200 and list(page.context["form"].errors) == ["q"]
    assert not JourneyStep.objects.exists()


def test_empty_and_whitespace_queries_are_no_search(api_client, client):
    dairy_shop()

    for text in ("", "   ", "\t\n"):
        assert api_client.get(LIST_URL, {"q": text}).json()["count"] == 8
        assert client.get(PAGE_URL, {"q": text}).context["result_count"] == 8
    assert not JourneyStep.objects.exists()


def test_a_null_character_is_refused(api_client, client):
    assert api_client.get(LIST_URL, {"q": "chee\x00se"}).status_code == 400
    assert list(client.get(PAGE_URL, {"q": "chee\x00se"}).context["form"].errors) == ["q"]


def test_many_long_words_are_cut_not_failed(api_client):
    dairy_shop()

    assert api_client.get(LIST_URL, {"q": " ".join(["cheese"] * 25)}).json()["count"] == 7  # one word, once
    assert api_client.get(LIST_URL, {"q": "x" * 199}).status_code == 200
    assert api_client.get(LIST_URL, {"q": " ".join(f"w{i}" for i in range(40))}).json()["count"] == 0
