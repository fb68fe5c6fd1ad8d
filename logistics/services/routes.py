"""Routes: created with their stops in order, assigned a driver and a vehicle, started, completed.

planned (``logistics.route.planned``) -> assigned (driver and vehicle; again to change them) -> in_progress -> completed; a route
not started may be cancelled (re-planning a day replaces those). Declared once in ``TRANSITIONS``. Each command locks the route first, then its deliveries (``commerce.locks``:
routes before deliveries, both before the orders a route moves along), so two dispatchers starting
the same route start it once; the other is told it is under way already.

A route's figures (arrival at each stop, load after it, distance, duration, cost) come from a
``RouteTimeline``: the planner's, when it made the plan, else ``logistics.timeline.evaluate`` of
the order given. Distances are computed before the transaction, never while it holds locks.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.locks import Kind, lock, lock_get
from logistics import events
from logistics.errors import (
    AssignmentInvalid,
    CentreNotFound,
    DeliveryNotRoutable,
    DriverNotFound,
    ResourceBusy,
    RouteInvalid,
    RouteNotFinished,
    RouteNotFound,
    RouteTransitionInvalid,
    VehicleNotFound,
)
from logistics.models import Delivery, DistributionCentre, Driver, OpeningHours, Route, Stop, Vehicle
from logistics.services.deliveries import TRANSITIONS as DELIVERY_TRANSITIONS
from logistics.services.tracking import route_reestimate
from logistics.timeline import RouteTimeline, evaluate, route_cost
from orders import selectors as orders
from orders.services import lifecycle as order_lifecycle

R = Route.State
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "assign": (frozenset({R.PLANNED, R.ASSIGNED}), R.ASSIGNED),
    "start": (frozenset({R.ASSIGNED}), R.IN_PROGRESS),
    "complete": (frozenset({R.IN_PROGRESS}), R.COMPLETED),
    "cancel": (frozenset({R.PLANNED, R.ASSIGNED}), R.CANCELLED),
}
PAST = {"assign": "assigned", "start": "started", "complete": "completed", "cancel": "cancelled"}
MAX_STOPS = 300
OWN_FLEET = "Own fleet"
#: the order statuses a delivery may go out with: ready (shipped now) or shipped (a delivery tried again)
SHIPPABLE_ORDERS = ("ready_to_ship", "shipped")


def check_transition(route: Route, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if route.state not in sources:
        raise RouteTransitionInvalid(
            f"Route {route.number} is {route.get_state_display().lower()}; it cannot be {PAST[action]} now.",
            extra={"state": route.state, "action": action},
        )
    return target


def _ids(route: Route) -> dict:
    return {"route_id": route.pk, "route_number": route.number, "centre_id": route.centre_id, "date": route.date.isoformat()}


def _lock(route: Route | int) -> Route:
    try:
        return lock_get(Kind.ROUTE, Route.objects.filter(pk=route.pk if isinstance(route, Route) else route))
    except Route.DoesNotExist:
        raise RouteNotFound("No such route.") from None


def _new_number(centre: DistributionCentre, date: datetime.date) -> str:
    return f"R{date:%y%m%d}-{centre.code.upper()[:12]}-{secrets.token_hex(3).upper()}"


def _routable(delivery: Delivery, *, centre_id: int, date: datetime.date) -> str | None:
    """Why the delivery cannot go on a route of this centre and day (None: it can)."""
    if delivery.status != Delivery.Status.SCHEDULED:
        return f"it is {delivery.get_status_display().lower()}"
    if delivery.date != date:
        return f"it is scheduled for {delivery.date}"
    if delivery.centre_id != centre_id:
        return "it belongs to another centre"
    if not delivery.located:
        return "its address is not located"
    return None


# --- create ---------------------------------------------------------------------------------------
def route_create(*, centre: DistributionCentre | int, date: datetime.date, delivery_ids: list[int],
                 timeline: RouteTimeline | None = None, driver: Driver | None = None,
                 vehicle: Vehicle | None = None) -> Route:
    """A planned route of ``centre`` on ``date`` visiting the deliveries in the order given.

    ``timeline``: the figures of that order when the planner computed them; without one they are
    evaluated here, leaving when the centre opens (or later, to reach the first stop as its window opens).
    ``driver`` and ``vehicle`` (both or neither): assigned at once, as ``route_assign`` would (the planner's
    routes; no route lock is taken after the deliveries')."""
    centre_id = centre.pk if isinstance(centre, DistributionCentre) else centre
    centre = DistributionCentre.objects.filter(pk=centre_id, is_active=True).first()
    if centre is None:
        raise CentreNotFound("No such distribution centre.")
    if not delivery_ids or len(delivery_ids) > MAX_STOPS:
        raise RouteInvalid(f"A route has 1 to {MAX_STOPS} stops.", fields={"delivery_ids": [f"1 to {MAX_STOPS} deliveries."]})
    if len(set(delivery_ids)) != len(delivery_ids):
        raise RouteInvalid("A delivery appears twice.", fields={"delivery_ids": ["Each delivery once."]})
    hours = OpeningHours.objects.filter(centre=centre, weekday=date.weekday()).first()
    if hours is None:
        raise RouteInvalid(f"{centre.name} does not dispatch on {date:%A}s.", fields={"date": ["The centre is closed that day."]})
    by_id = {d.pk: d for d in Delivery.objects.select_related("zone").filter(pk__in=delivery_ids)}
    missing = [pk for pk in delivery_ids if pk not in by_id]
    if missing:
        raise DeliveryNotRoutable(f"No delivery {missing[0]}.", fields={"delivery_ids": [f"No delivery {missing[0]}."]})
    ordered = [by_id[pk] for pk in delivery_ids]
    for delivery in ordered:
        reason = _routable(delivery, centre_id=centre.pk, date=date)
        if reason:
            raise DeliveryNotRoutable(f"Delivery of {delivery.order_number} cannot go on this route: {reason}.",
                                      extra={"delivery_id": delivery.pk})
    if timeline is None:  # distances before the transaction: a real matrix provider may be slow
        timeline = evaluate(centre=centre, date=date, departs=hours.opens, deliveries=ordered)
    if [figures.delivery_id for figures in timeline.stops] != list(delivery_ids):
        raise RouteInvalid("The timeline does not visit the deliveries given, in their order.")

    with telemetry.command_span("commerce.route.create", centre_id=centre.pk), transaction.atomic():
        locked = {d.pk: d for d in lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=delivery_ids))}
        for pk in delivery_ids:  # what was checked may have changed before the locks
            reason = _routable(locked[pk], centre_id=centre.pk, date=date)
            if reason is None and Stop.objects.filter(holds_id=pk).exists():
                reason = "it is on another route"
            if reason:
                raise DeliveryNotRoutable(f"Delivery of {locked[pk].order_number} cannot go on this route: {reason}.",
                                          extra={"delivery_id": pk})
        route = Route.objects.create(
            number=_new_number(centre, date), centre=centre, date=date, state=R.PLANNED,
            departs_at=timeline.departs_at, returns_at=timeline.returns_at, distance_km=timeline.distance_km,
            duration_minutes=timeline.duration_minutes, cost_amount=route_cost(vehicle=None, distance_km=timeline.distance_km,
                                                                            duration_minutes=timeline.duration_minutes),
        )
        Stop.objects.bulk_create([
            Stop(route=route, delivery_id=figures.delivery_id, holds_id=figures.delivery_id, sequence=sequence,
                 planned_arrival=figures.planned_arrival, distance_from_previous_km=figures.distance_from_previous_km,
                 load_after_kg=figures.load_after_kg, load_after_l=figures.load_after_l,
                 load_after_parcels=figures.load_after_parcels)
            for sequence, figures in enumerate(timeline.stops, start=1)
        ])
        record(events.RoutePlanned(**_ids(route), replanned=False, version=route.version, delivery_ids=list(delivery_ids),
                                   distance_km=str(route.distance_km), duration_minutes=route.duration_minutes,
                                   cost_amount=str(route.cost_amount), currency=route.currency))
        if driver is not None and vehicle is not None:
            route = _assign(route, driver, vehicle, target=R.ASSIGNED)
        return route


