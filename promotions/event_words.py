"""Promotions' events in words, for the audit trail (``commerce.audit.wording``): "Promotion
“Winter 10%” activated (was draft)", "Coupon WINTER-7Q2 redeemed on order A1B2C3 (use 1)"."""

from __future__ import annotations

from commerce.audit.wording import changes_text, value_text
from commerce.money_format import money_text

#: promotions' events the audit trail leaves to the generic sentence on purpose: none today
GENERIC_EVENTS: frozenset[str] = frozenset()


def _money(p: dict, key: str = "amount") -> str:
    try:
        return money_text(p.get(key), p.get("currency") or None)
    except (TypeError, ValueError, ArithmeticError):
        return value_text(p.get(key))


def _was(p: dict) -> str:
    return f" (was {str(p['previous_status']).replace('_', ' ')})" if p.get("previous_status") else ""


def _promotion(p: dict, kind: str) -> str:
    name = f"Promotion “{p.get('name')}”"
    if kind == "created":
        return f"{name} created: {str(p.get('benefit_type') or '').replace('_', ' ')} ({p.get('discount_class')} discount)"
    if kind == "updated":
        return f"{name} changed: {changes_text(p.get('changes'))}"
    if kind == "activated":
        return f"{name} {str(p.get('status') or 'active')}{_was(p)}"
    if kind == "redeemed":
        coupon = f" with coupon {p['coupon_code']}" if p.get("coupon_code") else ""
        return f"{name} gave {_money(p)} off order {p.get('order_number')}{coupon} (use {p.get('usage_count')})"
    if kind == "redemption_reversed":
        return f"{name}: {_money(p)} off order {p.get('order_number')} given back (uses now {p.get('usage_count')})"
    if kind == "deleted":
        return f"{name} {'archived (it has redemptions)' if p.get('archived') else 'deleted'}"
    return f"{name} {kind.replace('_', ' ')}{_was(p)}"  # started, deactivated, expired


def _coupon(p: dict, kind: str) -> str:
    name = f"Coupon {p.get('code')}"
    if kind == "created":
        uses = f", {p['max_uses']} use{'s' if p['max_uses'] != 1 else ''}" if p.get("max_uses") else ""
        who = f", for customer {p['assigned_to_id']}" if p.get("assigned_to_id") else ""
        return f"{name} created for promotion {p.get('promotion_id')}{uses}{who}"
    if kind == "redeemed":
        return f"{name} redeemed on order {p.get('order_number')} (use {p.get('used_count')})"
    if kind == "released":
        return f"{name} given back from order {p.get('order_number')} (uses now {p.get('used_count')})"
    return f"{name} {kind.replace('_', ' ')} after {p.get('used_count')} use(s)"  # invalidated


def _batch(p: dict, kind: str) -> str:
    name = f"Coupon batch {p.get('batch_id')}"
    if kind == "generated":
        prefix = f" starting {p['prefix']}" if p.get("prefix") else ""
        return f"{name}: {p.get('quantity')} codes{prefix} generated for promotion {p.get('promotion_id')}"
    return f"{name}: codes handed to {p.get('assigned')} members of segment {p.get('segment_id')}"  # distributed


def _campaign(p: dict, kind: str) -> str:
    name = f"Campaign “{p.get('name')}”"
    if kind == "created":
        budget = f", budget {_money(p, 'budget_amount')}" if p.get("budget_amount") not in (None, "") else ""
        return f"{name} created{budget}"
    if kind == "updated":
        return f"{name} changed: {changes_text(p.get('changes'))}"
    if kind == "budget_spent":
        order = f" (order {p['order_id']})" if p.get("order_id") else ""
        return f"{name} spent its budget: {_money(p, 'spent_amount')} of {_money(p, 'budget_amount')}{order}"
    if kind == "ended":
        return f"{name} ended{_was(p)}, {value_text(p.get('spent_amount'))} spent"
    if kind == "launched":
        return f"{name} launched: {p.get('status')}"
    return f"{name} {kind.replace('_', ' ')}"


def _segment(p: dict, kind: str) -> str:
    name = f"Segment {p.get('code')}"
    if kind == "created":
        return f"{name} created: “{p.get('name')}” ({p.get('kind')})"
    if kind == "updated":
        return f"{name} changed: {changes_text(p.get('changes'))}"
    verb = "members set" if kind == "members_set" else "refreshed"
    return f"{name} {verb}: {p.get('added')} added, {p.get('removed')} removed, {p.get('member_count')} members"


_BY_STREAM = {"promotion": _promotion, "coupon": _coupon, "coupon_batch": _batch, "campaign": _campaign, "segment": _segment}


def audit_words(*, event) -> str | None:
    if not event.event_type.startswith("promotions."):
        return None
    _app, stream, kind = event.event_type.split(".", 2)
    words = _BY_STREAM.get(stream)
    p = event.payload if isinstance(event.payload, dict) else {}
    return words(p, kind) if words else None
