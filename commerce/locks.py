"""Row locks, taken in one order everywhere, so that two writers never wait on each other in a circle.

Every ``SELECT ... FOR UPDATE`` of the project goes through ``lock`` (or ``lock_one``, ``lock_get``),
naming the kind of row it locks: each call locks its rows in one statement, in id order. ``Kind``
ranks the kinds in the order a transaction may take them (ARCHITECTURE.md, "Lock order"). The core
names the kinds of the subdomain apps too, as plain names, so that it imports none of them.

With ``settings.LOCK_ORDER_CHECKS`` (on under DEBUG and in the tests) each transaction remembers
what it locked, and a lock taken out of order raises ``LockOrderViolation``:

- a kind ranked before a kind already held (a payment, then its order);
- more rows of a kind already held, one of them with a lower id than a row held (batch 7, then
  batch 3, in two statements).

Rows the transaction holds already may be locked again at any point: that never waits.

The record belongs to the transaction: it lives on the outermost atomic block the code opened (a
test case's own wrapping blocks and ``batch`` blocks do not count), so it ends when that block does.
The services open ``with transaction.atomic():`` blocks; ``@transaction.atomic`` as a decorator
reuses one block object for every call, so its record would outlive the call. Rows a transaction
inserts are not locked through here: nobody else can be waiting for them (``inserted`` notes them).
"""

from __future__ import annotations

from enum import IntEnum

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Model, QuerySet


class Kind(IntEnum):
    """The lockable kinds of row, in the order a transaction takes them (the value is the rank)."""

    # accounts and catalog: locked alone, before anything an order touches
    SALES_REGION = 10
    CUSTOMER = 20  # the user row: serialises a customer's address commands
    CUSTOMER_PROFILE = 30
    ADDRESS = 40
    CATEGORY = 50
    MANUFACTURER = 60
    PRODUCT = 70
    STOCK_ALERT = 75  # a product's "notify me" rows: locked alone, or after their product
    # logistics: a route, then its deliveries; before the orders a route's commands move along
    # (starting a route ships its orders, completing a delivery delivers its order)
    ROUTE = 80
    DELIVERY = 90
    # the checkout chain and the commands on an order
    CART = 100
    ORDER = 110  # a checkout's order is a new row: it may be created anywhere after the cart
    REFUND = 120  # settled under its order's lock, before the stock a full refund releases
    STOCK_RESERVATION = 130
    STOCK_BATCH = 140
    SEGMENT = 150
    CAMPAIGN = 160
    PROMOTION = 170
    COUPON_BATCH = 180
    COUPON = 190
    ORDER_LINE = 200
    PAYMENT = 210
    # The read model's row of an order, locked whenever a command records an event of the order
    # (the audit receiver projects it at once), so at any point of the command: see GUARDED.
    ORDER_SUMMARY = 220
    GATEWAY_CHARGE = 230  # the sandbox gateway's own books, in a transaction of their own
    # recommendations: a review (its votes, flags and photos change under its lock), then its
    # product's rating summary (the read model, projected in the same transaction)
    REVIEW = 300
    RATING_SUMMARY = 310
    # recommendations: product questions and their answers, each locked alone by its own commands
    # (a vote or moderation of an answer updates its question's counters with a conditional UPDATE)
    QUESTION = 320
    ANSWER = 330
    # recommendations: a placement, locked alone by its merchandising commands (its rules, pins'
    # positions among them, are read and written under its lock)
    PLACEMENT = 335
    # recommendations: the trained model versions of one purpose, locked alone to swap the active one
    MODEL_VERSION = 340
    TRAINING_RUN = 350  # a training run, locked alone to claim or finish it
    EXPERIMENT = 355  # an A/B test, locked alone to change its variants, start or stop it
    # logistics: a planning run, locked alone to claim or fail it, or last in the transaction that
    # writes its plan (after the day's routes and deliveries)
    PLANNING_RUN = 360


#: Kinds whose rows are locked only by a transaction holding the row of the same id of another
#: kind (an order's summary, by the command holding its order). Two transactions can then never
#: wait for such a row while holding something else: it takes no place in the order, and the check
#: is that its guard is held (or was inserted by the transaction, see ``inserted``).
GUARDED = {Kind.ORDER_SUMMARY: Kind.ORDER}


class LockOrderViolation(RuntimeError):
    """A transaction locked rows out of the lock order: a programming error, never a user's."""


