"""The recommendations' serving cache on the real Redis: lists kept 30 minutes there (5 in the
process), versions kept without expiry (an entry of an old version is never read again), and a
change made by another process (a view, a new model) reaching this one through Redis."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django_redis import get_redis_connection

from recommendations.serving.serve import recommendations_serve
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, shopper_of, view

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _redis_keys(pattern: str) -> list[str]:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return [k.decode() for k in get_redis_connection("default").keys(f"{prefix}:*{pattern}")]


def test_lists_live_30_minutes_in_redis_and_a_change_elsewhere_reaches_this_process():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    customer = CustomerFactory()
    view(a, customer=customer)
    serve = lambda: recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))  # noqa: E731

    assert serve().source == "computed"
    redis = get_redis_connection("default")
    lists = _redis_keys(f"rec:list:home_for_you:*:c{customer.pk}:*")
    assert len(lists) == 1 and 1700 < redis.ttl(lists[0]) <= 1800
    # the versions never expire before the entries made under them
    versions = _redis_keys(f"rec:v:c:{customer.pk}")
    assert len(versions) == 1 and redis.ttl(versions[0]) == -1
    assert serve().source == "local"

    # another process records a view of the customer: it bumps the version in Redis, and this
    # process's local entry (of the old version) is not read again
    redis.incr(versions[0])
    assert serve().source == "computed"
    assert len(_redis_keys(f"rec:list:home_for_you:*:c{customer.pk}:*")) == 2  # the old one expires on its own

    # a model activated elsewhere: its stamp in Redis changes every list's key
    caches["default"].set("recommendations:active-model:for_you", 10**6, None)
    caches["local"].clear()
    assert serve().source == "computed"
