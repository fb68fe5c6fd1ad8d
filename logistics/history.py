"""A delivery's history in words, for the back office: one sentence per event of its stream, e.g.
"Scheduled for 8 Dec, 09:00-12:00 — 7 Dec 14:02" or "Delivered to Camille (photo, signed), 40 m
from the address — 8 Dec 10:21". Read from the audit table (``commerce.audit.selectors``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from commerce.audit.selectors import stream_events
from logistics.models import Delivery

_STATUS = dict(Delivery.Status.choices)


def _status(value) -> str:
    return str(_STATUS.get(value, str(value or "").replace("_", " "))).lower()


def _day(value) -> str:
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b}"


def _clock(value) -> str:
    text = str(value or "")
    return text[:5] if len(text) >= 5 and text[2] == ":" else text


def _window(p: dict) -> str:
    return f", {_clock(p['window_start'])}-{_clock(p['window_end'])}" if p.get("window_start") and p.get("window_end") else ""


def _far(p: dict) -> str:
    distance = p.get("distance_m")
    return f", {distance} m from the address" if isinstance(distance, int) and distance > 0 else ""


def delivery_sentence(event) -> str:
    at = timezone.localtime(event.occurred_at)
    return f"{delivery_words(event)} — {at.day} {at:%b %H:%M}"


def delivery_words(event) -> str:
    """What happened to the delivery, without the time (the audit trail has a column for it)."""
    p, kind = event.payload, event.event_type
    if kind == "logistics.delivery.created":
        parcels = p.get("parcels")
        text = f"Made from order {p.get('order_number')}: {parcels} parcel{'s' if parcels != 1 else ''}, {p.get('weight_kg')} kg"
        if p.get("date"):
            text += f", for {_day(p['date'])}{_window(p)}"
    elif kind == "logistics.delivery.scheduled":
        text = f"Scheduled for {_day(p.get('date'))}{_window(p)}"
        if p.get("previous_status") and p["previous_status"] != "pending":
            text += f" (was {_status(p['previous_status'])})"
    elif kind == "logistics.delivery.status_changed":
        text = f"Now {_status(p.get('status'))} (was {_status(p.get('previous_status'))})"
    elif kind == "logistics.stop.arrived":
        text = f"Driver arrived (stop {p.get('sequence')}){_far(p)}"
    elif kind == "logistics.stop.completed":
        proof = [what for what, present in (("photo", p.get("photo")), ("signed", p.get("signed"))) if present]
        text = f"Delivered to {p.get('recipient_name') or 'the address'}"
        text += f" ({', '.join(proof)})" if proof else ""
        text += _far(p)
    elif kind == "logistics.delivery.failed":
        reason = p.get("reason") or str(p.get("code") or "").replace("_", " ")
        text = f"Not delivered: {reason}{_far(p)}"
    else:
        text = kind.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    return text


def _route_words(p: dict, kind: str) -> str:
    stops = len(p.get("delivery_ids") or ())
    if kind == "planned":
        text = f"{'replanned' if p.get('replanned') else 'planned'}: {stops} stop{'s' if stops != 1 else ''}"
        return text + (f", {p['distance_km']} km" if p.get("distance_km") is not None else "")
    if kind == "optimised":
        return f"stops put in the best order: {p.get('previous_distance_km')} km → {p.get('distance_km')} km"
    if kind == "assigned":
        return f"driver {p.get('driver_id')} with vehicle {p.get('vehicle_id')} assigned"
    if kind == "started":
        return f"started by driver {p.get('driver_id')}"
    if kind == "completed":
        return f"completed: {p.get('delivered')} delivered, {p.get('failed')} not delivered"
    if kind == "cancelled":
        return "cancelled" + (f": {p['reason']}" if p.get("reason") else "")
    return kind.replace("_", " ")


def _stop_words(p: dict, kind: str) -> str:
    order = f"the stop of order {p.get('order_number')}"
    if kind == "moved":
        return f"{order} moved to position {p.get('position')}" + (
            f" from route {p['from_route_id']}" if p.get("from_route_id") not in (None, p.get("route_id")) else "")
    if kind == "removed":
        return f"{order} taken off the route"
    if kind == "lock_changed":
        return f"{order} {'locked in place' if p.get('locked') else 'unlocked'}"
    return f"{order}: {kind.replace('_', ' ')}"


#: logistics events the audit trail leaves to the generic sentence on purpose: the planner's runs
#: and the fleet's settings read well as their data
GENERIC_EVENTS = frozenset({
    "logistics.plan.requested", "logistics.plan.created", "logistics.plan.failed", "logistics.plan.reoptimised",
    "logistics.plan.night_finished", "logistics.fleet.saved", "logistics.proof_policy.changed",
    "logistics.centroids.loaded",
})


def audit_words(*, event) -> str | None:
    """A delivery's or a route's event as the audit trail says it: what it is about, then what happened
    ("Delivery 12 (order A1B2C3): Delivered to Camille (photo)", "Route R-7 on 8 Dec: started by driver 3")."""
    p = event.payload if isinstance(event.payload, dict) else {}
    if event.stream_type == "delivery":
        return f"Delivery {p.get('delivery_id')} (order {p.get('order_number')}): {delivery_words(event)}"
    kind = event.event_type.rsplit(".", 1)[-1]
    if event.event_type.startswith("logistics.route."):
        return f"Route {p.get('route_number')} on {_day(p.get('date'))}: {_route_words(p, kind)}"
    if event.event_type.startswith("logistics.stop."):
        return f"Route {p.get('route_number')} on {_day(p.get('date'))}: {_stop_words(p, kind)}"
    return None


def delivery_history(*, delivery_id: int) -> list[str]:
    """The delivery's events, oldest first, as sentences."""
    return [delivery_sentence(event) for event in stream_events(stream_type="delivery", stream_id=delivery_id)]
