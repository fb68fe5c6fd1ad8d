"""Idempotency-Key handling for checkout and payment requests.

The first request with a key records itself (in its own committed transaction) before it runs;
its response is stored when it ends. A repeat with the same key and the same body gets the
stored response and runs nothing; with another body it is refused (409
``idempotency_key_reused``); while the first is still running, a repeat is told so (409
``request_in_progress``). Every answer the request gave is stored, failures included (as
payment processors do): once a checkout has created its order, a retry must never check out
again, so it gets the first answer, which names the order to look at or pay. A client that
wants to try again after fixing something sends a new key. Keys are exact: ``ABC`` is not
``abc`` (the column compares bytes on every backend). The payment is protected a second time by
the payment row's own unique idempotency key, which travels to the gateway.

**A crashed request.** A request holds its key for a lease (``ORDERS_IDEMPOTENCY_LEASE_SECONDS``,
longer than any request may run). If its worker dies (SIGKILL, a lost machine) the record stays
in progress, but only until the lease ends: a repeat after that takes the key over and runs the
request again, which finds what the dead one made and answers with it. For that, what a request
makes is linked to its record in the same transaction that makes it: the order
(``link_order``, checkout) and the pending card payment (``link_payment``). Running again, the
checkout returns the linked order instead of placing another (``order_made_under_key``), payment
under the same derived key replays the payment already made, and a payment left pending by the
dead request is settled first from what the gateway knows of its key. When nothing was made the
request simply runs. An unexpected exception forgets a key under which nothing was made, and
ends the lease at once of one under which something was.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commerce.errors import DomainError
from orders.errors import IdempotencyConflict, IdempotencyKeyInvalid, RequestInProgress
from orders.models import IdempotencyRecord, Order, Payment

MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class _Run:
    record_id: int
    resumed: bool  # a repeat that took the key over from a request whose lease ended


#: The request now running under a key (None without a key), for ``link_*`` and ``order_made_under_key``.
_running: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("orders_idempotency_run", default=None)


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.ORDERS_IDEMPOTENCY_LEASE_SECONDS)


def _owner(user, guest: str | None) -> dict:
    """The record's owner: a customer, or a guest by their session cart's token (exactly one)."""
    if (user is None) == (not guest):
        raise ValueError("run_idempotent needs a user or a guest token, not both")
    return {"user": user} if user is not None else {"guest": guest}


def _claim(*, owner: dict, scope: str, key: str, digest: str) -> IdempotencyRecord:
    """Record the request under its key, committed before it runs (``IntegrityError``: the key is taken).

    Outside a transaction (the API) the INSERT commits on its own: no transaction around it. Inside
    one (a caller's, or a test's) a savepoint keeps a taken key from breaking that transaction.
    """
    fields = {**owner, "scope": scope, "key": key, "fingerprint": digest, "lease_until": _lease_end()}
    if transaction.get_autocommit():
        return IdempotencyRecord.objects.create(**fields)
    with transaction.atomic():
        return IdempotencyRecord.objects.create(**fields)


def _take_over(record: IdempotencyRecord) -> bool:
    """The request holding ``record`` is gone (its lease ended): this one takes the key, alone.

    A conditional UPDATE, so of several repeats racing for an expired lease exactly one wins. A
    record without a lease was left by a request from before leases existed: expired too.
    """
    now = timezone.now()
    lapsed = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    record.lease_until = _lease_end()
    return bool(IdempotencyRecord.objects.filter(lapsed, pk=record.pk, status_code__isnull=True)
                .update(lease_until=record.lease_until))


def _settle_left_pending(record: IdempotencyRecord) -> None:
    """A card payment the dead request left pending (it died waiting for the gateway): settle it
    from what the gateway knows of its key before running again, so the repeat replays the truth."""
    if record.payment_id is None:
        return
    from orders.services.payments import payment_settle_from_gateway

    payment = Payment.objects.filter(pk=record.payment_id, status=Payment.Status.PENDING).first()
    if payment is not None:
        payment_settle_from_gateway(payment=payment)


def _complete(record: IdempotencyRecord, status: int, body: dict) -> tuple[int, dict]:
    """Store the answer, unless a repeat that took the key over stored one first: the first stored wins."""
    if IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).update(status_code=status, response=body):
        return status, body
    stored = IdempotencyRecord.objects.get(pk=record.pk)
    return stored.status_code, stored.response


def _forget_or_release(record: IdempotencyRecord) -> None:
    """After an unexpected exception: nothing is known of what ran. A key under which nothing was
    made is forgotten; one under which an order or payment was made keeps it, lease ended, so a
    repeat takes it over at once and finds what was made."""
    if not IdempotencyRecord.objects.filter(pk=record.pk, order__isnull=True, payment__isnull=True).delete()[0]:
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).update(lease_until=timezone.now())


def run_idempotent(*, user=None, guest: str | None = None, scope: str, key: str | None, payload,
                   run: Callable[[], tuple[int, dict]], error_body: Callable[[DomainError], dict]) -> tuple[int, dict, bool]:
    """Run ``run`` at most once per (user or guest token, scope, key). Returns (status, body, replayed)."""
    if not key:
        try:
            status, body = run()
        except DomainError as exc:
            return exc.status_code, error_body(exc), False
        return status, body, False
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyInvalid(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.")
    digest = fingerprint(payload)
    owner = _owner(user, guest)
    resumed = False
    try:
        record = _claim(owner=owner, scope=scope, key=key, digest=digest)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(**owner, scope=scope, key=key)
        if record.fingerprint != digest:
            raise IdempotencyConflict("This Idempotency-Key was used with a different request.") from None
        if record.status_code is not None:
            return record.status_code, record.response, True
        if not _take_over(record):
            raise RequestInProgress("A request with this Idempotency-Key is still being processed.") from None
        _settle_left_pending(record)
        resumed = True
    token = _running.set(_Run(record_id=record.pk, resumed=resumed))
    try:
        status, body = run()
    except DomainError as exc:
        status, body = exc.status_code, error_body(exc)
    except Exception:
        _forget_or_release(record)
        raise
    finally:
        _running.reset(token)
    status, body = _complete(record, status, body)
    return status, body, False


def resumed() -> bool:
    """Whether this run took its key over from an earlier run whose worker died."""
    run = _running.get()
    return run is not None and run.resumed


def order_made_under_key(*, customer=None, guest_email: str = "") -> Order | None:
    """The order an earlier run of this request made under the same key, or None (always None on a
    first run: nothing can have been made before it). The checkout asks after waiting for the
    customer's cart lock, which an earlier run still placing its order holds until it commits."""
    run = _running.get()
    if run is None or not run.resumed:
        return None
    order_id = IdempotencyRecord.objects.filter(pk=run.record_id).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    if customer is None:
        return Order.objects.filter(pk=order_id, customer__isnull=True, guest_email=guest_email).first()
    return Order.objects.filter(pk=order_id, customer=customer).first()


def link_order(order: Order) -> None:
    """In the transaction that placed ``order``: it is what this request made (nothing without a key)."""
    run = _running.get()
    if run is not None:
        IdempotencyRecord.objects.filter(pk=run.record_id).update(order=order)


def link_payment(payment: Payment) -> None:
    """In the transaction that wrote the pending ``payment``: it is what this request is paying with."""
    run = _running.get()
    if run is not None:
        IdempotencyRecord.objects.filter(pk=run.record_id).update(payment=payment)
