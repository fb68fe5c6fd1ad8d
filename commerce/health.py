"""Liveness (``/healthz``) and readiness (``/readyz``) for load balancers and orchestrators.

Liveness answers from the process alone: it touches nothing, so a slow database never gets a
healthy web process restarted. Readiness checks what a request needs: every configured database,
the cache, and the Celery broker when one is configured (not the in-process ``memory://``
broker of the embedded default), each with a short timeout; it answers 503 naming what failed.
"""

import logging
import uuid
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
REDIS_SCHEMES = {"redis", "rediss"}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_databases() -> None:
    for alias in settings.DATABASES:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if urlsplit(url).scheme in REDIS_SCHEMES:
        client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return
    from commerce.celery import app

    with app.connection_for_write(url) as connection:
        connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


def broker_configured() -> bool:
    """A broker outside this process: not the embedded default's ``memory://``, not eager tasks."""
    return urlsplit(settings.CELERY_BROKER_URL).scheme != "memory" and not settings.CELERY_TASK_ALWAYS_EAGER


@never_cache
@require_GET
def readyz(request):
    checks = {"database": check_databases, "cache": check_cache}
    if broker_configured():
        checks["broker"] = check_broker
    results, failed = {}, []
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the log has the detail, the answer does not
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"failed: {type(exc).__name__}"
            failed.append(name)
        else:
            results[name] = "ok"
    if not broker_configured():
        results["broker"] = "not configured"
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed, "checks": results}, status=503)
    return JsonResponse({"status": "ready", "failed": [], "checks": results})
