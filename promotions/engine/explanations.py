"""Conditions and coupon verdicts: why a promotion does not apply, with the hint of what would qualify."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from commerce.coupon_codes import SIGN_IN_HINT, normalise_coupon_code
from promotions.engine.arithmetic import _bp, _money_text, _percent_text, _units, _units_text
from promotions.engine.benefits import _buy_get_other_plan, _CartIndex, _Targets, _tier
from promotions.engine.types import (
    _FULL,
    BUNDLE_PRICE,
    BUY_X_GET_Y,
    QUANTITY_TIERS,
    REASONS,
    Applied,
    Cart,
    CouponVerdict,
    Rule,
)

# --- conditions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Miss:
    reason: str
    message: str = ""
    hint: str = ""

    @property
    def text(self) -> str:
        return self.message or REASONS[self.reason]


#: why a promotion for some customers does not apply to a guest (the shopper is told to log in or sign up)
SIGN_IN = "For customers with an account: log in or sign up."


def _check(rule: Rule, cart: Cart, cx: _CartIndex, unlocked: dict[int, str], digits: int, targets: _Targets) -> _Miss | None:
    """The first condition of rule 1 that ``rule`` (qualifying ``targets``) fails on this cart, or None."""
    if not rule.live:
        return _Miss("inactive")
    if rule.valid_from is not None or rule.valid_to is not None:
        now = _now(cart)
        if rule.valid_from is not None and now < rule.valid_from:
            return _Miss("not_yet_valid")
        if rule.valid_to is not None and now >= rule.valid_to:
            return _Miss("expired")
    if rule.segment_ids and not (rule.segment_ids & cart.segment_ids):
        # A guest is in no segment: what would help is an account, not "not for you".
        return _Miss("not_for_customer", SIGN_IN) if cart.customer_id is None else _Miss("not_for_customer")
    if rule.requires_coupon and rule.id not in unlocked:
        return _Miss("coupon_required")
    if rule.usage_left is not None and rule.usage_left <= 0:
        return _Miss("usage_limit_reached")
    if rule.customer_usage_left is not None and rule.customer_usage_left <= 0:
        return _Miss("customer_limit_reached")
    if rule.budget_left is not None and rule.budget_left <= 0:
        return _Miss("budget_spent")
    if not targets.idxs:
        return _Miss("no_qualifying_items")
    missing_units = (rule.min_quantity or 0) - targets.units
    missing_amount = (rule.min_subtotal or 0) - targets.subtotal
    if missing_units > 0 or missing_amount > 0:
        needs, hints = [], []
        if missing_units > 0:
            needs.append(f"at least {_units(rule.min_quantity or 0)}")
            hints.append(f"add {_units_text(missing_units)}")
        if missing_amount > 0:
            needs.append(f"a subtotal of at least {_money_text(rule.min_subtotal or 0, digits)}")
            hints.append(f"spend {_money_text(missing_amount, digits)} more")
        hint = " and ".join(hints)
        return _Miss("minimum_not_reached", f"Needs {' and '.join(needs)}.", hint[:1].upper() + hint[1:])
    return _benefit_check(rule, targets, cx, digits)


def _benefit_check(rule: Rule, targets: _Targets, cx: _CartIndex, digits: int) -> _Miss | None:
    """The minimums a benefit itself needs (a full group, a first tier, a full bundle)."""
    benefit = rule.benefit
    if benefit == QUANTITY_TIERS and rule.tiers and _tier(rule, targets.units) is None:
        first = min(rule.tiers, key=lambda t: t.min_quantity)
        return _Miss(
            "minimum_not_reached",
            f"Needs at least {_units(first.min_quantity)}.",
            f"Add {_units_text(first.min_quantity - targets.units)} for {_percent_text(first.percent_bp)}% off",
        )
    if benefit == BUNDLE_PRICE and (rule.bundle_quantity or 0) > targets.units:
        return _Miss(
            "minimum_not_reached",
            f"Needs {_units(rule.bundle_quantity or 0)} for one bundle.",
            f"Add {_units_text(rule.bundle_quantity - targets.units)} to get {rule.bundle_quantity} "
            f"for {_money_text(rule.amount or 0, digits)}",
        )
    if benefit == BUY_X_GET_Y and (rule.get_quantity or 0) > 0:
        buy, get = rule.buy_quantity or 0, rule.get_quantity or 0
        offer = f"{get} free" if _bp(rule.get_percent_bp) == _FULL else f"{get} at {_percent_text(_bp(rule.get_percent_bp))}% off"
        if not rule.get_product_ids:
            if targets.units < buy + get:
                return _Miss(
                    "minimum_not_reached",
                    f"Needs {_units(buy + get)}.",
                    f"Add {_units_text(buy + get - targets.units)} to get {offer}",
                )
            return None
        units, qualifying, offered = _buy_get_other_plan(rule, targets, cx)
        if units:
            return None
        if qualifying < buy:
            return _Miss("minimum_not_reached", f"Needs {_units(buy)}.", f"Add {_units_text(buy - qualifying)} to get {offer}")
        if not offered:
            return _Miss("no_qualifying_items", "None of the offered items is in the cart.", f"Add an offered item to get {offer}")
        return _Miss("minimum_not_reached", f"Needs {_units(buy)} besides the offered ones.")
    return None


def _now(cart: Cart) -> datetime.datetime:
    if cart.now is None:
        raise ValueError("Cart.now is required to check validity windows and coupon expiry")
    return cart.now


# --- coupons -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Code:
    code: str
    rule: Rule | None = None
    verdict: CouponVerdict | None = None  # set when the code fails before the rule is looked at


def _read_codes(cart: Cart, rules_by_id: dict[int, Rule]) -> tuple[list[_Code], dict[int, str]]:
    """Code-level checks in the order entered; returns every code and the promotions they unlock."""
    codes: list[_Code] = []
    unlocked: dict[int, str] = {}
    for info in cart.coupons:
        code = normalise_coupon_code(info.code)
        entry = _Code(code)
        codes.append(entry)

        def refuse(reason: str, message: str, *, entry=entry, info=info, hint: str = "") -> None:
            entry.verdict = CouponVerdict(code=entry.code, accepted=False, reason=reason, message=message,
                                          rule_id=info.promotion_id, hint=hint)

        if info.promotion_id is None:
            entry.verdict = CouponVerdict(code=code, accepted=False, reason="coupon_unknown", message=f"The code {code} is not known.")
        elif info.invalidated:
            refuse("coupon_invalidated", f"The code {code} is no longer valid.")
        elif info.expires_at is not None and _now(cart) >= info.expires_at:
            refuse("coupon_expired", f"The code {code} has expired.")
        elif info.uses_left is not None and info.uses_left <= 0:
            refuse("coupon_exhausted", f"The code {code} has been used up.")
        elif info.assigned_to_id is not None and cart.customer_id is None:
            refuse("coupon_not_yours", f"The code {code} is for a customer account: log in or sign up to use it.",
                   hint=SIGN_IN_HINT)
        elif info.assigned_to_id is not None and info.assigned_to_id != cart.customer_id:
            refuse("coupon_not_yours", f"The code {code} belongs to another customer.")
        elif info.promotion_id in unlocked:
            refuse("coupon_duplicate", f"The code {code} is for the same offer as {unlocked[info.promotion_id]}.")
        elif info.promotion_id not in rules_by_id:
            refuse("coupon_not_applicable", f"The offer of the code {code} is not active.")
        else:
            entry.rule = rules_by_id[info.promotion_id]
            unlocked[info.promotion_id] = code
    return codes, unlocked


_COUPON_REASON_FOR = {"not_yet_valid": "coupon_not_yet_valid", "expired": "coupon_expired"}


def _code_verdict(entry: _Code, outcome: dict[int, object], beaten_by: dict[int, str]) -> CouponVerdict:
    if entry.verdict is not None:
        return entry.verdict
    rule = entry.rule
    code = entry.code
    result = outcome[rule.id]
    if isinstance(result, Applied):
        return CouponVerdict(code=code, accepted=True, rule_id=rule.id)
    if result.reason == "not_combinable":
        better = beaten_by.get(rule.id) or "a better offer"
        return CouponVerdict(
            code=code, accepted=False, reason="coupon_not_combinable", rule_id=rule.id,
            message=f"The code {code} cannot be combined with {better}.",
        )
    reason = _COUPON_REASON_FOR.get(result.reason, "coupon_not_applicable")
    if result.reason == "not_for_customer" and result.message == SIGN_IN:
        message = f"The code {code} is for customers with an account: log in or sign up to use it."
        return CouponVerdict(code=code, accepted=False, reason=reason, message=message, rule_id=rule.id, hint=SIGN_IN_HINT)
    message = {
        "coupon_not_yet_valid": f"The code {code} is not valid yet.",
        "coupon_expired": f"The code {code} has expired.",
    }.get(reason, f"The code {code} does not apply: {result.message}")
    return CouponVerdict(code=code, accepted=False, reason=reason, message=message, rule_id=rule.id, hint=result.hint)
