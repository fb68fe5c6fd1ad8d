"""Promotions commands: promotions, coupons, campaigns, segments and the time-driven schedule.

Every command is keyword-only, runs in one ``transaction.atomic`` block inside a
``commerce.promotion.*`` (``commerce.coupon.*``, ``commerce.campaign.*``, ``commerce.segment.*``)
span and records its event. Usage counters (``usage_count``, ``used_count``, ``spent_amount``)
are changed only by the discount provider (``promotions.provider``), never here.

Status pipelines, declared once:

* promotion: draft/inactive --activate--> scheduled (``valid_from`` ahead) or active;
  scheduled/active --deactivate--> inactive; the beat moves scheduled -> active and
  scheduled/active -> expired by time; delete: archived when it has redemptions, else gone.
* campaign: draft --launch--> scheduled or active; the beat moves scheduled -> active -> ended;
  end: any -> ended.

The engine checks every window itself, so a late beat never grants a discount out of time.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commerce import telemetry
from commerce.accounts.models import SalesRegion
from commerce.audit.events import record, record_many
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.money import MINOR_UNITS, minor_unit
from promotions import events
from promotions.errors import (
    CampaignInvalid,
    CampaignNotFound,
    CouponBatchNotFound,
    CouponCodeTaken,
    CouponInvalid,
    CouponNotFound,
    InvalidTransition,
    NotEnoughCoupons,
    PromotionInvalid,
    PromotionNotFound,
    SegmentInvalid,
    SegmentNotFound,
)
from promotions.models import (
    Campaign,
    Coupon,
    CouponBatch,
    DiscountClass,
    Promotion,
    PromotionTier,
    Redemption,
    Segment,
    SegmentMembership,
)

PS = Promotion.Status
CS = Campaign.Status
B = Promotion.Benefit

#: plain fields ``promotion_create`` / ``promotion_update`` accept
EDITABLE_FIELDS = (
    "name", "description", "badge", "campaign", "discount_class", "priority", "combines_with", "exclusive",
    "requires_coupon", "benefit_type", "percent", "amount", "currency", "buy_quantity", "get_quantity", "get_percent",
    "bundle_quantity", "valid_from", "valid_to", "min_subtotal", "min_quantity", "usage_limit", "usage_limit_per_customer",
)
#: many-to-many fields, given as iterables of instances or ids
M2M_FIELDS = ("target_products", "target_categories", "target_manufacturers", "segments", "get_products")
_M2M_MODELS = {
    "target_products": Product, "target_categories": Category, "target_manufacturers": Manufacturer,
    "segments": Segment, "get_products": Product,
}
#: benefits that only make sense on product lines
PRODUCT_ONLY_BENEFITS = frozenset({B.BUY_X_GET_Y, B.QUANTITY_TIERS, B.BUNDLE_PRICE})

#: promotion transitions: action -> statuses it may start from (the target depends on time)
PROMOTION_TRANSITIONS = {
    "activate": frozenset({PS.DRAFT, PS.INACTIVE}),
    "deactivate": frozenset({PS.SCHEDULED, PS.ACTIVE}),
    "delete": frozenset({PS.DRAFT, PS.SCHEDULED, PS.ACTIVE, PS.INACTIVE, PS.EXPIRED}),
}
CAMPAIGN_TRANSITIONS = {
    "launch": frozenset({CS.DRAFT}),
    "end": frozenset({CS.DRAFT, CS.SCHEDULED, CS.ACTIVE}),
}
_DECIMAL_FIELDS = ("percent", "amount", "get_percent", "min_subtotal")
_INT_FIELDS = ("priority", "buy_quantity", "get_quantity", "bundle_quantity", "min_quantity", "usage_limit",
               "usage_limit_per_customer")

# Crockford base32 without look-alikes (as the orders app's order numbers): no I, L, O, U.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RANDOM_LENGTH = 10  # 50 bits: unguessable, and collisions are vanishingly rare
MAX_BATCH = 10_000
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")
_PREFIX_RE = re.compile(r"^[A-Z0-9]{1,12}$")


def _rules_changed() -> None:
    """The compiled rules the provider caches are stale: bump their version now and on commit."""
    from promotions.selectors import rules_cache_bump

    rules_cache_bump()
    transaction.on_commit(rules_cache_bump)


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def _same(old, new) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new
    return _jsonable(old) == _jsonable(new)


# --- lookups ----------------------------------------------------------------------------------------
def _promotion(promotion: Promotion | int, *, lock: bool = False) -> Promotion:
    pk = promotion.pk if isinstance(promotion, Promotion) else promotion
    qs = Promotion.objects.select_for_update() if lock else Promotion.objects.all()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise PromotionNotFound("No such promotion.")
    return found


def _campaign(campaign: Campaign | int, *, lock: bool = False) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    qs = Campaign.objects.select_for_update() if lock else Campaign.objects.all()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise CampaignNotFound("No such campaign.")
    return found


def _segment(segment: Segment | int, *, lock: bool = False) -> Segment:
    pk = segment.pk if isinstance(segment, Segment) else segment
    qs = Segment.objects.select_for_update() if lock else Segment.objects.all()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise SegmentNotFound("No such segment.")
    return found


# --- promotions: validation -------------------------------------------------------------------------
def _coerce(fields: dict, errors: dict) -> dict:
    """Strings from forms and JSON become Decimals and ints; a value that is neither is an error."""
    out = dict(fields)
    for name in _DECIMAL_FIELDS:
        value = out.get(name)
        if value in (None, ""):
            out[name] = None if name != "get_percent" else Decimal(100)
            continue
        if isinstance(value, float):
            value = str(value)
        try:
            out[name] = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            errors.setdefault(name, []).append("Enter a number.")
            continue
        if not out[name].is_finite() or out[name] != out[name].quantize(Decimal("0.01")):
            errors.setdefault(name, []).append("At most two decimal places.")
        else:
            out[name] = out[name].quantize(Decimal("0.01"))
    for name in _INT_FIELDS:
        value = out.get(name)
        if value in (None, ""):
            out[name] = 0 if name == "priority" else None
            continue
        try:
            out[name] = int(value)
        except (TypeError, ValueError):
            errors.setdefault(name, []).append("Enter a whole number.")
    for name in ("exclusive", "requires_coupon"):
        out[name] = bool(out.get(name))
    return out


def _in_percent_range(value) -> bool:
    return isinstance(value, Decimal) and Decimal(0) < value <= Decimal(100)


def _validate_promotion(values: dict, tiers: Sequence[tuple[int, Decimal]], m2m: dict[str, list[int]]) -> None:
    """Raise ``PromotionInvalid`` with every problem found, per field, or return."""
    errors: dict[str, list[str]] = {}

    def err(name, message):
        errors.setdefault(name, []).append(message)

    name = (values.get("name") or "").strip()
    if not name:
        err("name", "Give the promotion a name.")
    elif len(name) > 120:
        err("name", "At most 120 characters.")
    if len(values.get("badge") or "") > 40:
        err("badge", "At most 40 characters.")
    discount_class = values.get("discount_class")
    if discount_class not in DiscountClass.values:
        err("discount_class", f"One of: {', '.join(DiscountClass.values)}.")
    benefit = values.get("benefit_type")
    if benefit not in B.values:
        err("benefit_type", f"One of: {', '.join(B.values)}.")
    if values.get("currency") not in MINOR_UNITS:
        err("currency", "Unknown currency.")
    combines_with = values.get("combines_with") or []
    if not isinstance(combines_with, (list, tuple, set, frozenset)) or not set(combines_with) <= set(DiscountClass.values):
        err("combines_with", f"A list of discount classes among: {', '.join(DiscountClass.values)}.")

    percent, amount = values.get("percent"), values.get("amount")
    has_targets = any(m2m.get(f) for f in ("target_products", "target_categories", "target_manufacturers"))
    if benefit in PRODUCT_ONLY_BENEFITS and discount_class in DiscountClass.values and discount_class != DiscountClass.PRODUCT:
        err("discount_class", f"A {B(benefit).label.lower()} promotion is a product discount.")
    if benefit == B.PERCENTAGE:
        if not _in_percent_range(percent):
            err("percent", "A percentage above 0 and at most 100.")
    elif benefit == B.FIXED_AMOUNT:
        if amount is None or amount <= 0:
            err("amount", "An amount above zero.")
    elif benefit == B.BUY_X_GET_Y:
        if not values.get("buy_quantity") or values["buy_quantity"] < 1:
            err("buy_quantity", "At least 1.")
        if not values.get("get_quantity") or values["get_quantity"] < 1:
            err("get_quantity", "At least 1.")
        if not _in_percent_range(values.get("get_percent")):
            err("get_percent", "A percentage above 0 and at most 100.")
    elif benefit == B.QUANTITY_TIERS:
        if not tiers:
            err("tiers", "Add at least one tier.")
        previous = 0
        for min_quantity, tier_percent in tiers:
            if not isinstance(min_quantity, int) or min_quantity < 1:
                err("tiers", "Each tier starts at 1 unit or more.")
                break
            if min_quantity <= previous:
                err("tiers", "Tiers go up: each starts at more units than the one before.")
                break
            if not _in_percent_range(tier_percent):
                err("tiers", "Each tier's percentage is above 0 and at most 100.")
                break
            previous = min_quantity
    elif benefit == B.FREE_SHIPPING:
        if discount_class in DiscountClass.values and discount_class != DiscountClass.SHIPPING:
            err("discount_class", "Free shipping is a shipping discount.")
    elif benefit == B.BUNDLE_PRICE:
        if not values.get("bundle_quantity") or values["bundle_quantity"] < 2:
            err("bundle_quantity", "A bundle has at least 2 units.")
        if amount is None or amount <= 0:
            err("amount", "The bundle price is above zero.")
        if not has_targets:
            err("target_products", "Say which products make up the bundle.")
    if tiers and benefit != B.QUANTITY_TIERS:
        err("tiers", "Only quantity-tier promotions have tiers.")

    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_from and valid_to and valid_to <= valid_from:
        err("valid_to", "Ends after it starts.")
    for field_name in ("min_subtotal",):
        if values.get(field_name) is not None and values[field_name] < 0:
            err(field_name, "Not negative.")
    for field_name in ("min_quantity", "usage_limit", "usage_limit_per_customer"):
        if values.get(field_name) is not None and values[field_name] < 1:
            err(field_name, "At least 1, or empty for none.")
    currency = values.get("currency")
    if currency in MINOR_UNITS:
        for field_name in ("amount", "min_subtotal"):
            value = values.get(field_name)
            if isinstance(value, Decimal) and value.is_finite() and value != value.quantize(minor_unit(currency)):
                err(field_name, f"At most {MINOR_UNITS[currency]} decimal places in {currency}.")
    campaign = values.get("campaign")
    if campaign is not None and campaign.currency != values.get("currency"):
        err("currency", f"The campaign is in {campaign.currency}.")
    if errors:
        first = next(iter(errors.values()))[0]
        raise PromotionInvalid(f"The promotion is not valid: {first}", fields=errors)


def _split_fields(fields: dict) -> tuple[dict, dict]:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(M2M_FIELDS) - {"campaign_id"}
    if unknown:
        raise TypeError(f"Unknown promotion fields: {', '.join(sorted(unknown))}")
    plain = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    if "campaign_id" in fields:
        plain["campaign"] = fields["campaign_id"]
    m2m = {k: v for k, v in fields.items() if k in M2M_FIELDS}
    return plain, m2m


def _resolve_campaign(value, errors: dict):
    if value in (None, ""):
        return None
    if isinstance(value, Campaign):
        return value
    found = Campaign.objects.filter(pk=value).first()
    if found is None:
        errors.setdefault("campaign", []).append("No such campaign.")
    return found


def _resolve_m2m(m2m: dict, errors: dict) -> dict[str, list[int]]:
    resolved = {}
    for name, items in m2m.items():
        ids = sorted({item.pk if hasattr(item, "pk") else int(item) for item in (items or [])})
        if ids:
            found = set(_M2M_MODELS[name].objects.filter(pk__in=ids).values_list("pk", flat=True))
            missing = [i for i in ids if i not in found]
            if missing:
                errors.setdefault(name, []).append(f"Unknown ids: {', '.join(map(str, missing))}.")
        resolved[name] = ids
    return resolved


def _normalise_tiers(tiers) -> list[tuple[int, Decimal]]:
    out = []
    for min_quantity, percent in tiers or ():
        try:
            out.append((int(min_quantity), Decimal(str(percent))))
        except (InvalidOperation, TypeError, ValueError):
            raise PromotionInvalid("The promotion is not valid: a tier is not a number.",
                                   fields={"tiers": ["Each tier is a number of units and a percentage."]}) from None
    return sorted(out, key=lambda t: t[0]) if all(q >= 1 for q, _ in out) else out


def _write_tiers(promotion: Promotion, tiers: list[tuple[int, Decimal]]) -> None:
    PromotionTier.objects.filter(promotion=promotion).delete()
    PromotionTier.objects.bulk_create([PromotionTier(promotion=promotion, min_quantity=q, percent=p) for q, p in tiers])


def _current_m2m(promotion: Promotion) -> dict[str, list[int]]:
    return {name: sorted(getattr(promotion, name).values_list("pk", flat=True)) for name in M2M_FIELDS}


def _plain_values(promotion: Promotion) -> dict:
    values = {name: getattr(promotion, name) for name in EDITABLE_FIELDS if name != "campaign"}
    values["campaign"] = promotion.campaign
    return values


# --- promotions: commands ---------------------------------------------------------------------------
def promotion_create(
    *, name: str, discount_class: str, benefit_type: str, tiers: Sequence[tuple[int, Decimal]] = (), **fields
) -> Promotion:
    """Create a promotion in status draft, after checking that its benefit's parameters fit its type."""
    with telemetry.command_span("commerce.promotion.create", attributes={"promotion.benefit_type": benefit_type}) as span, \
            transaction.atomic():
        plain, m2m = _split_fields(fields)
        values = {
            "description": "", "badge": "", "priority": 0, "exclusive": False, "requires_coupon": False,
            "combines_with": [], "currency": "EUR", "get_percent": Decimal(100),
            **plain, "name": name, "discount_class": discount_class, "benefit_type": benefit_type,
        }
        errors: dict[str, list[str]] = {}
        values = _coerce(values, errors)
        values["campaign"] = _resolve_campaign(values.get("campaign"), errors)
        resolved = _resolve_m2m(m2m, errors)
        if errors:
            raise PromotionInvalid(f"The promotion is not valid: {next(iter(errors.values()))[0]}", fields=errors)
        tier_list = _normalise_tiers(tiers)
        _validate_promotion(values, tier_list, resolved)
        values["name"] = values["name"].strip()
        values["combines_with"] = sorted(set(values["combines_with"]))
        promotion = Promotion.objects.create(status=PS.DRAFT, **values)
        for field_name, ids in resolved.items():
            getattr(promotion, field_name).set(ids)
        if tier_list:
            _write_tiers(promotion, tier_list)
        span.set_attribute("promotion.id", promotion.pk)
        record(events.PromotionCreated(
            promotion_id=promotion.pk, name=promotion.name, discount_class=promotion.discount_class,
            benefit_type=promotion.benefit_type, campaign_id=promotion.campaign_id,
            fields={**{k: _jsonable(v) for k, v in values.items() if k not in ("name",)}, **resolved,
                    "tiers": [[q, str(p)] for q, p in tier_list]},
        ))
        _rules_changed()
        return promotion


