"""The reviews' text search: one contract on SQLite and on MariaDB, and no input makes an error."""

import re

import pytest

from recommendations.errors import ReviewInvalid
from recommendations.review_search import search_words
from recommendations.selectors.reviews import SEARCH_MAX, SORTS, review_list
from tests.recommendations.factories import review, stocked_product

pytestmark = pytest.mark.django_db

TEXTS = {
    "battery": ("Battery", "The battery lasts a week."),
    "photos": ("Colour", "Brighter than the photos, about right."),
    "flat": ("Flatbattery", "Charger: 5g lighter (whatever) +plus -minus."),
    "crema": ("Espresso", "Wonderful CREMA, the bean's oil."),
}


@pytest.fixture
def reviews():
    product = stocked_product()
    made = {key: review(product, title=title, text=text, overall=1 + i) for i, (key, (title, text)) in enumerate(TEXTS.items())}
    review(stocked_product(), title="Elsewhere", text="Another battery story.")  # another product's
    return product, made


def _found(product, query, sort="newest") -> list[int]:
    return [r.pk for r in review_list(product_id=product.pk, query=query, sort=sort)]


MATCHES = [
    ("BATTERY", {"battery"}),                 # any case
    ("batt", {"battery"}),                    # the start of a word
    ("attery", set()),                        # not its middle ("Flatbattery" is one word)
    ("battery week", {"battery"}),            # every word, in the title or the text
    ("battery photos", set()),
    ("a week", {"battery"}),                  # "a": shorter than the index holds, and a stopword
    ("abou", {"photos"}),                     # the start of a stopword ("about"), which the index leaves out
    ("5g", {"flat"}),                         # short, digits
    ("the", {"battery", "photos", "crema"}),  # a stopword
    ("bean", {"crema"}),                      # before an apostrophe
    ("crema oil", {"crema"}),
]
HOSTILE = [
    '+', '-', '*', '"', '(', ')', '@', '<', '>', '~', '"unclosed', "+battery -", 'battery*', '(battery', '@2 battery',
    '>battery <week', '~battery', "'; DROP TABLE x; --", "\\", "%_%", "+-*\"()@<>~", "x" * SEARCH_MAX, "é" * SEARCH_MAX,
    " ".join("ab" for _ in range(SEARCH_MAX // 3)),
]


def test_each_word_of_the_query_begins_a_word_of_the_title_or_text_in_the_lists_sort(reviews):
    product, made = reviews
    for query, expected in MATCHES:
        assert set(_found(product, query)) == {made[key].pk for key in expected}, query
    for sort in SORTS:
        everything = _found(product, "", sort=sort)
        assert _found(product, "the", sort=sort) == [pk for pk in everything if pk != made["flat"].pk], sort


def test_no_input_makes_an_error_and_operators_are_not_interpreted(reviews):
    product, made = reviews
    for query in HOSTILE:
        found = set(_found(product, query))
        words = search_words(query)
        if not words:  # no word: no search
            assert found == set(_found(product, "")), query
        elif words == ["battery"]:  # the operators around it change nothing
            assert found == {made["battery"].pk}, query
        else:
            assert found <= {r.pk for r in made.values()}, query


@pytest.mark.django_db
def test_longer_queries_are_refused_before_any_search():
    with pytest.raises(ReviewInvalid):
        review_list(query="x" * (SEARCH_MAX + 1))


def test_each_word_is_a_like_before_its_pattern(reviews):
    product, _ = reviews
    sql, params = review_list(product_id=product.pk, query="battery week", rows=False).query.sql_with_params()
    assert "LIKE" in sql.upper() and "REGEXP" in sql.upper() and "MATCH" not in sql
    assert sum("battery" in str(p) for p in params) == 4 and sum("week" in str(p) for p in params) == 4


@pytest.mark.django_db
def test_search_words_are_the_querys_words_only():
    assert search_words('+Battery -"crema" (x) @2 <a> ~b* battery') == ["battery", "crema", "x", "2", "a", "b"]
    assert search_words("+-*\"()@<>~") == []
    assert all(re.fullmatch(r"\w+", word) for word in search_words("été, über-Größe; naïve 'quote'"))