# --- assign ---------------------------------------------------------------------------------------
def _assignment_problem(route: Route, driver: Driver, vehicle: Vehicle) -> dict[str, str]:
    problems = {}
    if not driver.is_active:
        problems["driver_id"] = "This driver is not active."
    elif driver.home_centre_id != route.centre_id:
        problems["driver_id"] = "This driver works from another centre."
    else:
        shift = driver.shifts.filter(date=route.date).first()
        if shift is None:
            problems["driver_id"] = f"This driver has no shift on {route.date}."
        elif not (shift.starts <= timezone.localtime(route.departs_at).time()
                  and timezone.localtime(route.returns_at).time() <= shift.ends):
            problems["driver_id"] = f"The shift ({shift.starts:%H:%M}-{shift.ends:%H:%M}) does not cover the route."
        elif not driver.may_drive(vehicle):
            problems["driver_id"] = f"This driver's licence ({driver.licence_class}) does not cover the vehicle."
    if not vehicle.is_active or vehicle.unavailable_days.filter(date=route.date).exists():
        problems["vehicle_id"] = f"This vehicle is not available on {route.date}."
    elif vehicle.centre_id != route.centre_id:
        problems["vehicle_id"] = "This vehicle belongs to another centre."
    else:
        first = route.stops.order_by("sequence").first()
        if first is not None:
            load = (first.load_after_kg + first.delivery.weight_kg, first.load_after_l + first.delivery.volume_l,
                    first.load_after_parcels + first.delivery.parcels)
            if load[0] > vehicle.capacity_kg or load[1] > vehicle.capacity_l or load[2] > vehicle.capacity_parcels:
                problems["vehicle_id"] = (f"The load ({load[0]} kg, {load[1]} l, {load[2]} parcels) exceeds the vehicle's "
                                          f"capacity ({vehicle.capacity_kg} kg, {vehicle.capacity_l} l, {vehicle.capacity_parcels}).")
    return problems