def promotion_update(*, promotion: Promotion | int, data: dict, tiers: Sequence | None = None) -> Promotion:
    """Change a promotion's fields (not its status or counters). ``tiers`` None keeps the tiers.

    A live promotion whose window moved becomes scheduled or active accordingly; an archived
    one cannot change.
    """
    with telemetry.command_span("commerce.promotion.update") as span, transaction.atomic():
        promotion = _promotion(promotion, lock=True)
        span.set_attribute("promotion.id", promotion.pk)
        if promotion.status == PS.ARCHIVED:
            raise InvalidTransition("This promotion was deleted; it cannot change.", extra={"status": promotion.status})
        plain, m2m = _split_fields(dict(data))
        before = _plain_values(promotion)
        errors: dict[str, list[str]] = {}
        values = _coerce({**before, **plain}, errors)
        values["campaign"] = _resolve_campaign(values.get("campaign"), errors)
        current_m2m = _current_m2m(promotion)
        resolved = {**current_m2m, **_resolve_m2m(m2m, errors)}
        if errors:
            raise PromotionInvalid(f"The promotion is not valid: {next(iter(errors.values()))[0]}", fields=errors)
        current_tiers = [(t.min_quantity, t.percent) for t in promotion.tiers.all()]
        tier_list = current_tiers if tiers is None else _normalise_tiers(tiers)
        if values.get("benefit_type") != B.QUANTITY_TIERS and tiers is None:
            tier_list = []  # switching away from tiers drops them
        _validate_promotion(values, tier_list, resolved)
        if values.get("usage_limit") is not None and values["usage_limit"] < promotion.usage_count:
            # the check constraint would refuse it with a 500: say it as the field's error instead
            raise PromotionInvalid(
                f"The promotion is not valid: it has already been used {promotion.usage_count} times.",
                fields={"usage_limit": [f"At least {promotion.usage_count}, the uses already counted, or empty."]},
            )
        if values.get("currency") != before.get("currency") and (promotion.usage_count or promotion.discount_granted):
            # what it granted is counted in its currency: a used promotion keeps it (create a new one instead)
            raise PromotionInvalid(
                "The promotion is not valid: it has been used, so its currency cannot change.",
                fields={"currency": [f"Stays {before.get('currency')}: the promotion has been used."]},
            )
        values["name"] = values["name"].strip()
        values["combines_with"] = sorted(set(values["combines_with"] or []))

        changes = {}
        for field_name, new in values.items():
            old = before.get(field_name)
            if not _same(old, new):
                changes[field_name] = [_jsonable(old), _jsonable(new)]
                setattr(promotion, field_name, new)
        for field_name, ids in resolved.items():
            if ids != current_m2m[field_name]:
                changes[field_name] = [current_m2m[field_name], ids]
                getattr(promotion, field_name).set(ids)
        if tier_list != current_tiers:
            changes["tiers"] = [[[q, str(p)] for q, p in current_tiers], [[q, str(p)] for q, p in tier_list]]
            _write_tiers(promotion, tier_list)
        if promotion.is_live_status:
            status = _live_status(promotion.valid_from, promotion.valid_to, timezone.now())
            if status != promotion.status:
                changes["status"] = [promotion.status, status]
                promotion.status = status
        if not changes:
            return promotion
        promotion.save()
        record(events.PromotionUpdated(promotion_id=promotion.pk, name=promotion.name, changes=changes))
        _rules_changed()
        return promotion


