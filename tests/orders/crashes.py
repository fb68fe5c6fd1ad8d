"""A request that dies half-way, as a SIGKILLed worker would, for the idempotency lease tests."""

import datetime

from django.utils import timezone

from orders.models import IdempotencyRecord


class WorkerKilled(BaseException):
    """The process died here: nothing after this line ran, no handler saw it."""


def lease_ends():
    """The lease of every in-progress record runs out (as it does ORDERS_IDEMPOTENCY_LEASE_SECONDS later)."""
    IdempotencyRecord.objects.filter(status_code__isnull=True).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))


def kill_once(monkeypatch, target, name, *, after_original=False):
    original = getattr(target, name)
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            return original(*args, **kwargs)
        if after_original:
            original(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(target, name, dying)