def route_assign(*, route: Route | int, driver: Driver | int, vehicle: Vehicle | int) -> Route:
    """Give the route its driver and vehicle (again, to change them, until it starts); the cost
    is worked out with the vehicle's rates."""
    driver_id = driver.pk if isinstance(driver, Driver) else driver
    vehicle_id = vehicle.pk if isinstance(vehicle, Vehicle) else vehicle
    driver = Driver.objects.filter(pk=driver_id).first()
    if driver is None:
        raise DriverNotFound("No such driver.")
    vehicle = Vehicle.objects.filter(pk=vehicle_id).first()
    if vehicle is None:
        raise VehicleNotFound("No such vehicle.")
    with telemetry.command_span("commerce.route.assign"), transaction.atomic():
        route = _lock(route)
        return _assign(route, driver, vehicle, target=check_transition(route, "assign"))


def _assign(route: Route, driver: Driver, vehicle: Vehicle, *, target: str) -> Route:
    """Give ``route`` (locked, or new in this transaction) its driver and vehicle, with the event."""
    problems = _assignment_problem(route, driver, vehicle)
    if problems:
        raise AssignmentInvalid(" ".join(problems.values()), fields={k: [v] for k, v in problems.items()})
    busy = Route.objects.filter(date=route.date).exclude(pk=route.pk)
    if busy.filter(driver=driver).exists() or busy.filter(vehicle=vehicle).exists():
        raise ResourceBusy(f"The driver or the vehicle has another route on {route.date}.")
    previous_driver, previous_vehicle = route.driver_id, route.vehicle_id
    route.driver, route.vehicle, route.state = driver, vehicle, target
    route.currency = vehicle.currency
    route.cost_amount = route_cost(vehicle=vehicle, distance_km=route.distance_km, duration_minutes=route.duration_minutes)
    try:
        with transaction.atomic():  # the unique (driver, date) and (vehicle, date) settle a race the check above lost
            route.save(update_fields=["driver", "vehicle", "state", "currency", "cost_amount", "updated_at"])
    except IntegrityError:
        raise ResourceBusy(f"The driver or the vehicle has another route on {route.date}.") from None
    record(events.RouteAssigned(**_ids(route), driver_id=driver.pk, vehicle_id=vehicle.pk,
                                previous_driver_id=previous_driver, previous_vehicle_id=previous_vehicle))
    return route