def _live_status(valid_from, valid_to, now) -> str:
    if valid_to is not None and valid_to <= now:
        return PS.EXPIRED
    if valid_from is not None and valid_from > now:
        return PS.SCHEDULED
    return PS.ACTIVE


def _check_promotion_transition(promotion: Promotion, action: str) -> None:
    if promotion.status not in PROMOTION_TRANSITIONS[action]:
        raise InvalidTransition(
            f"The promotion is {promotion.get_status_display().lower()}; it cannot be {action}d now.",
            extra={"status": promotion.status, "action": action},
        )


def promotion_activate(*, promotion: Promotion | int, now: datetime.datetime | None = None) -> Promotion:
    """Draft or deactivated -> scheduled (starts later) or active. Already live: unchanged.

    Refused (409 ``invalid_transition``) when expired, archived, or its window has already ended.
    """
    now = now or timezone.now()
    with telemetry.command_span("commerce.promotion.activate") as span, transaction.atomic():
        promotion = _promotion(promotion, lock=True)
        span.set_attribute("promotion.id", promotion.pk)
        if promotion.is_live_status:
            return promotion
        _check_promotion_transition(promotion, "activate")
        values = _plain_values(promotion)
        _validate_promotion(values, [(t.min_quantity, t.percent) for t in promotion.tiers.all()], _current_m2m(promotion))
        status = _live_status(promotion.valid_from, promotion.valid_to, now)
        if status == PS.EXPIRED:
            raise InvalidTransition("Its validity window has already ended; change the dates first.",
                                    extra={"status": promotion.status, "action": "activate"})
        previous = promotion.status
        promotion.status, promotion.activated_at = status, now
        promotion.save(update_fields=["status", "activated_at", "updated_at"])
        record(events.PromotionActivated(
            promotion_id=promotion.pk, name=promotion.name, status=status, previous_status=previous,
            valid_from=_iso(promotion.valid_from), valid_to=_iso(promotion.valid_to),
        ))
        _rules_changed()
        return promotion


