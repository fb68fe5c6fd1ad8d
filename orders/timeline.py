"""What an order's events mean, in one place: the read model, the order page, the admin and the API
read the order stream through this module.

- the status an event moves the order to (``STATUS_BY_EVENT``) and whether a payment event is cash
  collected on delivery (``cash_collected``): what ``orders.read_model`` folds into ``OrderSummary``;
- the shopper's timeline on the order page (``timeline_entry``: a label, a detail and a tone);
- the staff's one line per event on the admin order page (``payload_summary``);
- the API's ``details`` of each event (``event_details``: the payload without the order's ids);
- the audit trail's sentence of an order event (``audit_words``, registered with ``commerce.audit.wording``).

The events themselves come from ``orders.selectors.order_timeline`` (the order's stream, in order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.text import Truncator

from commerce.money_format import money_text
from orders.models import Order, Payment

S = Order.Status

STATUS_BY_EVENT = {
    "orders.order.confirmed": S.CONFIRMED,
    "orders.order.paid": S.PAID,
    "orders.order.inventory_allocated": S.ALLOCATED,
    "orders.order.ready_to_ship": S.READY_TO_SHIP,
    "orders.order.shipped": S.SHIPPED,
    "orders.order.delivered": S.DELIVERED,
    "orders.order.completed": S.COMPLETED,
    "orders.order.cancelled": S.CANCELLED,
    "orders.order.voided": S.VOIDED,
}

#: payload keys that only say which order (and whose) an event is about
ORDER_ID_KEYS = frozenset({"order_id", "order_number", "customer_id"})


def cash_collected(payload: dict) -> bool:
    """A payment event that records cash taken on delivery (the order is paid then)."""
    return payload.get("gateway") == "cod" and payload.get("status") == Payment.Status.CAPTURED


# --- the shopper's timeline (order page) ------------------------------------------------------------
@dataclass
class TimelineEntry:
    label: str
    detail: str
    at: datetime
    tone: str = "ok"  # ok, muted (cancelled), bad (a payment that failed)


def _amount(payload: dict, key: str = "amount") -> str:
    try:
        return money_text(payload.get(key, "0"), payload.get("currency") or None, missing="")
    except (TypeError, ValueError):
        return ""


def timeline_entry(event) -> TimelineEntry:
    p, kind = event.payload, event.event_type.rsplit(".", 1)[-1]
    tone = "muted" if kind in ("cancelled", "voided") else "bad" if kind == "refund_failed" else "ok"
    label, detail = {
        "created": ("Order placed", f"Total {_amount(p, 'total_amount')}"),
        "confirmed": ("Order confirmed", ""),
        "paid": ("Paid in full", _amount(p)),
        "inventory_allocated": ("Picked from stock", ""),
        "ready_to_ship": ("Packed and ready to ship", ""),
        "shipped": ("Shipped", ", ".join(x for x in (p.get("carrier"), p.get("tracking_number") and f"tracking {p['tracking_number']}") if x)),
        "delivered": ("Delivered", ""),
        "completed": ("Completed", ""),
        "claimed": ("Added to your account", ""),
        "cancelled": ("Cancelled", p.get("reason", "").capitalize()),
        "voided": ("Checkout voided: nothing was charged", p.get("reason", "").capitalize()),
        "refund_failed": ("Refund failed: nothing was given back yet", (p.get("error_code") or "").replace("_", " ").capitalize()),
        "refunded": ("Refunded" if p.get("full") else "Partly refunded", _amount(p)),
    }.get(kind, (kind.replace("_", " ").capitalize(), ""))
    if event.event_type == "orders.payment.processed":
        status = p.get("status")
        if status == Payment.Status.CAPTURED:
            label = "Cash collected on delivery" if cash_collected(p) else "Payment received"
            detail = _amount(p)
        elif status == Payment.Status.DECLINED:
            reason = p.get("error_code") or ""
            label, tone = "Card declined", "bad"
            detail = "" if reason in ("", "card_declined", "payment_declined") else reason.replace("_", " ").capitalize()
        elif status == Payment.Status.FAILED:
            label, detail, tone = "Payment failed", "Nothing was charged", "bad"
        else:
            label, detail = "Payment " + (Payment.Status(status).label.lower() if status in Payment.Status.values else "update"), _amount(p)
    return TimelineEntry(label=label, detail=detail, at=event.occurred_at, tone=tone)


# --- the staff's timeline in words (admin order page) ----------------------------------------------
_GATEWAYS = {"cod": "cash on delivery", "sandbox": "card", "card": "card"}


def _items(values) -> str:
    return ", ".join(f"{i.get('quantity')} × {i.get('product_code')}" for i in values or () if isinstance(i, dict))


def staff_sentence(event) -> str:
    """What happened, as staff read it: "Paid 21.90 EUR by card — 3 Dec 14:02", "Picked from stock:
    batch LOT-1 × 2 — 3 Dec 14:05". The shopper's words, plus what only staff see (batches, items,
    reasons, the gateway's error)."""
    text = staff_words(event)
    if event.occurred_at is None:
        return text
    at = timezone.localtime(event.occurred_at)
    return f"{text} — {at.day} {at:%b %H:%M}"


