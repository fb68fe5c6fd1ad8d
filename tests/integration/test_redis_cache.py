"""The Django cache is django-redis against the real Redis (REDIS_URL)."""

import time
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

pytestmark = pytest.mark.integration


@pytest.fixture
def key():
    return f"it-{uuid.uuid4().hex}"


def test_cache_backend_is_django_redis_on_redis_url():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    assert get_redis_connection("default").ping() is True


def test_cache_set_get_round_trips_python_values_through_redis(key):
    value = {"sku": "SKU-1", "tags": ["a", "b"], "price": "9.99"}

    cache.set(key, value, timeout=60)

    assert cache.get(key) == value
    # the value really is in Redis, under the configured key prefix
    raw_key = cache.make_key(key)
    assert raw_key.startswith(f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:")
    assert get_redis_connection("default").exists(raw_key) == 1
    assert 0 < cache.ttl(key) <= 60


def test_cache_entry_expires(key):
    cache.set(key, "soon gone", timeout=1)
    assert cache.get(key) == "soon gone"

    deadline = time.monotonic() + 5
    while cache.get(key) is not None and time.monotonic() < deadline:
        time.sleep(0.1)

    assert cache.get(key) is None
    assert cache.get(key, default="missing") == "missing"


def test_cache_incr_is_atomic_in_redis(key):
    cache.set(key, 10)

    assert cache.incr(key) == 11
    assert cache.incr(key, 5) == 16
    assert cache.decr(key, 6) == 10
    assert cache.get(key) == 10
    with pytest.raises(ValueError):
        cache.incr(f"{key}-absent")


def test_cache_add_does_not_overwrite(key):
    assert cache.add(key, "first") is True
    assert cache.add(key, "second") is False
    assert cache.get(key) == "first"


def test_cache_delete_pattern_removes_only_matching_keys(key):
    cache.set_many({f"{key}:product:1": 1, f"{key}:product:2": 2, f"{key}:category:1": 3})

    deleted = cache.delete_pattern(f"{key}:product:*")

    assert deleted == 2
    assert cache.get_many([f"{key}:product:1", f"{key}:product:2", f"{key}:category:1"]) == {f"{key}:category:1": 3}


def test_a_tests_cache_clear_leaves_other_prefixes_keys(key):
    """In tests ``cache.clear()`` deletes this cache's prefix only (tests/conftest.py): FLUSHDB would
    take another xdist worker's keys, or the Celery broker's, with it."""
    redis = get_redis_connection("default")
    other = f"another-worker:1:{key}"
    redis.set(other, "kept", ex=60)
    cache.set(key, "gone", timeout=60)

    cache.clear()

    assert cache.get(key) is None
    assert redis.get(other) == b"kept"
    redis.delete(other)