def promotion_deactivate(*, promotion: Promotion | int) -> Promotion:
    """Scheduled or active -> inactive (it stops applying at once). Draft or inactive: unchanged."""
    with telemetry.command_span("commerce.promotion.deactivate") as span, transaction.atomic():
        promotion = _promotion(promotion, lock=True)
        span.set_attribute("promotion.id", promotion.pk)
        if promotion.status in (PS.DRAFT, PS.INACTIVE):
            return promotion
        _check_promotion_transition(promotion, "deactivate")
        previous = promotion.status
        promotion.status, promotion.deactivated_at = PS.INACTIVE, timezone.now()
        promotion.save(update_fields=["status", "deactivated_at", "updated_at"])
        record(events.PromotionDeactivated(promotion_id=promotion.pk, name=promotion.name, previous_status=previous))
        _rules_changed()
        return promotion


def promotion_delete(*, promotion: Promotion | int) -> None:
    """Delete a promotion never redeemed; one with redemptions is archived (kept for history)."""
    with telemetry.command_span("commerce.promotion.delete") as span, transaction.atomic():
        promotion = _promotion(promotion, lock=True)
        span.set_attribute("promotion.id", promotion.pk)
        if promotion.status == PS.ARCHIVED:
            return None
        _check_promotion_transition(promotion, "delete")
        archived = Redemption.objects.filter(promotion=promotion).exists()
        record(events.PromotionDeleted(promotion_id=promotion.pk, name=promotion.name, archived=archived))
        if archived:
            promotion.status, promotion.deactivated_at = PS.ARCHIVED, timezone.now()
            promotion.save(update_fields=["status", "deactivated_at", "updated_at"])
            Coupon.objects.filter(promotion=promotion, status=Coupon.Status.ACTIVE).update(
                status=Coupon.Status.INVALIDATED, invalidated_at=timezone.now()
            )
        else:
            promotion.delete()
        _rules_changed()
        return None


