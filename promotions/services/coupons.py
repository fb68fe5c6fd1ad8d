"""Coupon commands: named codes, bulk generation, distribution to a segment, invalidation."""

from __future__ import annotations

import datetime
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.coupon_codes import normalise_coupon_code
from commerce.locks import Kind, lock, lock_one
from promotions import events
from promotions.errors import (
    CouponBatchNotFound,
    CouponCodeTaken,
    CouponInvalid,
    CouponNotFound,
    InvalidTransition,
    NotEnoughCoupons,
)
from promotions.models import (
    Coupon,
    CouponBatch,
    Promotion,
    Segment,
)
from promotions.selectors.segments import segment_member_ids
from promotions.services._common import PS, _iso, _promotion, _segment

# Crockford base32 without look-alikes (as the orders app's order numbers): no I, L, O, U.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RANDOM_LENGTH = 10  # 50 bits: unguessable, and collisions are vanishingly rare
MAX_BATCH = 10_000
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")
_PREFIX_RE = re.compile(r"^[A-Z0-9]{1,12}$")


# --- coupons ----------------------------------------------------------------------------------------
def _coupon_promotion(promotion: Promotion | int) -> Promotion:
    promotion = _promotion(promotion)
    if promotion.status in (PS.EXPIRED, PS.ARCHIVED):
        raise InvalidTransition(f"The promotion is {promotion.get_status_display().lower()}; it takes no new coupons.",
                                extra={"status": promotion.status})
    return promotion


def _check_coupon_limits(max_uses, expires_at, errors: dict) -> int | None:
    if max_uses in (None, ""):
        max_uses = None
    else:
        try:
            max_uses = int(max_uses)
        except (TypeError, ValueError):
            max_uses = 0
        if max_uses < 1:
            errors.setdefault("max_uses", []).append("At least 1, or empty for unlimited.")
    if expires_at is not None and expires_at <= timezone.now():
        errors.setdefault("expires_at", []).append("In the future.")
    return max_uses


def coupon_create(
    *, promotion: Promotion | int, code: str, max_uses: int | None = None,
    expires_at: datetime.datetime | None = None, assigned_to=None,
) -> Coupon:
    """A named code (``SPRING10``), stored upper-case; unlimited uses unless ``max_uses``."""
    code = normalise_coupon_code(code)
    with telemetry.command_span("commerce.coupon.create") as span, transaction.atomic():
        promotion = _coupon_promotion(promotion)
        errors: dict[str, list[str]] = {}
        if not _CODE_RE.match(code):
            errors["code"] = ["3 to 32 letters, digits, '-' or '_'."]
        max_uses = _check_coupon_limits(max_uses, expires_at, errors)
        if errors:
            raise CouponInvalid(f"The coupon is not valid: {next(iter(errors.values()))[0]}", fields=errors)
        if Coupon.objects.filter(code=code).exists():
            raise CouponCodeTaken(f"The code {code} is already in use.", fields={"code": ["Already in use."]})
        assigned_id = assigned_to.pk if hasattr(assigned_to, "pk") else assigned_to
        try:
            with transaction.atomic():
                coupon = Coupon.objects.create(
                    code=code, promotion=promotion, max_uses=max_uses, expires_at=expires_at, assigned_to_id=assigned_id,
                    assigned_at=timezone.now() if assigned_id else None,
                )
        except IntegrityError:
            raise CouponCodeTaken(f"The code {code} is already in use.", fields={"code": ["Already in use."]}) from None
        span.set_attribute("coupon.id", coupon.pk)
        record(events.CouponCreated(
            coupon_id=coupon.pk, code=coupon.code, promotion_id=promotion.pk, max_uses=max_uses,
            expires_at=_iso(expires_at), assigned_to_id=assigned_id,
        ))
        return coupon


def new_coupon_code(prefix: str = "") -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_LENGTH))
    return f"{prefix}-{raw}" if prefix else raw


