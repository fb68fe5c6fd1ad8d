"""Fixtures the promotions tests share (clients and users for every app are in tests/conftest.py)."""

import pytest


@pytest.fixture
def fresh_rules(settings):
    """Price from the database every time: no compiled rules kept in the cache between requests.

    Modules that set up rows and then price through the API or pages use it
    (``pytestmark = pytest.mark.usefixtures("fresh_rules")``); the rules cache has its own tests.
    """
    settings.PROMOTIONS_RULES_CACHE = False