# --- coupons ----------------------------------------------------------------------------------------
def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


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
    code = normalise_code(code)
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
    prefix = normalise_code(prefix)
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
    from promotions.selectors import segment_member_ids

    with telemetry.command_span("commerce.coupon.distribute") as span, transaction.atomic():
        batch_id = batch.pk if isinstance(batch, CouponBatch) else batch
        batch = CouponBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise CouponBatchNotFound("No such coupon batch.")
        segment = _segment(segment)
        span.set_attribute("coupon_batch.id", batch.pk)
        span.set_attribute("segment.id", segment.pk)
        holders = set(Coupon.objects.filter(batch=batch, assigned_to__isnull=False).values_list("assigned_to_id", flat=True))
        members = sorted(set(segment_member_ids(segment=segment)) - holders)
        free = list(
            Coupon.objects.select_for_update()
            .filter(batch=batch, assigned_to__isnull=True, status=Coupon.Status.ACTIVE, used_count=0)
            .order_by("id")[: len(members)]
        )
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
        qs = Coupon.objects.select_for_update()
        if isinstance(coupon, Coupon):
            found = qs.filter(pk=coupon.pk).first()
        elif isinstance(coupon, str):  # a string is always a code, even an all-digit one
            found = qs.filter(code=normalise_code(coupon)).first()
        else:
            found = qs.filter(pk=coupon).first()
        if found is None:
            raise CouponNotFound("No such coupon.")
        if found.status == Coupon.Status.INVALIDATED:
            return found
        found.status, found.invalidated_at = Coupon.Status.INVALIDATED, timezone.now()
        found.save(update_fields=["status", "invalidated_at"])
        record(events.CouponInvalidated(coupon_id=found.pk, code=found.code, promotion_id=found.promotion_id,
                                        used_count=found.used_count))
        return found


# --- campaigns --------------------------------------------------------------------------------------
CAMPAIGN_FIELDS = ("name", "description", "starts_at", "ends_at", "budget_amount", "currency")


