"""The reviews' text search: one contract on SQLite and on MariaDB (FULLTEXT there), and no input makes an error.

Committed rows (``transaction=True``): InnoDB's FULLTEXT index sees a transaction's rows only once it commits.
"""

import re

import pytest
from django.db import connection

from recommendations.errors import ReviewInvalid
from recommendations.review_search import FULLTEXT_INDEX, FullTextLimits, search_words
from recommendations.selectors.reviews import SEARCH_MAX, SORTS, review_list
from tests.recommendations.factories import review, stocked_product

pytestmark = pytest.mark.django_db(transaction=True)

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


def test_the_search_reads_the_fulltext_index_on_mariadb_and_a_pattern_elsewhere(reviews):
    product, _ = reviews
    sql, params = review_list(product_id=product.pk, query="battery week", rows=False).query.sql_with_params()
    if connection.vendor != "mysql":
        assert "MATCH" not in sql and "REGEXP" in sql.upper()
        return
    assert "AGAINST" in sql and "+battery* +week*" in params
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        columns = [c[0] for c in cursor.description]
        plan = dict(zip(columns, cursor.fetchone(), strict=True))
    assert plan["key"] == FULLTEXT_INDEX and plan["type"] == "fulltext"


@pytest.mark.django_db
def test_search_words_are_the_querys_words_only():
    assert search_words('+Battery -"crema" (x) @2 <a> ~b* battery') == ["battery", "crema", "x", "2", "a", "b"]
    assert search_words("+-*\"()@<>~") == []
    assert all(re.fullmatch(r"\w+", word) for word in search_words("été, über-Größe; naïve 'quote'"))


@pytest.mark.django_db
def test_what_the_index_answers():
    limits = FullTextLimits(min_size=3, max_size=84, stopwords=frozenset({"about", "the"}))
    assert limits.answers("battery") and limits.answers("bat")
    assert not limits.answers("ba") and not limits.answers("x" * 85)
    assert not limits.answers("the") and not limits.answers("abou") and not limits.answers("th")
