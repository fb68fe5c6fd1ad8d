"""System checks of the orders app's settings (``manage.py check``; run by migrate and runserver)."""

from django.conf import settings
from django.core import checks

#: gunicorn's default ``--timeout``: a request may run this long before its worker is killed.
REQUEST_TIMEOUT_SECONDS = 30


@checks.register(checks.Tags.compatibility)
def idempotency_lease_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    lease = settings.ORDERS_IDEMPOTENCY_LEASE_SECONDS
    if isinstance(lease, bool) or not isinstance(lease, int) or lease < 1:
        return [checks.Error(
            f"ORDERS_IDEMPOTENCY_LEASE_SECONDS is {lease!r}: it must be a whole number of seconds, at least 1.",
            hint="Keep it longer than any request may run (60 by default).", id="orders.E001",
        )]
    if lease <= REQUEST_TIMEOUT_SECONDS:
        return [checks.Warning(
            f"ORDERS_IDEMPOTENCY_LEASE_SECONDS is {lease}: a repeat may take over the key of a request "
            f"still running (gunicorn kills a worker after {REQUEST_TIMEOUT_SECONDS} s by default).",
            hint="Keep the lease longer than the server's request timeout.", id="orders.W001",
        )]
    return []