def staff_words(event) -> str:
    """``staff_sentence`` without the time (the audit trail has a column for it)."""
    p, kind = event.payload, event.event_type.rsplit(".", 1)[-1]
    entry = timeline_entry(event)
    text = entry.label + (f": {entry.detail}" if entry.detail else "")
    if event.event_type == "orders.payment.processed":
        how = _GATEWAYS.get(p.get("gateway") or "", p.get("gateway") or "")
        if p.get("status") == Payment.Status.CAPTURED and not cash_collected(p):
            text = f"Paid {_amount(p)}" + (f" by {how}" if how else "")
        elif p.get("error_code"):
            text = f"{entry.label} ({how}): {p['error_code'].replace('_', ' ')}" if how else f"{text}: {p['error_code']}"
    elif kind == "created":
        items = _items(p.get("items"))
        text = f"Order placed: {items}; total {_amount(p, 'total_amount')}" if items else text
        method = p.get("payment_method")
        if method:
            text += f", to pay by {_GATEWAYS.get(method, method)}"
    elif kind == "inventory_allocated":
        batches = ", ".join(f"batch {a.get('batch_number')} × {a.get('quantity')}" for a in p.get("allocations") or ()
                            if isinstance(a, dict))
        text = f"{entry.label}: {batches}" if batches else text
    elif kind == "cancelled" and p.get("previous_status"):
        text += f" (was {str(p['previous_status']).replace('_', ' ')})"
    return text


# --- the audit trail's sentence (commerce.audit.wording) -------------------------------------------
#: orders' events the audit trail leaves to the generic sentence on purpose: a cart's steps and the
#: shipping settings read well as their data
GENERIC_EVENTS = frozenset({
    "orders.cart.cleared", "orders.cart.coupon_applied", "orders.cart.coupon_removed", "orders.cart.item_added",
    "orders.cart.item_removed", "orders.cart.merged", "orders.cart.quantity_changed",
    "orders.cart.shipping_method_chosen", "orders.shipping_method.saved", "orders.shipping_holiday.saved",
})


def audit_words(*, event) -> str | None:
    """An order event as the audit trail says it: the order's number, then the staff's words
    ("Order A1B2C3: Paid 45.00 EUR by card")."""
    p = event.payload if isinstance(event.payload, dict) else {}
    if event.event_type == "orders.order.note_added":
        return f"Order {p.get('order_number')}: note added: “{Truncator(p.get('text') or '').chars(120)}”"
    if not event.event_type.startswith(("orders.order.", "orders.payment.")):
        return None
    return f"Order {p.get('order_number')}: {staff_words(event)}"


# --- the staff's summary (admin order page) ---------------------------------------------------------
_STAFF_HIDDEN_KEYS = ORDER_ID_KEYS | {"currency"}  # the currency is shown with each amount


def _summarise_value(key: str, value, currency: str) -> str:
    if key == "items":
        return ", ".join(f"{i.get('quantity')} x {i.get('product_code')}" for i in value)
    if key == "allocations":
        return ", ".join(f"{a.get('batch_number')} x {a.get('quantity')}" for a in value)
    if key == "lines":
        return ", ".join(f"{i.get('quantity')} x {i.get('product_code', i.get('line_id'))}" for i in value)
    if key == "shipping_address" and isinstance(value, dict):
        return ", ".join(str(value[k]) for k in ("recipient", "street", "zip_code", "city", "country") if value.get(k))
    if key.endswith("amount") and currency:
        return f"{value} {currency}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def payload_summary(payload: dict) -> str:
    """One line of what an event says, for staff: ids left out, amounts with their currency."""
    currency = payload.get("currency") or ""
    parts = []
    for key, value in payload.items():
        if key in _STAFF_HIDDEN_KEYS or value in ("", None, [], {}):
            continue
        parts.append(f"{key.replace('_', ' ')}: {_summarise_value(key, value, currency)}")
    return Truncator("; ".join(parts)).chars(300)


# --- the API's details -------------------------------------------------------------------------------
def event_details(payload: dict) -> dict:
    """The event's data as the API shows it: the order's ids left out."""
    return {k: v for k, v in payload.items() if k not in ORDER_ID_KEYS}
