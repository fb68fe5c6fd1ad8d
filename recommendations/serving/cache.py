"""The serving cache: a process-local level (5 minutes) in front of the shared Redis level (30 minutes).

Entries are never deleted to invalidate them: their keys carry version numbers kept in the shared
cache (one for the active model and the placements' rules, one per customer or anonymous session),
and a change bumps its version, so every process's local entries and the Redis entries of the old
version are simply never read again and expire. A request reads the versions it needs in one
round trip (``versions``), then its lists by their versioned keys: local first, then Redis (which
refills the local level), then the computation (which fills both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches

T = TypeVar("T")

GLOBAL = "rec:v:global"  # the active model, the placements and their rules, the pairs read model


def shared():
    return caches["default"]


def local():
    return caches["local"]


def shopper_key(*, customer_id: int | None, session_id: str, cart: bool = False) -> str:
    """The version of what a shopper did (every step), or with ``cart`` of their cart and orders only
    (what the exclusions depend on: a product view leaves them be)."""
    kind = "x" if cart else ""
    if customer_id is not None:
        return f"rec:v:c{kind}:{customer_id}"
    return f"rec:v:s{kind}:{session_id}" if session_id else ""


def versions(*keys: str) -> dict[str, int]:
    """The current version of each key (0 when none was ever bumped): one round trip to Redis."""
    wanted = [k for k in keys if k]
    found = shared().get_many(wanted) if wanted else {}
    return {k: int(found.get(k) or 0) for k in wanted}


def bump(key: str) -> None:
    """A new version for ``key``: the entries made under the old one are not read any more."""
    if not key:
        return
    store = shared()
    try:
        store.incr(key)
    except ValueError:  # never bumped (or expired): start it, at a value no entry used
        store.add(key, 1, timeout=None) or store.incr(key)


def bump_global() -> None:
    bump(GLOBAL)


def bump_shopper(*, customer_id: int | None, session_id: str = "", cart: bool = True) -> None:
    """A shopper did something: their lists are computed again; with ``cart`` (a cart change, an order)
    their exclusions too."""
    bump(shopper_key(customer_id=customer_id, session_id=session_id))
    if cart:
        bump(shopper_key(customer_id=customer_id, session_id=session_id, cart=True))


def get_or_compute(key: str, compute: Callable[[], T]) -> tuple[T, str]:
    """The value under ``key`` from the local level, else Redis, else ``compute()``; with where it came
    from (``local``, ``shared``, ``computed``), which the tests and the bench read."""
    near = local()
    value = near.get(key)
    if value is not None:
        return value, "local"
    value = shared().get(key)
    if value is not None:
        near.set(key, value, settings.RECOMMENDATIONS_CACHE_LOCAL_SECONDS)
        return value, "shared"
    value = compute()
    shared().set(key, value, settings.RECOMMENDATIONS_CACHE_SHARED_SECONDS)
    near.set(key, value, settings.RECOMMENDATIONS_CACHE_LOCAL_SECONDS)
    return value, "computed"