def lock(kind: Kind, queryset: QuerySet) -> list[Model]:
    """Lock the rows of ``queryset`` (in one statement, in id order) and return them.

    A sliced queryset (the first n free coupons) cannot be reordered: its caller orders it by id.
    A queryset that joins (``select_related``) is refused: the database would lock the joined rows
    too, under no kind and out of the order; read them after, or lock them by their own kind."""
    if queryset.query.select_related:
        raise LockOrderViolation(f"{kind.name} locked with select_related: the joined rows would be locked too.")
    if not queryset.query.is_sliced:
        queryset = queryset.order_by("pk")
    rows = list(queryset.select_for_update())
    if getattr(settings, "LOCK_ORDER_CHECKS", False):
        _check(kind, [row.pk for row in rows], router.db_for_write(queryset.model))
    return rows


def lock_one(kind: Kind, queryset: QuerySet) -> Model | None:
    """Lock the one row ``queryset`` selects and return it, or None when there is none."""
    rows = lock(kind, queryset)
    return rows[0] if rows else None


def lock_get(kind: Kind, queryset: QuerySet) -> Model:
    """Like ``queryset.get()``, locked: raises the model's ``DoesNotExist`` or ``MultipleObjectsReturned``."""
    rows = lock(kind, queryset)
    if not rows:
        raise queryset.model.DoesNotExist(f"{queryset.model._meta.object_name} matching query does not exist.")
    if len(rows) > 1:
        raise queryset.model.MultipleObjectsReturned(f"get() returned more than one {queryset.model._meta.object_name}.")
    return rows[0]


def inserted(kind: Kind, ids: list, using: str = "default") -> None:
    """Note rows the current transaction inserted: nobody else can wait for them, so they count as
    held (a checkout's new order guards its summary)."""
    if getattr(settings, "LOCK_ORDER_CHECKS", False):
        block = _transaction_block(using)
        if block is not None:
            block.__dict__.setdefault("_locks_held", {}).setdefault(kind, set()).update(ids)


def batch(using: str | None = None) -> transaction.Atomic:
    """One transaction over many commands, for work that runs alone (seeding demo data, a test's
    rolled-back example): the lock order is checked per command inside it, each as if it were a
    transaction of its own. Never for code that runs beside the shop's traffic: the transaction
    holds every lock its commands take until it ends."""
    block = transaction.atomic(using=using)
    block._lock_batch = True
    return block


def held(using: str = "default") -> dict[Kind, set]:
    """What the current transaction has locked so far, by kind (recorded only with the checks on)."""
    block = _transaction_block(using)
    return dict(getattr(block, "_locks_held", {})) if block is not None else {}


def _transaction_block(using: str):
    """The outermost atomic block the code opened: its transaction holds the locks taken inside.
    A test case's wrapping blocks and ``batch`` blocks stand for no transaction of their own."""
    blocks = connections[using].atomic_blocks
    ours = [block for block in blocks if not block._from_testcase and not getattr(block, "_lock_batch", False)]
    return ours[0] if ours else (blocks[-1] if blocks else None)


def _check(kind: Kind, ids: list, using: str) -> None:
    block = _transaction_block(using)
    if block is None:
        return  # outside a transaction select_for_update has refused already
    record: dict[Kind, set] = block.__dict__.setdefault("_locks_held", {})
    guard = GUARDED.get(kind)
    if guard is not None:
        unguarded = sorted(set(ids) - record.get(guard, set()))
        if unguarded:
            raise LockOrderViolation(f"{kind.name} {unguarded[0]} locked without its {guard.name}: lock the {guard.name} first.")
        record.setdefault(kind, set()).update(ids)
        return
    if ids != sorted(ids):
        raise LockOrderViolation(f"{kind.name} rows locked out of id order: order a sliced queryset by id.")
    mine = record.setdefault(kind, set())
    new = [i for i in ids if i not in mine]
    if ids and not new:
        return  # held already: locking them again never waits
    later = sorted(k for k in record if k > kind and k not in GUARDED)
    if later:
        raise LockOrderViolation(f"{kind.name} locked after {later[-1].name}: the lock order takes {kind.name} first.")
    if mine and new and min(new) < max(mine):
        raise LockOrderViolation(
            f"{kind.name} {min(new)} locked after {kind.name} {max(mine)}: lock every row of a kind in one call, in id order."
        )
    mine.update(ids)
