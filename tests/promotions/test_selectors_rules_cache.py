"""engine_rules: the compiled rules are kept per process while the shared version key holds.

A pricing reads the small version key from Django's cache; the compiled rules come from this
process's copy while the version matches, else from the shared cache entry, else from the
database. "Another process" is simulated by writing the cache keys directly, and rows are changed
with ``QuerySet.update`` (no signal, so no bump) to tell a stale copy from a fresh compilation.
"""

import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache

from promotions.models import Promotion
from promotions.selectors import rules as selectors
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules_cache_on(settings):
    settings.PROMOTIONS_RULES_CACHE = True


def _percents(compiled) -> list[int]:
    return [rule.percent_bp for rule in compiled.rules]


def _change_without_bump(promotion, percent: str) -> None:
    """A compiled field changed behind the cache's back: only a version change can reveal it."""
    Promotion.objects.filter(pk=promotion.pk).update(percent=Decimal(percent))


def test_engine_rules_reuses_this_processs_copy_without_reading_the_shared_entry(django_assert_num_queries):
    # given: the rules compiled once, then the shared entry gone (only the version key is left)
    promotion = PromotionFactory(percent=Decimal("10"))
    first = selectors.engine_rules()
    cache.delete(selectors.RULES_CACHE_KEY)
    _change_without_bump(promotion, "20")

    # when: priced again under the same version
    with django_assert_num_queries(0):
        again = selectors.engine_rules()

    # then: the very same object, neither read from the shared cache nor compiled
    assert again is first and _percents(again) == [1000]


def test_a_version_bumped_by_another_process_is_seen_on_the_next_read():
    # given: this process holds the rules of the current version
    promotion = PromotionFactory(percent=Decimal("10"))
    assert _percents(selectors.engine_rules()) == [1000]
    _change_without_bump(promotion, "20")
    assert _percents(selectors.engine_rules()) == [1000]  # same version: this process's copy

    # when: another process bumps the shared version key (as rules_cache_bump does there)
    cache.set(selectors.RULES_VERSION_KEY, uuid.uuid4().hex, None)

    # then: the copy is dropped and the rules are compiled afresh, then shared under the new version
    assert _percents(selectors.engine_rules()) == [2000]
    version, shared = cache.get(selectors.RULES_CACHE_KEY)
    assert version == cache.get(selectors.RULES_VERSION_KEY) and _percents(shared) == [2000]


def test_rules_another_process_compiled_are_read_from_the_shared_entry(django_assert_num_queries):
    # given: this process holds the rules of version A
    PromotionFactory(percent=Decimal("10"))
    selectors.engine_rules()

    # when: another process bumps the version to B and stores its compilation under B
    version = uuid.uuid4().hex
    theirs = selectors.CompiledRules(rules=(), badges={})
    cache.set(selectors.RULES_VERSION_KEY, version, None)
    cache.set(selectors.RULES_CACHE_KEY, (version, theirs), 3600)

    # then: this process takes the shared entry (no compilation), and keeps it for the next reads
    with django_assert_num_queries(0):
        assert selectors.engine_rules() == theirs
    cache.delete(selectors.RULES_CACHE_KEY)
    with django_assert_num_queries(0):
        assert selectors.engine_rules() == theirs


def test_a_cleared_cache_never_serves_this_processs_stale_copy():
    # given: this process holds compiled rules, then a row changes without a bump
    promotion = PromotionFactory(percent=Decimal("10"))
    assert _percents(selectors.engine_rules()) == [1000]
    _change_without_bump(promotion, "20")

    # when: the cache is cleared (as between tests, or a flushed Redis): the version key is missing
    cache.clear()

    # then: a missing version is a new version; the rules are compiled from the database
    assert _percents(selectors.engine_rules()) == [2000]
    assert cache.get(selectors.RULES_VERSION_KEY) is not None


def test_this_processs_copy_expires_with_the_cache_timeout(settings, monkeypatch):
    # given: rules compiled under a one-minute timeout, then changed without a bump and unshared
    settings.PROMOTIONS_RULES_CACHE_SECONDS = 60
    promotion = PromotionFactory(percent=Decimal("10"))
    assert _percents(selectors.engine_rules()) == [1000]
    _change_without_bump(promotion, "20")
    cache.delete(selectors.RULES_CACHE_KEY)
    started = selectors.time.monotonic()
    monkeypatch.setattr(selectors.time, "monotonic", lambda: started + 59)
    assert _percents(selectors.engine_rules()) == [1000]

    # when: the timeout has passed
    monkeypatch.setattr(selectors.time, "monotonic", lambda: started + 61)

    # then: the copy is not trusted any more (a missed bump heals as the shared entry's does)
    assert _percents(selectors.engine_rules()) == [2000]


def test_a_change_made_in_this_process_is_seen_at_once():
    promotion = PromotionFactory(percent=Decimal("10"))
    assert _percents(selectors.engine_rules()) == [1000]

    Promotion.objects.filter(pk=promotion.pk).update(percent=Decimal("30"))
    selectors.rules_cache_bump()  # what every service and the receivers call on a change

    assert _percents(selectors.engine_rules()) == [3000]