# --- start and complete ---------------------------------------------------------------------------
def route_start(*, route: Route | int) -> Route:
    """Under way: its deliveries go out for delivery, and their orders are shipped (own fleet,
    tracked by the route number) unless shipped already (a delivery tried again)."""
    with telemetry.command_span("commerce.route.start"), transaction.atomic():
        route = _lock(route)
        target = check_transition(route, "start")
        delivery_ids = list(Stop.objects.filter(route=route, holds__isnull=False).values_list("delivery_id", flat=True))
        deliveries = lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=delivery_ids))
        sources, out = DELIVERY_TRANSITIONS["dispatch"]
        stale = [d for d in deliveries if d.status not in sources]
        if stale:
            raise DeliveryNotRoutable(f"Delivery of {stale[0].order_number} is {stale[0].get_status_display().lower()}.",
                                      extra={"delivery_id": stale[0].pk})
        facts = orders.order_shipping_facts(order_ids=sorted(d.order_id for d in deliveries))
        gone = [fact for fact in facts if fact.status not in SHIPPABLE_ORDERS]
        if gone:  # cancelled (or refunded) since it was routed: the route is re-planned without it
            raise DeliveryNotRoutable(f"Order {gone[0].number} is {gone[0].status.replace('_', ' ')}; cancel the route and "
                                      "plan it again without it.", extra={"order_number": gone[0].number})
        now = timezone.now()
        route.state, route.started_at = target, now
        route.save(update_fields=["state", "started_at", "updated_at"])
        Delivery.objects.filter(pk__in=delivery_ids).update(status=out, updated_at=now)
        for fact in facts:  # in order id order: the orders' locks are taken one by one
            if fact.status == "ready_to_ship":
                order_lifecycle.order_ship(order=fact.order_id, carrier=OWN_FLEET, tracking_number=route.number)
        route_reestimate(route=route)
        record_many([
            events.RouteStarted(**_ids(route), driver_id=route.driver_id, vehicle_id=route.vehicle_id, started_at=now.isoformat(),
                                order_ids=[d.order_id for d in deliveries]),
            *(events.DeliveryStatusChanged(delivery_id=d.pk, order_id=d.order_id, order_number=d.order_number,
                                           customer_id=d.customer_id, status=out, previous_status=d.status, route_id=route.pk)
              for d in deliveries),
        ])
        return route


def route_complete(*, route: Route | int) -> Route:
    """Back at the centre: every stop delivered or failed."""
    with telemetry.command_span("commerce.route.complete"), transaction.atomic():
        route = _lock(route)
        target = check_transition(route, "complete")
        states = list(Stop.objects.filter(route=route).values_list("state", flat=True))
        open_stops = sum(state in Stop.OPEN for state in states)
        if open_stops:
            raise RouteNotFinished(f"Route {route.number} has {open_stops} stop(s) still open.", extra={"open_stops": open_stops})
        now = timezone.now()
        route.state, route.completed_at = target, now
        route.save(update_fields=["state", "completed_at", "updated_at"])
        record(events.RouteCompleted(**_ids(route), completed_at=now.isoformat(),
                                     delivered=states.count(Stop.State.DELIVERED), failed=states.count(Stop.State.FAILED)))
        return route


def route_cancel(*, route: Route | int, reason: str) -> Route:
    """A route not started is dropped (a re-plan replaces it): its stops are removed, so its
    deliveries are free for another route; the driver and vehicle are free that day again."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise RouteInvalid("Say why the route is cancelled, in at most 200 characters.",
                           fields={"reason": ["Required, at most 200 characters."]})
    with telemetry.command_span("commerce.route.cancel"), transaction.atomic():
        route = _lock(route)
        target = check_transition(route, "cancel")
        delivery_ids = list(Stop.objects.filter(route=route).order_by("sequence").values_list("delivery_id", flat=True))
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=delivery_ids))
        Stop.objects.filter(route=route).delete()
        route.state, route.driver, route.vehicle = target, None, None
        route.save(update_fields=["state", "driver", "vehicle", "updated_at"])
        record(events.RouteCancelled(**_ids(route), reason=reason, delivery_ids=delivery_ids))
        return route