def _unique_codes(prefix: str, quantity: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < quantity:
        codes.add(new_coupon_code(prefix))
    return list(codes)


def coupon_generate(
    *, promotion: Promotion | int, quantity: int, prefix: str = "", max_uses: int | None = 1,
    expires_at: datetime.datetime | None = None, created_by=None,
) -> CouponBatch:
    """Generate ``quantity`` (1..10000) unguessable codes from ``secrets``, ``PREFIX-XXXXXXXXXX``.

    Inserted in bulk; a code that collides with an existing one is drawn again.
    """
    prefix = normalise_coupon_code(prefix)
    with telemetry.command_span("commerce.coupon.generate", attributes={"coupon.quantity": quantity}) as span, \
            transaction.atomic():
        promotion = _coupon_promotion(promotion)
        errors: dict[str, list[str]] = {}
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_BATCH:
            errors["quantity"] = [f"Between 1 and {MAX_BATCH}."]
        if prefix and not _PREFIX_RE.match(prefix):
            errors["prefix"] = ["Up to 12 letters and digits."]
        max_uses = _check_coupon_limits(max_uses, expires_at, errors)
        if errors:
            raise CouponInvalid(f"The coupons are not valid: {next(iter(errors.values()))[0]}", fields=errors)
        batch = CouponBatch.objects.create(
            promotion=promotion, prefix=prefix, quantity=quantity, max_uses=max_uses, expires_at=expires_at,
            created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        )
        span.set_attribute("coupon_batch.id", batch.pk)
        codes = _unique_codes(prefix, quantity)
        for attempt in range(5):
            try:
                with transaction.atomic():
                    Coupon.objects.bulk_create(
                        [Coupon(code=code, promotion=promotion, batch=batch, max_uses=max_uses, expires_at=expires_at)
                         for code in codes],
                        batch_size=1000,
                    )
                break
            except IntegrityError:
                if attempt == 4:
                    raise
                taken = set(Coupon.objects.filter(code__in=codes).values_list("code", flat=True))
                keep = [c for c in codes if c not in taken]
                fresh = set(keep)
                while len(fresh) < quantity:
                    candidate = new_coupon_code(prefix)
                    if candidate not in taken:
                        fresh.add(candidate)
                codes = list(fresh)
        record(events.CouponsGenerated(
            batch_id=batch.pk, promotion_id=promotion.pk, quantity=quantity, prefix=prefix, max_uses=max_uses,
            expires_at=_iso(expires_at),
        ))
        return batch


def coupon_distribute(*, batch: CouponBatch | int, segment: Segment | int) -> int:
    """Give one unassigned coupon of the batch to each member of the segment who has none of it yet.

    Refused (409 ``not_enough_coupons``) when the batch has too few coupons left. Returns how many
    coupons were assigned.
    """
    with telemetry.command_span("commerce.coupon.distribute") as span, transaction.atomic():
        batch_id = batch.pk if isinstance(batch, CouponBatch) else batch
        batch = lock_one(Kind.COUPON_BATCH, CouponBatch.objects.filter(pk=batch_id))
        if batch is None:
            raise CouponBatchNotFound("No such coupon batch.")
        segment = _segment(segment)
        span.set_attribute("coupon_batch.id", batch.pk)
        span.set_attribute("segment.id", segment.pk)
        holders = set(Coupon.objects.filter(batch=batch, assigned_to__isnull=False).values_list("assigned_to_id", flat=True))
        members = sorted(set(segment_member_ids(segment=segment)) - holders)
        free = lock(Kind.COUPON, Coupon.objects.filter(batch=batch, assigned_to__isnull=True, status=Coupon.Status.ACTIVE,
                                                 used_count=0).order_by("id")[: len(members)])
        if len(free) < len(members):
            raise NotEnoughCoupons(
                f"The batch has {len(free)} unassigned coupons for {len(members)} customers; generate more first.",
                extra={"available": len(free), "needed": len(members)},
            )
        now = timezone.now()
        for coupon, customer_id in zip(free, members, strict=False):
            coupon.assigned_to_id, coupon.assigned_at = customer_id, now
        Coupon.objects.bulk_update(free, ["assigned_to", "assigned_at"], batch_size=500)
        record(events.CouponsDistributed(
            batch_id=batch.pk, promotion_id=batch.promotion_id, segment_id=segment.pk, assigned=len(members)
        ))
        return len(members)


def coupon_invalidate(*, coupon: Coupon | int | str) -> Coupon:
    """Stop a code from being redeemed (its past redemptions stay). Already invalidated: unchanged."""
    with telemetry.command_span("commerce.coupon.invalidate"), transaction.atomic():
        if isinstance(coupon, Coupon):
            found = lock_one(Kind.COUPON, Coupon.objects.filter(pk=coupon.pk))
        elif isinstance(coupon, str):  # a string is always a code, even an all-digit one
            found = lock_one(Kind.COUPON, Coupon.objects.filter(code=normalise_coupon_code(coupon)))
        else:
            found = lock_one(Kind.COUPON, Coupon.objects.filter(pk=coupon))
        if found is None:
            raise CouponNotFound("No such coupon.")
        if found.status == Coupon.Status.INVALIDATED:
            return found
        found.status, found.invalidated_at = Coupon.Status.INVALIDATED, timezone.now()
        found.save(update_fields=["status", "invalidated_at"])
        record(events.CouponInvalidated(coupon_id=found.pk, code=found.code, promotion_id=found.promotion_id,
                                        used_count=found.used_count))
        return found
