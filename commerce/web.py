"""Helpers shared by the server-rendered pages of every app."""

from django.core.cache import cache
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request) -> str | None:
    """The ``next`` the page was given (POST, then GET), when it is a path on this site; else None.

    Only a path (``/cart/``) is followed: ``redirect()`` reads any other text as the name of a URL
    pattern, so "0" or "NaN" raised ``NoReverseMatch`` (a 500), and another host is an open redirect.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if not target or not target.startswith("/") or "\x00" in target:
        return None
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def within_hourly_limit(request, scope: str, per_hour: int) -> bool:
    """Count one more request of ``scope`` from this client address (a cache counter kept an hour)
    and say whether it is within ``per_hour``: for the pages' forms that may mail a stranger or try
    guesses (the REST API has DRF's throttles)."""
    key = f"web:limit:{scope}:{request.META.get('REMOTE_ADDR') or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        attempts = 1
    return attempts <= per_hour
