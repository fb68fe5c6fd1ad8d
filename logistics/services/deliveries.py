"""Deliveries: made from orders ready to ship, scheduled, moved along by their route, completed or failed.

pending -> scheduled -> out_for_delivery -> arrived -> delivered | failed; failed -> scheduled
again (another day); pending or scheduled (not on a route) -> cancelled. Going out for delivery is
the route's start (``route_start``); every other step has its service here, declared once in
``TRANSITIONS``.

One delivery per order: the database holds it (``Delivery.order`` is unique), so the reaction to
``orders.order.ready_to_ship`` and the sweep of ``orders_ready_to_ship()`` may race and still make
one; the loser finds the winner's row.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.locks import Kind, lock_get, lock_one
from logistics import events
from logistics.errors import DeliveryInvalid, DeliveryNotFound, DeliveryTransitionInvalid, FailureInvalid
from logistics.geography import Address, Point, haversine_km
from logistics.models import Delivery, DeliveryMethod, FailureReason, OpeningHours, Route, Stop
from logistics.selectors import zone_for
from logistics.services.tracking import route_reestimate
from orders import selectors as orders
from orders.services import lifecycle as order_lifecycle

S = Delivery.Status
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "schedule": (frozenset({S.PENDING, S.SCHEDULED, S.FAILED}), S.SCHEDULED),
    "dispatch": (frozenset({S.SCHEDULED}), S.OUT_FOR_DELIVERY),  # by route_start
    "arrive": (frozenset({S.OUT_FOR_DELIVERY}), S.ARRIVED),
    "deliver": (frozenset({S.OUT_FOR_DELIVERY, S.ARRIVED}), S.DELIVERED),
    "fail": (frozenset({S.OUT_FOR_DELIVERY, S.ARRIVED}), S.FAILED),
    "cancel": (frozenset({S.PENDING, S.SCHEDULED, S.FAILED}), S.CANCELLED),
}
#: the statuses ``delivery_update_status`` sets, and the transition each takes
STATUS_UPDATES = {S.ARRIVED: "arrive", S.CANCELLED: "cancel"}
PARCEL_MAX_KG = Decimal(20)
PARCEL_MAX_L = Decimal(60)
DEFAULT_SERVICE_MINUTES = 5
MAX_DAYS_AHEAD = 60


def check_transition(delivery: Delivery, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if delivery.status not in sources:
        raise DeliveryTransitionInvalid(
            f"Delivery of {delivery.order_number} is {delivery.get_status_display().lower()}; it cannot {action.replace('_', ' ')} now.",
            extra={"status": delivery.status, "action": action},
        )
    return target


def _ids(delivery: Delivery) -> dict:
    return {"delivery_id": delivery.pk, "order_id": delivery.order_id, "order_number": delivery.order_number,
            "customer_id": delivery.customer_id}


def _lock(delivery: Delivery | int) -> Delivery:
    try:
        return lock_get(Kind.DELIVERY, Delivery.objects.filter(pk=delivery.pk if isinstance(delivery, Delivery) else delivery))
    except Delivery.DoesNotExist:
        raise DeliveryNotFound("No such delivery.") from None


def _time(value: datetime.time | None) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def parcels_for(weight_kg: Decimal, volume_l: Decimal) -> int:
    """Parcels of at most 20 kg and 60 litres each; at least one."""
    return max(1, math.ceil(weight_kg / PARCEL_MAX_KG), math.ceil(volume_l / PARCEL_MAX_L))


def next_open_day(*, centre_id: int, after: datetime.date) -> datetime.date | None:
    """The first day after ``after`` the centre dispatches (None: it has no opening hours)."""
    weekdays = set(OpeningHours.objects.filter(centre_id=centre_id).values_list("weekday", flat=True))
    if not weekdays:
        return None
    day = after + datetime.timedelta(days=1)
    while day.weekday() not in weekdays:
        day += datetime.timedelta(days=1)
    return day


# --- made from orders -----------------------------------------------------------------------------
def delivery_create_from_order(*, order_id: int) -> tuple[Delivery | None, bool]:
    """The order's delivery, made now if it has none: ``(delivery, created)``.

    Only an order ready to ship gets one (``(None, False)`` otherwise: the reaction to an event may
    come after the order moved on). The address is located (its own coordinates, else the geocoder),
    its zone found; in a zone it is scheduled for the centre's next open day in the zone's default
    window, else it waits, pending, for a dispatcher. Locating happens before the transaction."""
    existing = Delivery.objects.filter(order_id=order_id).first()
    if existing is not None:
        return existing, False
    facts = orders.order_shipping_facts(order_ids=[order_id])
    if not facts or facts[0].status != "ready_to_ship":
        return None, False
    fact = facts[0]
    snapshot = fact.shipping_address
    address = Address.from_snapshot(snapshot)
    located = address.located()
    zone = zone_for(address=located)
    date = next_open_day(centre_id=zone.centre_id, after=fact.plan_after(timezone.localdate())) if zone is not None else None
    point = located.coordinates
    geocoded_by = (Delivery.GeocodedBy.NONE if point is None
                   else Delivery.GeocodedBy.ADDRESS if address.coordinates is not None else Delivery.GeocodedBy.GEOCODER)
    delivery = Delivery(
        order_id=fact.order_id, order_number=fact.number, customer_id=fact.customer_id, contact_email=fact.contact_email,
        centre_id=zone.centre_id if zone else None, zone=zone,
        recipient=str(snapshot.get("recipient") or "")[:120], street=address.street[:200], city=address.city[:100],
        state=address.state[:100], zip_code=address.zip_code[:20], country=address.country[:2],
        latitude=point.latitude if point else None, longitude=point.longitude if point else None, geocoded_by=geocoded_by,
        weight_kg=fact.weight_kg, volume_l=fact.volume_l, parcels=parcels_for(fact.weight_kg, fact.volume_l),
        service_minutes=zone.service_minutes if zone else DEFAULT_SERVICE_MINUTES,
        method=DeliveryMethod.CASH_ON_DELIVERY if fact.payment_method == "cod" else DeliveryMethod.STANDARD,
        date=date, window_start=zone.window_start if date else None, window_end=zone.window_end if date else None,
        status=S.SCHEDULED if date else S.PENDING,
    )
    with telemetry.command_span("commerce.delivery.create", order_id=order_id):
        try:
            with transaction.atomic():
                delivery.save()
                record(events.DeliveryCreated(
                    **_ids(delivery), status=delivery.status, date=date.isoformat() if date else None,
                    window_start=_time(delivery.window_start), window_end=_time(delivery.window_end),
                    centre_id=delivery.centre_id, zone_id=delivery.zone_id, geocoded_by=geocoded_by,
                    weight_kg=str(delivery.weight_kg), volume_l=str(delivery.volume_l), parcels=delivery.parcels,
                ))
        except IntegrityError:
            # Another sweep or reaction made it first (it committed before our insert failed).
            winner = Delivery.objects.filter(order_id=order_id).first()
            if winner is None:
                raise
            return winner, False
    return delivery, True


def delivery_place(*, delivery: Delivery | int) -> Delivery:
    """A pending delivery outside every zone, tried again (a zone or the centroid table may have come
    since): located, zoned and scheduled like a new one when a zone serves it now; else unchanged."""
    delivery_id = delivery.pk if isinstance(delivery, Delivery) else delivery
    current = Delivery.objects.filter(pk=delivery_id).first()
    if current is None:
        raise DeliveryNotFound("No such delivery.")
    address = Address.of_row(current).located()
    zone = zone_for(address=address)
    date = next_open_day(centre_id=zone.centre_id, after=timezone.localdate()) if zone is not None else None
    if date is None:
        return current
    with telemetry.command_span("commerce.delivery.schedule"), transaction.atomic():
        delivery = _lock(delivery_id)
        if delivery.status != S.PENDING or delivery.zone_id is not None:
            return delivery  # placed meanwhile
        if not delivery.located and address.coordinates is not None:
            delivery.latitude, delivery.longitude = address.coordinates.latitude, address.coordinates.longitude
            delivery.geocoded_by = Delivery.GeocodedBy.GEOCODER
        delivery.zone, delivery.centre_id, delivery.service_minutes = zone, zone.centre_id, zone.service_minutes
        delivery.date, delivery.window_start, delivery.window_end = date, zone.window_start, zone.window_end
        delivery.status = check_transition(delivery, "schedule")
        delivery.save()
        record(events.DeliveryScheduled(**_ids(delivery), date=date.isoformat(), window_start=_time(zone.window_start),
                                        window_end=_time(zone.window_end), previous_status=S.PENDING))
        return delivery


def deliveries_sweep(*, limit: int = 500) -> dict:
    """Make the deliveries of orders ready to ship that have none, and try again to place pending
    ones outside every zone (idempotent): ``{created, existing, skipped, placed}``."""
    ready = list(orders.orders_ready_to_ship().values_list("pk", flat=True)[:limit])
    have = set(Delivery.objects.filter(order_id__in=ready).values_list("order_id", flat=True))
    counts = {"created": 0, "existing": len(have), "skipped": 0, "placed": 0}
    for order_id in ready:
        if order_id in have:
            continue
        delivery, created = delivery_create_from_order(order_id=order_id)
        counts["created" if created else "existing" if delivery else "skipped"] += 1
    for pending in Delivery.objects.filter(status=S.PENDING, zone__isnull=True).order_by("id").values_list("pk", flat=True)[:limit]:
        counts["placed"] += delivery_place(delivery=pending).status == S.SCHEDULED
    return counts


# --- commands -------------------------------------------------------------------------------------
def delivery_schedule(*, delivery: Delivery | int, date: datetime.date, window_start: datetime.time | None = None,
                      window_end: datetime.time | None = None) -> Delivery:
    """Choose the day (and window: the zone's default unless given) of a delivery not on a route."""
    today = timezone.localdate()
    if date < today or date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise DeliveryInvalid(f"Choose a day from today to {MAX_DAYS_AHEAD} days ahead.", fields={"date": ["Out of range."]})
    if (window_start is None) != (window_end is None):
        raise DeliveryInvalid("Give both ends of the window, or neither.", fields={"window_end": ["Give both or neither."]})
    if window_start is not None and window_start >= window_end:
        raise DeliveryInvalid("The window must start before it ends.", fields={"window_end": ["Must be after window_start."]})
    with telemetry.command_span("commerce.delivery.schedule"), transaction.atomic():
        delivery = _lock(delivery)
        previous = delivery.status
        target = check_transition(delivery, "schedule")
        if Stop.objects.filter(holds=delivery).exists():
            raise DeliveryTransitionInvalid(f"Delivery of {delivery.order_number} is on a route; take it off the route first.",
                                            extra={"status": delivery.status, "action": "schedule"})
        if window_start is None:
            if delivery.zone is None:
                raise DeliveryInvalid("This address is in no delivery zone: give the window.",
                                      fields={"window_start": ["Required outside the delivery zones."]})
            window_start, window_end = delivery.zone.window_start, delivery.zone.window_end
        if delivery.centre_id and not OpeningHours.objects.filter(centre_id=delivery.centre_id, weekday=date.weekday()).exists():
            raise DeliveryInvalid(f"The centre does not dispatch on {date:%A}s.", fields={"date": ["The centre is closed."]})
        delivery.date, delivery.window_start, delivery.window_end, delivery.status = date, window_start, window_end, target
        delivery.save(update_fields=["date", "window_start", "window_end", "status", "updated_at"])
        record(events.DeliveryScheduled(**_ids(delivery), date=date.isoformat(), window_start=_time(window_start),
                                        window_end=_time(window_end), previous_status=previous))
        return delivery


def _open_stop_route(delivery_id: int) -> Route | None:
    """Lock the route of the delivery's open stop (routes before deliveries), None without one."""
    route_id = Stop.objects.filter(holds_id=delivery_id).values_list("route_id", flat=True).first()
    return lock_one(Kind.ROUTE, Route.objects.filter(pk=route_id)) if route_id else None


@dataclass(frozen=True)
class Position:
    """Where the driver's phone was when a stop was reached or closed."""

    latitude: Decimal
    longitude: Decimal

    def distance_m(self, delivery: Delivery) -> int | None:
        """Metres (as the crow flies) from the delivery's address; None when the address is not located."""
        if not delivery.located:
            return None
        return round(haversine_km(Point.of(self.latitude, self.longitude), Point.of(delivery.latitude, delivery.longitude)) * 1000)


@dataclass(frozen=True)
class Proof:
    """The proof of delivery brought back: the recipient's name and the stored names of the photo
    and signature pictures (``logistics.services.execution`` cleans and stores them)."""

    recipient_name: str
    photo: str
    signature: str


NO_PROOF = Proof(recipient_name="", photo="", signature="")


def _coordinate(value) -> str | None:
    return None if value is None else str(value)


def _window(delivery: Delivery) -> dict:
    return {"window_start": _time(delivery.window_start), "window_end": _time(delivery.window_end)}


def delivery_update_status(*, delivery: Delivery | int, status: str) -> Delivery:
    """The spec's UpdateDeliveryStatus: ``arrived`` (the driver is at the address; its stop too) or
    ``cancelled`` (not on a route). Delivered and failed have their own commands; out for delivery
    is the route's start."""
    action = STATUS_UPDATES.get(status)
    if action is None:
        raise DeliveryInvalid(f"Set the status to {' or '.join(STATUS_UPDATES)} here.",
                              fields={"status": [f"One of: {', '.join(STATUS_UPDATES)}."]})
    if action == "arrive":
        return delivery_arrive(delivery=delivery)
    delivery_id = delivery.pk if isinstance(delivery, Delivery) else delivery
    with telemetry.command_span(f"commerce.delivery.{action}"), transaction.atomic():
        route = _open_stop_route(delivery_id)
        delivery = _lock(delivery_id)
        previous = delivery.status
        target = check_transition(delivery, action)
        if route is not None:
            raise DeliveryTransitionInvalid(f"Delivery of {delivery.order_number} is on route {route}; take it off first.",
                                            extra={"status": delivery.status, "action": action})
        delivery.status = target
        delivery.save(update_fields=["status", "updated_at"])
        record(events.DeliveryStatusChanged(**_ids(delivery), status=target, previous_status=previous, route_id=None))
        return delivery


def _under_way(delivery_id: int, action: str):
    """Lock the delivery's route and the delivery; check the transition and that the route is under
    way; return (route, stop, delivery, target)."""
    route = _open_stop_route(delivery_id)
    delivery = _lock(delivery_id)
    target = check_transition(delivery, action)
    if route is None or route.state != Route.State.IN_PROGRESS:
        raise DeliveryTransitionInvalid("The delivery's route is not under way.", extra={"status": delivery.status, "action": action})
    return route, Stop.objects.get(holds=delivery), delivery, target


def delivery_arrive(*, delivery: Delivery | int, position: Position | None = None) -> Delivery:
    """The driver is at the address: the delivery and its stop are arrived; the estimates of the
    stops after it follow from here."""
    delivery_id = delivery.pk if isinstance(delivery, Delivery) else delivery
    with telemetry.command_span("commerce.delivery.arrive"), transaction.atomic():
        route, stop, delivery, target = _under_way(delivery_id, "arrive")
        now = timezone.now()
        Stop.objects.filter(pk=stop.pk).update(state=Stop.State.ARRIVED, arrived_at=now)
        delivery.status = target
        delivery.save(update_fields=["status", "updated_at"])
        route_reestimate(route=route)
        record(events.StopArrived(**_ids(delivery), route_id=route.pk, stop_id=stop.pk, sequence=stop.sequence,
                                  arrived_at=now.isoformat(), planned_arrival=stop.planned_arrival.isoformat(), **_window(delivery),
                                  latitude=_coordinate(position and position.latitude),
                                  longitude=_coordinate(position and position.longitude)))
        return delivery


def delivery_complete(*, delivery: Delivery | int, proof: Proof = NO_PROOF, position: Position | None = None) -> Delivery:
    """Delivered: its stop is closed with the proof and the driver's position, and its order marked
    delivered (cash collected on delivery recorded there)."""
    delivery_id = delivery.pk if isinstance(delivery, Delivery) else delivery
    with telemetry.command_span("commerce.delivery.complete"), transaction.atomic():
        route, stop, delivery, target = _under_way(delivery_id, "deliver")
        now = timezone.now()
        distance = position.distance_m(delivery) if position else None
        Stop.objects.filter(pk=stop.pk).update(
            state=Stop.State.DELIVERED, holds=None, completed_at=now, arrived_at=stop.arrived_at or now, estimated_arrival=None,
            recipient_name=proof.recipient_name, proof_photo=proof.photo, proof_signature=proof.signature,
            closed_latitude=position.latitude if position else None, closed_longitude=position.longitude if position else None,
            closed_distance_m=distance)
        delivery.status, delivery.delivered_at = target, now
        delivery.save(update_fields=["status", "delivered_at", "updated_at"])
        order_lifecycle.order_deliver(order=delivery.order_id)
        route_reestimate(route=route)
        record(events.StopCompleted(
            **_ids(delivery), route_id=route.pk, stop_id=stop.pk, sequence=stop.sequence, delivered_at=now.isoformat(),
            arrived_at=(stop.arrived_at or now).isoformat(), planned_arrival=stop.planned_arrival.isoformat(), **_window(delivery),
            recipient_name=proof.recipient_name, photo=proof.photo, signed=bool(proof.signature),
            latitude=_coordinate(position and position.latitude), longitude=_coordinate(position and position.longitude),
            distance_m=distance))
        return delivery


def failure_text(code: str, reason: str) -> str:
    """What a failure says: the driver's words for ``other``, else the reason's label (and the words, if any)."""
    reason = (reason or "").strip()
    if code == FailureReason.OTHER:
        return reason
    label = FailureReason(code).label
    return f"{label}: {reason}" if reason else label


def delivery_fail(*, delivery: Delivery | int, reason: str = "", code: str = FailureReason.OTHER,
                  position: Position | None = None) -> Delivery:
    """Not delivered: its stop is closed with the reason (one of ``FailureReason``; ``other`` with the
    words saying why); the delivery may be scheduled again."""
    if code not in FailureReason.values:
        raise FailureInvalid(f"Choose a reason: {', '.join(FailureReason.values)}.", fields={"reason": ["Not a known reason."]})
    text = failure_text(code, reason)
    if not text or len(text) > 200:
        raise DeliveryInvalid("Say why it failed, in at most 200 characters.", fields={"reason": ["Required, at most 200 characters."]})
    delivery_id = delivery.pk if isinstance(delivery, Delivery) else delivery
    with telemetry.command_span("commerce.delivery.fail"), transaction.atomic():
        route, stop, delivery, target = _under_way(delivery_id, "fail")
        now = timezone.now()
        distance = position.distance_m(delivery) if position else None
        Stop.objects.filter(pk=stop.pk).update(
            state=Stop.State.FAILED, holds=None, completed_at=now, arrived_at=stop.arrived_at or now, estimated_arrival=None,
            failure_code=code, failure_reason=text,
            closed_latitude=position.latitude if position else None, closed_longitude=position.longitude if position else None,
            closed_distance_m=distance)
        delivery.status, delivery.failure_code, delivery.failure_reason = target, code, text
        delivery.save(update_fields=["status", "failure_code", "failure_reason", "updated_at"])
        route_reestimate(route=route)
        record(events.DeliveryFailed(**_ids(delivery), route_id=route.pk, stop_id=stop.pk, code=code, reason=text,
                                     failed_at=now.isoformat(), latitude=_coordinate(position and position.latitude),
                                     longitude=_coordinate(position and position.longitude), distance_m=distance))
        return delivery


def delivery_cancel_for_order(*, order_id: int) -> Delivery | None:
    """The order was cancelled: its delivery, when it has one not yet on its way, is cancelled too."""
    delivery = Delivery.objects.filter(order_id=order_id).first()
    if delivery is None or delivery.status not in TRANSITIONS["cancel"][0] or Stop.objects.filter(holds=delivery).exists():
        return delivery
    return delivery_update_status(delivery=delivery, status=S.CANCELLED)
