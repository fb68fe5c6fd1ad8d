"""What a search finds and in what order: relevance, prefixes, typos, "did you mean", common words,
and what an empty result offers (selectors; the pages and the API have their own tests)."""

import pytest

from commerce.catalog import selectors
from commerce.catalog.search.query import RELEVANCE, popular_product_ids, search_fallback, search_interpret
from tests.catalog.search_factories import dairy_shop, emmental_shop
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [p.name for p in selectors.product_list(search=search_interpret(text)).order_by(*RELEVANCE)]


def test_cheese_ranks_names_first_then_prefixes_then_descriptions():
    dairy_shop()

    assert found("cheese") == [
        "Cheese platter", "Fresh goat cheese 150 g",  # the whole word in the name, A-Z
        "Cheesecake",  # the start of a word in the name
        # the description only, below (A-Z by the folded name: "comte" before "greek")
        "Butter 250 g", "Comté 18 months 250 g", "Greek yoghurt 500 g", "Whole milk 1 L",
    ]


def test_an_exact_code_comes_first():
    shop = dairy_shop()
    ProductFactory(code="CHZ-1", name="Cheese knife", description="For dai-0005 and other cheeses")

    assert found("dai-0005") == ["Cheese platter", "Cheese knife"]  # the code, then a description naming it
    assert found("DAI-0005 cheese") == ["Cheese platter", "Cheese knife"]
    assert found("DAI 0005 cheese") == ["Cheese knife"]  # two words: the code is one
    assert found("chz-1") == ["Cheese knife"]
    assert shop["products"]["DAI-0005"].name == "Cheese platter"


def test_case_and_accents_do_not_matter():
    dairy_shop()

    assert found("COMTÉ") == found("comte") == found("Comte") == ["Comté 18 months 250 g"]


def test_every_word_must_match_and_stop_words_are_left_out():
    dairy_shop()

    assert found("goat cheese") == ["Fresh goat cheese 150 g"]
    assert found("the goat and the cheese") == ["Fresh goat cheese 150 g"]
    assert found("cheese monts") == [n for n in found("cheese") if n != "Cheesecake"]  # the dairy products' maker


def test_a_word_found_in_most_descriptions_does_not_drag_the_catalog_in():
    food = category("Food")
    for i in range(40):
        ProductFactory(name=f"Item {i:02d}", category=food, description="Grown around Lyon, fresh.")
    ProductFactory(name="Lyon sausage", category=food, description="Cured.")

    assert found("lyon") == ["Lyon sausage"]  # the 40 descriptions are not a match
    assert found("sausage lyon") == ["Lyon sausage"]
    assert len(found("fresh")) == 40  # found only in descriptions: they are all it has
    assert found("item fresh 07") == ["Item 07"]  # dropped from a query with other words


def test_a_typo_is_corrected_to_the_nearest_known_word():
    dairy_shop()

    search = search_interpret("chese")
    assert search.corrected == "cheese" and search.suggestion == ""
    assert found("chese") == found("cheese")
    assert search_interpret("goat chesee").corrected == "goat cheese"  # two letters swapped: one edit
    assert found("baguette chese") == []  # corrected, and still nothing has both


def test_a_rare_word_next_to_a_frequent_one_gets_a_did_you_mean():
    shop = dairy_shop()
    ProductFactory(name="Cheeze straws", category=shop["bakery"])

    search = search_interpret("cheeze")
    assert search.suggestion == "cheese" and search.corrected == ""
    assert found("cheeze") == ["Cheeze straws"]


def test_a_word_matching_nothing_finds_nothing_and_the_fallback_offers_something():
    shop = dairy_shop()

    search = search_interpret("goat unicornz")
    assert search.unmatched == ("unicornz",) and found("goat unicornz") == []
    fallback = search_fallback(search, queryset=selectors.product_queryset(), categories=selectors.category_tree(),
                               popular_ids=popular_product_ids())
    assert [p.name for p in fallback.related] == ["Fresh goat cheese 150 g"]

    search = search_interpret("dairy yoghurts zzzzzzzz")
    fallback = search_fallback(search, queryset=selectors.product_queryset(), categories=selectors.category_tree(),
                               popular_ids=popular_product_ids())
    assert fallback.categories == [shop["dairy"]]


def test_popular_products_are_the_most_viewed_topped_up_with_the_newest(client):
    shop = dairy_shop()
    butter = shop["products"]["DAI-0002"]
    for _ in range(3):
        client.get(butter.get_absolute_url())
    client.get(shop["products"]["DAI-0001"].get_absolute_url())

    ids = popular_product_ids()

    assert ids[:2] == [butter.pk, shop["products"]["DAI-0001"].pk]
    assert ids[2] == shop["products"]["BAK-0002"].pk  # then the newest
    assert len(ids) == 8


def test_interpreting_a_query_costs_no_sql_once_the_vocabulary_is_cached(django_assert_num_queries):
    dairy_shop()
    search_interpret("cheese")

    with django_assert_num_queries(0):
        search_interpret("chese goat milk")


def test_ties_and_accents_order_by_the_folded_name_then_the_id():
    # the same shop as tests/integration/test_search_mariadb.py: the same answers on either database
    expected = emmental_shop()

    assert found("emmental") == found("EMMENTAL") == found("Emmental") == expected
    assert expected[0] == "Ærø emmental" and expected[-1] == "Zèbre emmental"
    assert found("emental") == ["émental doux"]
    assert found("AERO") == found("ærø") == ["Ærø emmental"]
