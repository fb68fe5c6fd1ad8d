"""The search finds and orders the same products on MariaDB as on SQLite (where
``tests/catalog/test_search_ranking.py`` checks the same shop): terms and the sort key are folded
in Python and compared byte for byte (``utf8mb4_nopad_bin``), not by MariaDB's case- and
accent-insensitive collation."""

import pytest
from django.db import connection

from commerce.catalog import selectors
from commerce.catalog.search.query import RELEVANCE, search_interpret
from tests.catalog.search_factories import emmental_shop

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def found(text: str) -> list[str]:
    return [p.name for p in selectors.product_list(search=search_interpret(text)).order_by(*RELEVANCE)]


def test_ties_and_accents_order_alike_on_every_database():
    assert connection.vendor == "mysql"
    expected = emmental_shop()

    assert found("emmental") == found("EMMENTAL") == found("Emmental") == expected
    assert found("emental") == ["émental doux"]  # a term of its own (accent folded)
    assert found("AERO") == found("ærø") == ["Ærø emmental"]  # ligatures folded alike
