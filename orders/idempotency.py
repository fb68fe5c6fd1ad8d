"""Idempotency-Key handling for checkout and payment requests.

The first request with a key records itself (in its own committed transaction) before it runs;
its response is stored when it ends. A repeat with the same key and the same body gets the
stored response and runs nothing; with another body it is refused (409
``idempotency_key_reused``); while the first is still running, a repeat is told so (409
``request_in_progress``). Every answer the request gave is stored, failures included (as
payment processors do): once a checkout has created its order, a retry must never check out
again, so it gets the first answer, which names the order to look at or pay. A client that
wants to try again after fixing something sends a new key. Only a crash (an unexpected
exception) forgets the key, since nothing is known of what it did. The payment is protected a
second time by the payment row's own unique idempotency key, which travels to the gateway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction

from commerce.errors import Conflict, DomainError, ValidationError
from orders.errors import IdempotencyConflict
from orders.models import IdempotencyRecord

MAX_KEY_LENGTH = 100


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _claim(*, user, scope: str, key: str, digest: str) -> IdempotencyRecord:
    """Record the request under its key, committed before it runs (``IntegrityError``: the key is taken).

    Outside a transaction (the API) the INSERT commits on its own: no transaction around it. Inside
    one (a caller's, or a test's) a savepoint keeps a taken key from breaking that transaction.
    """
    if transaction.get_autocommit():
        return IdempotencyRecord.objects.create(user=user, scope=scope, key=key, fingerprint=digest)
    with transaction.atomic():
        return IdempotencyRecord.objects.create(user=user, scope=scope, key=key, fingerprint=digest)


def run_idempotent(*, user, scope: str, key: str | None, payload, run: Callable[[], tuple[int, dict]],
                   error_body: Callable[[DomainError], dict]) -> tuple[int, dict, bool]:
    """Run ``run`` at most once per (user, scope, key). Returns (status, body, replayed)."""
    if not key:
        try:
            status, body = run()
        except DomainError as exc:
            return exc.status_code, error_body(exc), False
        return status, body, False
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.", code="idempotency_key_invalid")
    digest = fingerprint(payload)
    try:
        record = _claim(user=user, scope=scope, key=key, digest=digest)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=user, scope=scope, key=key)
        if record.fingerprint != digest:
            raise IdempotencyConflict("This Idempotency-Key was used with a different request.") from None
        if record.status_code is None:
            raise Conflict("A request with this Idempotency-Key is still being processed.", code="request_in_progress") from None
        return record.status_code, record.response, True
    try:
        status, body = run()
    except DomainError as exc:
        status, body = exc.status_code, error_body(exc)
    except Exception:
        record.delete()
        raise
    record.status_code, record.response = status, body
    record.save(update_fields=["status_code", "response"])
    return status, body, False
