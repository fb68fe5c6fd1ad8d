"""The catalog's events in words, for the audit trail and a batch's history on the recall page
(``commerce.audit.wording``): "Batch BRIE-2405 of product 12: 120 units received, expires 2026-12-24,
at A-3", "Order A1B2C3 took 2 units of product 12: batch BRIE-2405 × 2"."""

from __future__ import annotations

from commerce.audit.wording import changes_text, value_text

#: the catalog's events the audit trail leaves to the generic sentence on purpose: the search
#: index's rebuild (two counts) reads well as its data
GENERIC_EVENTS = frozenset({"catalog.search_index.rebuilt"})


def _reference(reference) -> str:
    """``order:A1B2C3`` -> ``Order A1B2C3``; another holder as it is named."""
    kind, _, key = str(reference or "").partition(":")
    return f"{kind.replace('_', ' ').capitalize()} {key}" if key else f"Reference {reference or '-'}"


def _units(quantity) -> str:
    return f"{quantity} unit{'' if quantity in (1, -1) else 's'}"


def _allocations(allocations) -> str:
    picks = [f"batch {a.get('batch_number')} × {a.get('quantity')}" for a in allocations or () if isinstance(a, dict)]
    return f": {', '.join(picks)}" if picks else ""


def _stock(p: dict, kind: str) -> str:
    product = f"product {p.get('product_id')}"
    if kind == "adjusted":
        delta = p.get("delta") or 0
        return f"Batch {p.get('batch_number')} of {product} adjusted by {delta:+d}: {p.get('reason') or 'no reason given'}" \
            if isinstance(delta, int) else f"Batch {p.get('batch_number')} of {product} adjusted: {p.get('reason')}"
    if kind == "returned":
        return (f"Batch {p.get('batch_number')} of {product}: {_units(p.get('quantity'))} returned from "
                f"{_reference(p.get('reference'))}" + (f": {p['reason']}" if p.get("reason") else ""))
    verb = {"reserved": "reserved", "consumed": "took", "released": "released"}.get(kind, kind)
    return f"{_reference(p.get('reference'))} {verb} {_units(p.get('quantity'))} of {product}{_allocations(p.get('allocations'))}"


def _product(p: dict, kind: str) -> str:
    product = f"Product {p.get('product_id')}"
    if kind == "created":
        return f"{product} created: {p.get('code')} “{p.get('name')}” at {value_text(p.get('price'))}"
    if kind == "updated":
        return f"{product} changed: {changes_text(p.get('changes'))}"
    if kind == "price_changed":
        return f"{product}: price {value_text(p.get('old_price'))} → {value_text(p.get('new_price'))}"
    if kind == "image_added":
        return f"{product}: image {p.get('image_id')} added at position {p.get('position')} ({p.get('width')}×{p.get('height')})"
    if kind == "image_replaced":
        return f"{product}: image {p.get('image_id')} replaced ({p.get('width')}×{p.get('height')})"
    if kind == "image_updated":
        return f"{product}: image {p.get('image_id')} changed: {changes_text(p.get('changes'))}"
    if kind == "images_reordered":
        return f"{product}: images reordered: {value_text(p.get('old_order'))} → {value_text(p.get('new_order'))}"
    if kind == "image_removed":
        return f"{product}: image {p.get('image_id')} removed"
    return f"{product} {kind.replace('_', ' ')}"


def _alert(p: dict, kind: str) -> str:
    who = f"{p.get('email')} (product {p.get('product_id')})"
    if kind == "requested":
        return f"Back-in-stock alert for {who} requested, {str(p.get('status') or '').replace('_', ' ')}"
    if kind == "sent":
        return f"Back-in-stock mail sent to {who}: {_units(p.get('available'))} available"
    return f"Back-in-stock alert for {who} {kind.replace('_', ' ')}"  # confirmed, cancelled


def audit_words(*, event) -> str | None:
    if not event.event_type.startswith("catalog."):
        return None
    _app, stream, kind = event.event_type.split(".", 2)
    p = event.payload if isinstance(event.payload, dict) else {}
    if stream == "batch" and kind == "received":
        expires = f", expires {p['expires_on']}" if p.get("expires_on") else ""
        location = f", at {p['location']}" if p.get("location") else ""
        return f"Batch {p.get('batch_number')} of product {p.get('product_id')}: {_units(p.get('quantity'))} received{expires}{location}"
    if stream == "stock":
        return _stock(p, kind)
    if stream == "product":
        return _product(p, kind)
    if stream == "stock_alert":
        return _alert(p, kind)
    if stream == "category":
        name = f"Category {p.get('category_id')}"
        if kind == "created":
            return f"{name} created: “{p.get('name')}”" + (f" under category {p['parent_id']}" if p.get("parent_id") else "")
        if kind == "moved":
            return f"{name} moved from {p.get('old_parent_id') or 'the top'} to {p.get('new_parent_id') or 'the top'}"
        return f"{name} changed: {changes_text(p.get('changes'))}"
    if stream == "manufacturer":
        name = f"Manufacturer {p.get('manufacturer_id')}"
        return f"{name} created: “{p.get('name')}”" if kind == "created" else f"{name} changed: {changes_text(p.get('changes'))}"
    return None