def _validate_campaign(values: dict, *, spent: Decimal = Decimal(0)) -> dict:
    errors: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the campaign a name."]
    elif len(name) > 120:
        errors["name"] = ["At most 120 characters."]
    values["name"] = name
    if not values.get("starts_at"):
        errors["starts_at"] = ["Say when it starts."]
    elif values.get("ends_at") and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = ["Ends after it starts."]
    if values.get("currency") not in MINOR_UNITS:
        errors["currency"] = ["Unknown currency."]
    budget = values.get("budget_amount")
    if budget in (None, ""):
        values["budget_amount"] = None
    else:
        try:
            budget = Decimal(str(budget))
        except (InvalidOperation, ValueError):
            budget = None
        if budget is None or not budget.is_finite() or budget <= 0 or budget != budget.quantize(Decimal("0.01")):
            errors["budget_amount"] = ["An amount above zero with at most two decimals, or empty for no budget."]
        elif values.get("currency") in MINOR_UNITS and budget != budget.quantize(minor_unit(values["currency"])):
            errors["budget_amount"] = [f"At most {MINOR_UNITS[values['currency']]} decimal places in {values['currency']}."]
        elif budget < spent:
            errors["budget_amount"] = [f"Already {spent} spent; the budget cannot be lower."]
        values["budget_amount"] = budget
    if errors:
        raise CampaignInvalid(f"The campaign is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return values


def campaign_create(
    *, name: str, starts_at: datetime.datetime, ends_at: datetime.datetime | None = None,
    budget_amount: Decimal | None = None, currency: str = "EUR", description: str = "",
) -> Campaign:
    """A campaign in draft: its promotions do not apply until it is launched."""
    with telemetry.command_span("commerce.campaign.create") as span, transaction.atomic():
        values = _validate_campaign({"name": name, "starts_at": starts_at, "ends_at": ends_at,
                                     "budget_amount": budget_amount, "currency": currency, "description": description or ""})
        campaign = Campaign.objects.create(status=CS.DRAFT, **values)
        span.set_attribute("campaign.id", campaign.pk)
        record(events.CampaignCreated(
            campaign_id=campaign.pk, name=campaign.name, starts_at=campaign.starts_at.isoformat(),
            ends_at=_iso(campaign.ends_at), budget_amount=_jsonable(campaign.budget_amount), currency=campaign.currency,
        ))
        _rules_changed()
        return campaign


def campaign_update(*, campaign: Campaign | int, data: dict) -> Campaign:
    """Change a campaign's name, dates, budget (never below what is spent) or currency (before any spend)."""
    unknown = set(data) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.campaign.update") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status == CS.ENDED:
            raise InvalidTransition("The campaign has ended; it cannot change.", extra={"status": campaign.status})
        before = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS}
        values = _validate_campaign({**before, **data}, spent=campaign.spent_amount)
        if values["currency"] != campaign.currency and (campaign.spent_amount or campaign.promotions.exists()):
            raise CampaignInvalid("The campaign has promotions; its currency cannot change.",
                                  fields={"currency": ["Cannot change once it has promotions."]})
        changes = {f: [_jsonable(before[f]), _jsonable(values[f])] for f in CAMPAIGN_FIELDS if before[f] != values[f]}
        if not changes:
            return campaign
        for f in changes:
            setattr(campaign, f, values[f])
        if campaign.status in (CS.SCHEDULED, CS.ACTIVE):
            status = _campaign_status(campaign, timezone.now())
            if status != campaign.status:
                changes["status"] = [campaign.status, status]
                campaign.status = status
                if status == CS.ENDED:
                    campaign.ended_at = timezone.now()
        campaign.save()
        record(events.CampaignUpdated(campaign_id=campaign.pk, name=campaign.name, changes=changes))
        _rules_changed()
        return campaign


def _campaign_status(campaign: Campaign, now) -> str:
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return CS.ENDED
    if campaign.starts_at > now:
        return CS.SCHEDULED
    return CS.ACTIVE


def campaign_launch(*, campaign: Campaign | int, now: datetime.datetime | None = None) -> Campaign:
    """Draft -> scheduled (starts later) or active. Already launched: unchanged. Ended: refused."""
    now = now or timezone.now()
    with telemetry.command_span("commerce.campaign.launch") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status in (CS.SCHEDULED, CS.ACTIVE):
            return campaign
        if campaign.status not in CAMPAIGN_TRANSITIONS["launch"]:
            raise InvalidTransition("The campaign has ended; it cannot be launched again.",
                                    extra={"status": campaign.status, "action": "launch"})
        status = _campaign_status(campaign, now)
        if status == CS.ENDED:
            raise InvalidTransition("Its end date has passed; change the dates first.",
                                    extra={"status": campaign.status, "action": "launch"})
        campaign.status, campaign.launched_at = status, now
        campaign.save(update_fields=["status", "launched_at", "updated_at"])
        record(events.CampaignLaunched(campaign_id=campaign.pk, name=campaign.name, status=status))
        _rules_changed()
        return campaign


def campaign_end(*, campaign: Campaign | int) -> Campaign:
    """End a campaign now: its promotions stop applying. Already ended: unchanged."""
    with telemetry.command_span("commerce.campaign.end") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status == CS.ENDED:
            return campaign
        previous = campaign.status
        campaign.status, campaign.ended_at = CS.ENDED, timezone.now()
        campaign.save(update_fields=["status", "ended_at", "updated_at"])
        record(events.CampaignEnded(campaign_id=campaign.pk, name=campaign.name, previous_status=previous,
                                    spent_amount=str(campaign.spent_amount)))
        _rules_changed()
        return campaign


# --- segments ---------------------------------------------------------------------------------------
SEGMENT_FIELDS = ("code", "name", "description", "group", "sales_region", "min_lifetime_value", "rfm_label")
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


