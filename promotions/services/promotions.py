"""Promotion commands: create, update, activate, deactivate, delete (validation first)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.money import MINOR_UNITS, minor_unit
from promotions import events
from promotions.errors import (
    InvalidTransition,
    PromotionInvalid,
)
from promotions.models import (
    Campaign,
    Coupon,
    DiscountClass,
    Promotion,
    PromotionTier,
    Redemption,
    Segment,
)
from promotions.services._common import PS, B, _iso, _jsonable, _promotion, _rules_changed, _same

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


_DECIMAL_FIELDS = ("percent", "amount", "get_percent", "min_subtotal")
_INT_FIELDS = ("priority", "buy_quantity", "get_quantity", "bundle_quantity", "min_quantity", "usage_limit",
               "usage_limit_per_customer")


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


def _checked(*, name, discount_class, benefit_type, tiers, fields: dict) -> tuple[dict, dict, list]:
    """A new promotion's values, relations and tiers as they would be saved, or ``PromotionInvalid``."""
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
    return values, resolved, tier_list


def promotion_check(
    *, name: str, discount_class: str, benefit_type: str, tiers: Sequence[tuple[int, Decimal]] = (), **fields
) -> None:
    """Refuse (``PromotionInvalid``, per field) what ``promotion_create`` would refuse, saving nothing:
    the editor's preview. What only a saved promotion can refuse (uses already counted) is left to
    ``promotion_update``."""
    _checked(name=name, discount_class=discount_class, benefit_type=benefit_type, tiers=tiers, fields=fields)


# --- promotions: commands ---------------------------------------------------------------------------
def promotion_create(
    *, name: str, discount_class: str, benefit_type: str, tiers: Sequence[tuple[int, Decimal]] = (), **fields
) -> Promotion:
    """Create a promotion in status draft, after checking that its benefit's parameters fit its type."""
    with telemetry.command_span("commerce.promotion.create", attributes={"promotion.benefit_type": benefit_type}) as span, \
            transaction.atomic():
        values, resolved, tier_list = _checked(name=name, discount_class=discount_class, benefit_type=benefit_type,
                                               tiers=tiers, fields=fields)
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
