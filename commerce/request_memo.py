"""Per-request memoisation: a value several parts of one page need (the category tree for the list and
the navigation bar, the promotions' counters for every shelf's prices) is computed once per request.

It lives on the current request (``commerce.context``), so it ends with it; outside a request (a task,
a service called from a test or a shell) nothing is memoised and ``remember`` simply computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from commerce import context

T = TypeVar("T")


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per request for ``key``; later calls in the same request get the same value."""
    request = context.current_request()
    if request is None:
        return compute()
    memo = request.__dict__.setdefault("_commerce_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(key: Hashable) -> None:
    """Drop ``key`` from the current request's memo (a change made during the request)."""
    request = context.current_request()
    if request is not None:
        request.__dict__.get("_commerce_memo", {}).pop(key, None)
