"""``route_optimise``, the spec's OptimizeRoute: the best order of one route's stops.

The route (planned or assigned) keeps its deliveries, driver and vehicle; the planner searches the
order (from the current one, a warm start) for its vehicle and its driver's shift, outside any
transaction; the new order is written in one, with the stops' planned arrivals, loads and
distances and the route's departure, return, distance and cost, and ``logistics.route.optimised``.
An order no better than the current one leaves the route as it is (no event); one that cannot keep
every stop within its window and the shift is refused, and the route is kept. A route changed
while it was being optimised (started, stops moved) is refused with ``planning_conflict``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from commerce import telemetry
from commerce.audit.events import record
from commerce.locks import Kind, lock_get
from logistics import events
from logistics.errors import PlanningConflict, PlanningInvalid, RouteNotFound, RouteTransitionInvalid
from logistics.models import DriverShift, OpeningHours, Route, Stop
from logistics.planning import Centre, Location, Problem, evaluate, plan_routes
from logistics.planning import Vehicle as PlanVehicle
from logistics.services.planning import (
    NOT_STARTED,
    _seconds,
    default_time_limit,
    matrices,
    plan_stop,
    plan_vehicle,
    timeline_of,
)
from logistics.services.routes import _ids
from logistics.timeline import route_cost

ROUTE_TIME_LIMIT = 2.0  # seconds: one route is a small problem


def max_optimise_time_limit() -> float:
    """``LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT``: the search runs while the request waits, so it is short."""
    return float(getattr(settings, "LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT", 10))


def _read(route_id: int):
    route = Route.objects.select_related("centre", "vehicle", "driver").filter(pk=route_id).first()
    if route is None:
        raise RouteNotFound("No such route.")
    if route.state not in NOT_STARTED:
        raise RouteTransitionInvalid(f"Route {route.number} is {route.get_state_display().lower()}; only a route not "
                                     "started can be optimised.", extra={"state": route.state, "action": "optimise"})
    stops = list(Stop.objects.filter(route=route).select_related("delivery__zone").order_by("sequence"))
    hours = OpeningHours.objects.filter(centre=route.centre, weekday=route.date.weekday()).first()
    if hours is None:
        raise PlanningInvalid(f"{route.centre.name} does not dispatch on {route.date:%A}s.")
    return route, stops, hours


def _problem(route: Route, stops: list[Stop], hours: OpeningHours) -> Problem:
    rows = [s.delivery for s in stops]
    points, metres, seconds = matrices(route.centre, rows)
    shift = DriverShift.objects.filter(driver=route.driver_id, date=route.date).first() if route.driver_id else None
    if route.vehicle is not None:
        vehicle = plan_vehicle(route.vehicle, shift)
    else:  # not assigned yet: the shortest order, no capacity to keep
        vehicle = PlanVehicle(id="v", start_centre="c", end_centre="c", capacity=(10**12, 10**12, 10**9), cost_per_km=1.0)
    return Problem(
        locations=tuple(Location(float(p.latitude), float(p.longitude)) for p in points), distance=metres, duration=seconds,
        centres=(Centre(id="c", location=0, opens=_seconds(hours.opens), closes=_seconds(hours.closes)),),
        vehicles=(vehicle,), stops=tuple(plan_stop(d, i, penalty=None) for i, d in enumerate(rows, start=1)),
        dimensions=("weight_g", "volume_cm3", "parcels"), name=route.number,
    )


def route_optimise(*, route: Route | int, time_limit: float | None = None, backend: str | None = None) -> Route:
    """The best order of ``route``'s stops, written; the route unchanged when its order is already the best found."""
    route_id = route.pk if isinstance(route, Route) else route
    limit = min(ROUTE_TIME_LIMIT, default_time_limit()) if time_limit is None else float(time_limit)
    longest = max_optimise_time_limit()
    if not 0.1 <= limit <= longest:
        raise PlanningInvalid("The time limit is out of range.", fields={"time_limit": [f"From 0.1 to {longest:g} seconds."]})
    route, stops, hours = _read(route_id)
    if not stops:
        return route
    problem = _problem(route, stops, hours)
    vehicle = problem.vehicles[0].id
    current = [f"d{s.delivery_id}" for s in stops]
    plan = plan_routes(problem, backend=backend, time_limit=limit, warm_start=[(vehicle, current)])
    found = plan.route_of(vehicle)
    if plan.unassigned or found is None or not found.feasible:
        raise PlanningInvalid(f"No order of route {route.number}'s stops keeps every one within its window and the "
                              "shift; the route is kept as it is.")
    was = evaluate(problem, vehicle, current)
    if list(found.stops) == current or (was.feasible and found.cost >= was.cost):
        return route
    deliveries = {f"d{s.delivery_id}": s.delivery for s in stops}
    timeline = timeline_of(problem, deliveries, route.date, found)

    with telemetry.command_span("commerce.route.optimise"), transaction.atomic():
        locked = lock_get(Kind.ROUTE, Route.objects.filter(pk=route_id))
        now = list(Stop.objects.filter(route=locked).order_by("sequence").values_list("pk", "delivery_id"))
        if locked.state not in NOT_STARTED or [d for _, d in now] != [s.delivery_id for s in stops]:
            raise PlanningConflict(f"Route {locked.number} changed while it was optimised: nothing was written; try again.")
        by_delivery = {d: pk for pk, d in now}
        Stop.objects.filter(route=locked).update(sequence=F("sequence") + 30_000)  # (route, sequence) is unique; the column is a smallint on MariaDB
        rows = []
        for sequence, figures in enumerate(timeline.stops, start=1):
            rows.append(Stop(pk=by_delivery[figures.delivery_id], sequence=sequence, planned_arrival=figures.planned_arrival,
                             distance_from_previous_km=figures.distance_from_previous_km, load_after_kg=figures.load_after_kg,
                             load_after_l=figures.load_after_l, load_after_parcels=figures.load_after_parcels))
        Stop.objects.bulk_update(rows, ["sequence", "planned_arrival", "distance_from_previous_km", "load_after_kg",
                                        "load_after_l", "load_after_parcels"])
        previous_km = locked.distance_km
        locked.departs_at, locked.returns_at = timeline.departs_at, timeline.returns_at
        locked.distance_km, locked.duration_minutes = timeline.distance_km, timeline.duration_minutes
        locked.cost_amount = route_cost(vehicle=locked.vehicle, distance_km=locked.distance_km,
                                        duration_minutes=locked.duration_minutes)
        locked.save(update_fields=["departs_at", "returns_at", "distance_km", "duration_minutes", "cost_amount", "updated_at"])
        record(events.RouteOptimised(**_ids(locked), delivery_ids=[f.delivery_id for f in timeline.stops],
                                     previous_distance_km=str(previous_km), distance_km=str(locked.distance_km),
                                     duration_minutes=locked.duration_minutes, cost_amount=str(locked.cost_amount),
                                     currency=locked.currency, solver=plan.solver))
        return locked