def _validate_segment(values: dict, *, instance: Segment | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind not in Segment.Kind.values:
        errors["kind"] = [f"One of: {', '.join(Segment.Kind.values)}."]
    code = (values.get("code") or "").strip()
    if not _SLUG_RE.match(code):
        errors["code"] = ["Letters, digits, '-' and '_', at most 60."]
    elif Segment.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        errors["code"] = ["Already in use."]
    values["code"] = code
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = ["A name of at most 120 characters."]
    values["name"] = name
    for field_name, model in (("group", Group), ("sales_region", SalesRegion)):
        value = values.get(field_name)
        if value not in (None, "") and not isinstance(value, model):
            value = model.objects.filter(pk=value).first()
            if value is None:
                errors[field_name] = ["Unknown."]
        values[field_name] = value or None
    ltv = values.get("min_lifetime_value")
    if ltv in (None, ""):
        values["min_lifetime_value"] = None
    else:
        try:
            values["min_lifetime_value"] = Decimal(str(ltv))
            if values["min_lifetime_value"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["min_lifetime_value"] = ["An amount, zero or more."]
    values["rfm_label"] = values.get("rfm_label") or ""
    if values["rfm_label"] and values["rfm_label"] not in Segment.RfmLabel.values:
        errors["rfm_label"] = [f"One of: {', '.join(Segment.RfmLabel.values)}."]
    required = {Segment.Kind.GROUP: "group", Segment.Kind.SALES_REGION: "sales_region",
                Segment.Kind.LIFETIME_VALUE: "min_lifetime_value", Segment.Kind.RFM: "rfm_label"}
    for k, field_name in required.items():
        if kind == k and not values.get(field_name) and field_name not in errors:
            errors[field_name] = ["Required for this kind of segment."]
        if kind != k and values.get(field_name) and field_name not in errors:
            errors[field_name] = ["Only for the kind that uses it."]
    if errors:
        raise SegmentInvalid(f"The segment is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return values


def _enqueue_refresh(segment: Segment) -> None:
    if segment.is_dynamic:
        from promotions.tasks import segment_refresh_task

        segment_id = segment.pk
        transaction.on_commit(lambda: segment_refresh_task.delay(segment_id))


def segment_create(*, code: str, name: str, kind: str, **fields) -> Segment:
    """A segment; dynamic kinds (lifetime value, RFM) are computed by a task queued on commit."""
    unknown = set(fields) - set(SEGMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown segment fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.segment.create", attributes={"segment.kind": kind}) as span, transaction.atomic():
        values = _validate_segment({"description": "", **fields, "code": code, "name": name, "kind": kind})
        segment = Segment.objects.create(**values)
        span.set_attribute("segment.id", segment.pk)
        record(events.SegmentCreated(segment_id=segment.pk, code=segment.code, kind=segment.kind, name=segment.name))
        _enqueue_refresh(segment)
        _rules_changed()
        return segment


def segment_update(*, segment: Segment | int, data: dict) -> Segment:
    """Change a segment's name, code or criteria (not its kind)."""
    if "kind" in data:
        raise SegmentInvalid("A segment's kind cannot change; create a new segment.", fields={"kind": ["Cannot change."]})
    unknown = set(data) - set(SEGMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown segment fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.segment.update") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        before = {f: getattr(segment, f) for f in SEGMENT_FIELDS}
        values = _validate_segment({**before, **data, "kind": segment.kind}, instance=segment)
        changes = {f: [_jsonable(before[f]), _jsonable(values[f])] for f in SEGMENT_FIELDS
                   if _jsonable(before[f]) != _jsonable(values[f])}
        if not changes:
            return segment
        for f in changes:
            setattr(segment, f, values[f])
        segment.save()
        record(events.SegmentUpdated(segment_id=segment.pk, code=segment.code, changes=changes))
        if {"min_lifetime_value", "rfm_label"} & set(changes):
            _enqueue_refresh(segment)
        _rules_changed()
        return segment


def segment_members_set(*, segment: Segment | int, customers: Iterable) -> int:
    """Replace a manual segment's members with ``customers`` (users or ids). Returns the count."""
    with telemetry.command_span("commerce.segment.members_set") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        if segment.kind != Segment.Kind.MANUAL:
            raise SegmentInvalid("Only a hand-picked segment lists its members.", code="segment_not_manual")
        wanted = {c.pk if hasattr(c, "pk") else int(c) for c in customers}
        known = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if known != wanted:
            missing = sorted(wanted - known)
            raise SegmentInvalid(f"Unknown customers: {', '.join(map(str, missing))}.",
                                 fields={"customers": ["Unknown customers."]})
        current = set(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True))
        removed, added = current - wanted, wanted - current
        if removed:
            SegmentMembership.objects.filter(segment=segment, customer_id__in=removed).delete()
        SegmentMembership.objects.bulk_create([SegmentMembership(segment=segment, customer_id=c) for c in sorted(added)])
        segment.member_count, segment.refreshed_at = len(wanted), timezone.now()
        segment.save(update_fields=["member_count", "refreshed_at"])
        record(events.SegmentMembersSet(segment_id=segment.pk, code=segment.code, added=len(added), removed=len(removed),
                                        member_count=len(wanted)))
        return len(wanted)


def segment_refresh(*, segment: Segment | int, now: datetime.datetime | None = None) -> int:
    """Recompute a segment and return its member count.

    Dynamic kinds replace their membership rows in this transaction (with the recency, frequency
    and monetary figures they were computed from); the other kinds only update ``member_count``.
    The rules (lifetime value and RFM labels) are in ``promotions.selectors.dynamic_segment_members``.
    """
    from promotions.selectors import dynamic_segment_members, segment_member_ids

    now = now or timezone.now()
    with telemetry.command_span("commerce.segment.refresh") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        added = removed = 0
        if segment.is_dynamic:
            members = dynamic_segment_members(segment=segment, now=now)
            existing = {m.customer_id: m for m in SegmentMembership.objects.filter(segment=segment)}
            gone = set(existing) - set(members)
            if gone:
                SegmentMembership.objects.filter(segment=segment, customer_id__in=gone).delete()
            kept = []
            for customer_id, facts in members.items():
                row = existing.get(customer_id)
                if row is not None and (row.recency_days, row.frequency, row.monetary) != facts:
                    row.recency_days, row.frequency, row.monetary = facts
                    kept.append(row)
            SegmentMembership.objects.bulk_update(kept, ["recency_days", "frequency", "monetary"], batch_size=500)
            new = [SegmentMembership(segment=segment, customer_id=c, recency_days=f[0], frequency=f[1], monetary=f[2])
                   for c, f in sorted(members.items()) if c not in existing]
            SegmentMembership.objects.bulk_create(new, batch_size=1000)
            added, removed, count = len(new), len(gone), len(members)
        else:
            count = len(segment_member_ids(segment=segment))
        changed = segment.refreshed_at is None or added or removed or count != segment.member_count
        segment.member_count, segment.refreshed_at = count, now
        segment.save(update_fields=["member_count", "refreshed_at"])
        span.set_attribute("segment.member_count", count)
        if changed:  # a nightly refresh that finds the same members is not a change of state
            record(events.SegmentRefreshed(segment_id=segment.pk, code=segment.code, added=added, removed=removed,
                                           member_count=count, refreshed_at=now.isoformat()))
        return count


def segments_refresh_all(*, now: datetime.datetime | None = None) -> dict:
    """Refresh every segment, each in its own transaction. Returns ``{code: member count}``."""
    now = now or timezone.now()
    return {
        segment.code: segment_refresh(segment=segment.pk, now=now)
        for segment in Segment.objects.order_by("id").only("pk", "code")
    }


# --- the schedule -----------------------------------------------------------------------------------
def promotions_sync_schedule(*, now: datetime.datetime | None = None) -> dict:
    """Beat: flip statuses by time and record why. Returns what changed, by kind.

    Promotions: scheduled -> active when ``valid_from`` has come; scheduled or active -> expired
    when ``valid_to`` has passed. Campaigns: scheduled -> active at ``starts_at``; scheduled or
    active -> ended at ``ends_at``.
    """
    now = now or timezone.now()
    with telemetry.command_span("commerce.promotion.sync_schedule") as span, transaction.atomic():
        # Locks as the checkout takes them (``provider._lock``): every campaign concerned, then
        # every promotion concerned, each in one query in id order, so the two never deadlock.
        campaigns = list(
            Campaign.objects.select_for_update()
            .filter(Q(status__in=[CS.SCHEDULED, CS.ACTIVE], ends_at__lte=now) | Q(status=CS.SCHEDULED, starts_at__lte=now))
            .order_by("id")
        )
        promotions = list(
            Promotion.objects.select_for_update()
            .filter(Q(status__in=[PS.SCHEDULED, PS.ACTIVE], valid_to__lte=now) | Q(status=PS.SCHEDULED, valid_from__lte=now))
            .order_by("id")
        )
        to_record = []
        expiring = [p for p in promotions if p.valid_to is not None and p.valid_to <= now]
        for p in expiring:
            to_record.append(events.PromotionExpired(promotion_id=p.pk, name=p.name, previous_status=p.status,
                                                     valid_to=_iso(p.valid_to)))
        Promotion.objects.filter(pk__in=[p.pk for p in expiring]).update(status=PS.EXPIRED, updated_at=now)
        starting = [p for p in promotions if p not in expiring and p.status == PS.SCHEDULED]
        for p in starting:
            to_record.append(events.PromotionStarted(promotion_id=p.pk, name=p.name))
        Promotion.objects.filter(pk__in=[p.pk for p in starting]).update(status=PS.ACTIVE, updated_at=now)

        ending = [c for c in campaigns if c.ends_at is not None and c.ends_at <= now]
        for c in ending:
            to_record.append(events.CampaignEnded(campaign_id=c.pk, name=c.name, previous_status=c.status,
                                                  spent_amount=str(c.spent_amount)))
        Campaign.objects.filter(pk__in=[c.pk for c in ending]).update(status=CS.ENDED, ended_at=now, updated_at=now)
        campaigns_starting = [c for c in campaigns if c not in ending and c.status == CS.SCHEDULED]
        for c in campaigns_starting:
            to_record.append(events.CampaignStarted(campaign_id=c.pk, name=c.name))
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns_starting]).update(status=CS.ACTIVE, updated_at=now)

        result = {
            "promotions_started": len(starting), "promotions_expired": len(expiring),
            "campaigns_started": len(campaigns_starting), "campaigns_ended": len(ending),
        }
        if to_record:
            record_many(to_record)
            _rules_changed()
        span.set_attributes({f"promotions.{k}": v for k, v in result.items()})
        return result
