"""Re-optimising a centre's day around the stops the dispatchers locked.

The day is read as the nightly planning reads it (``services.planning.read_day``: deliveries,
started routes kept as the planner's locked routes), with these changes:

- each route not started keeps its vehicle and its driver (the driver's shift bounds it); free
  vehicles are paired with free drivers on shift, as the planner's own pairing does;
- a route all of whose stops are locked is a locked route (kept exactly, in its order);
- the routes as they stand are the warm start (so a locked stop starts on its vehicle);
- each locked stop is bound to its vehicle inside the search (``bind``): the vehicle gets a centre
  of its own, at the centre's place and hours, and the stop ``Stop.centre`` set to it, so the back end
  plans every other stop around the locked ones;
- should the plan still have a locked stop elsewhere or left out (the nearest-neighbour fallback, or
  a stop its vehicle cannot reach in time), it goes back to its own vehicle where it adds the least
  distance (``pin``): a dispatcher's lock is kept whatever the search found.

The planner runs outside any transaction. Its routes are then written in one: the day's routes not
started are locked, refused if any changed (or started) meanwhile, rewritten in place (their
numbers, drivers and vehicles kept), new routes made for vehicles that had none, emptied routes
cancelled; a ``PlanningRun`` keeps the figures and the deliveries left out with their reasons.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.errors import DomainError
from commerce.locks import Kind, lock
from logistics import events as logistics_events
from logistics.dispatch import events
from logistics.dispatch.arrange import EDITABLE, check_versions, read_routes, shift_sequences, timeline_for, write_route
from logistics.dispatch.errors import PlanStale
from logistics.errors import CentreNotFound, PlanningInvalid
from logistics.models import Delivery, DistributionCentre, DriverShift, PlanningRun, Route, Stop
from logistics.planning import Centre, LockedRoute, Plan, Problem, TimeWindow, Unassigned, plan_routes
from logistics.planning import Vehicle as PlanVehicle
from logistics.services.optimise import max_optimise_time_limit
from logistics.services.planning import nearest_baseline, planning_run_request, read_day
from logistics.services.routes import route_cancel, route_create

logger = logging.getLogger(__name__)
#: seconds the solver searches when a dispatcher re-optimises: the console answers within 2 s
DEFAULT_TIME_LIMIT = 1.2


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def build(centre: DistributionCentre, date: datetime.date):
    """The day's problem with the dispatchers' routes and locks: (problem, day, states, warm start,
    pinned stop -> vehicle, notes)."""
    day = read_day(centre, date)
    problem = day.problem
    routes = list(Route.objects.filter(centre=centre, date=date, state__in=EDITABLE).order_by("id"))
    states = read_routes([r.pk for r in routes])
    by_id = {v.id: v for v in problem.vehicles}
    started = {locked.vehicle for locked in problem.locked}
    taken_vehicles = {r.vehicle_id for r in routes if r.vehicle_id}
    taken_drivers = {r.driver_id for r in routes if r.driver_id}
    vehicles, notes = [v for v in problem.vehicles if v.id in started], []
    # Free vehicles with their free drivers, as the planner paired them.
    for vid, (vehicle, driver) in day.pairs.items():
        if vehicle.pk not in taken_vehicles and driver.pk not in taken_drivers:
            vehicles.append(by_id[vid])
    shifts = {s.driver_id: s for s in DriverShift.objects.filter(date=date, driver_id__in=list(taken_drivers))}
    pins, locked_routes = {}, list(problem.locked)
    base = problem.centres[0]
    for route in routes:
        state = states[route.pk]
        if route.vehicle is None:
            if state.locked:
                notes.append(f"route {route.number} has no vehicle: its locked stops could not be kept on it")
            continue
        v = route.vehicle
        shift = shifts.get(route.driver_id)
        window = TimeWindow(_seconds(shift.starts), _seconds(shift.ends)) if shift else TimeWindow(0, 86399)
        vid = f"v{v.pk}"
        own = PlanVehicle(id=vid, start_centre=base.id, end_centre=base.id, shift=window,
                          capacity=(int(v.capacity_kg * 1000), int(v.capacity_l * 1000), v.capacity_parcels),
                          fixed_cost=float(v.fixed_cost_per_day), cost_per_km=float(v.cost_per_km), cost_per_hour=float(v.cost_per_hour))
        if state.order and state.locked >= set(state.order):
            locked_routes.append(LockedRoute(vehicle=vid, stops=tuple(f"d{pk}" for pk in state.order)))
        else:
            pins.update({f"d{pk}": vid for pk in state.locked})
        vehicles.append(own)
    problem = problem.replace(vehicles=tuple(vehicles), locked=tuple(locked_routes))
    warm = [(f"v{r.vehicle_id}", [f"d{pk}" for pk in states[r.pk].order]) for r in routes if r.vehicle_id and states[r.pk].order]
    return problem, day, states, warm, pins, notes


def bind(problem: Problem, pins: dict[str, str]) -> Problem:
    """``problem`` with each pinned stop bound to its vehicle: every vehicle with pinned stops starts and
    ends at a centre of its own (the same place and hours as the one it belongs to), the stops'
    ``centre`` set to it, so only that vehicle may serve them."""
    vehicles = problem.vehicle_index()
    stops = problem.stop_index()
    own: dict[str, Centre] = {}
    for stop_id, vehicle_id in pins.items():
        vehicle = vehicles.get(vehicle_id)
        if vehicle is None or stop_id not in stops or vehicle_id in own:
            continue
        home = problem.centre(vehicle.start_centre)
        own[vehicle_id] = Centre(id=f"{home.id}/{vehicle_id}", location=home.location, opens=home.opens, closes=home.closes)
    if not own:
        return problem
    bound = {sid: own[vid].id for sid, vid in pins.items() if vid in own and sid in stops}
    return problem.replace(
        centres=problem.centres + tuple(own.values()),
        vehicles=tuple(replace(v, start_centre=own[v.id].id, end_centre=own[v.id].id) if v.id in own else v
                       for v in problem.vehicles),
        stops=tuple(replace(stop, centre=bound[stop.id]) if stop.id in bound else stop for stop in problem.stops),
    )


def pin(problem, plan: Plan, pins: dict[str, str]) -> tuple[list[tuple[str, list[str], bool]], list[Unassigned]]:
    """The plan's routes as (vehicle, stop ids, locked), every pinned stop on its vehicle: one the
    planner put elsewhere (or left out) is inserted into its vehicle's route where it adds the least
    distance. The unassigned stops without the pinned ones."""
    routes = {r.vehicle: [list(r.stops), r.locked] for r in plan.routes}
    index, depot = problem.stop_index(), problem.centres[0].location
    for stop_id, vehicle in sorted(pins.items()):
        home = routes.setdefault(vehicle, [[], False])
        if stop_id in home[0]:
            continue
        for other in routes.values():
            if stop_id in other[0] and not other[1]:
                other[0].remove(stop_id)
        at = index[stop_id].location
        places = [depot, *(index[s].location for s in home[0]), depot]
        cost = [problem.distance[a, at] + problem.distance[at, b] - problem.distance[a, b]
                for a, b in zip(places, places[1:], strict=False)]
        home[0].insert(int(min(range(len(cost)), key=cost.__getitem__)), stop_id)
    unassigned = [u for u in plan.unassigned if u.stop not in pins]
    return [(vehicle, order, locked) for vehicle, (order, locked) in routes.items() if order], unassigned


def day_reoptimise(*, centre: DistributionCentre | int, date: datetime.date, versions: dict[int, int] | None = None,
                   time_limit: float = DEFAULT_TIME_LIMIT, backend: str = "", requested_by=None, solve=plan_routes) -> PlanningRun:
    """Plan ``centre``'s ``date`` again around the locked stops; the routes not started are rewritten.
    A refusal (a route changed or started meanwhile) marks the run failed and is raised: nothing changed."""
    centre_id = centre.pk if isinstance(centre, DistributionCentre) else centre
    found = DistributionCentre.objects.filter(pk=centre_id, is_active=True).first()
    if found is None:
        raise CentreNotFound("No such distribution centre.")
    longest = max_optimise_time_limit()  # the dispatcher waits for the answer
    if not 0.1 <= time_limit <= longest:
        raise PlanningInvalid("The time limit is out of range.", fields={"time_limit": [f"From 0.1 to {longest:g} seconds."]})
    run = planning_run_request(centre=found, date=date, backend=backend, time_limit=time_limit, requested_by=requested_by)
    began = timezone.now()
    try:
        problem, day, states, warm, pins, notes = build(found, date)
        plan = solve(bind(problem, pins), backend=backend or None, time_limit=time_limit, warm_start=warm or None)
        routes, unassigned = pin(problem, plan, pins)
        baseline = nearest_baseline(problem)
        return _write(run, found, date, day, states, plan, routes, unassigned, versions, notes, began, baseline)
    except Exception as error:
        _fail(run, error)
        raise


def _replanned(route: Route, delivery_ids: list[int]) -> logistics_events.RoutePlanned:
    """A rewritten route's ``logistics.route.planned`` (on the route's stream; the day's
    ``logistics.plan.reoptimised`` is on the run's)."""
    return logistics_events.RoutePlanned(
        route_id=route.pk, route_number=route.number, centre_id=route.centre_id, date=route.date.isoformat(),
        replanned=True, version=route.version, delivery_ids=delivery_ids, distance_km=str(route.distance_km),
        duration_minutes=route.duration_minutes, cost_amount=str(route.cost_amount), currency=route.currency)


def _fail(run: PlanningRun, error: Exception) -> None:
    text = str(error) if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
    if not isinstance(error, DomainError):
        logger.exception("re-optimising for planning run %s failed", run.pk)
    with telemetry.command_span("commerce.dispatch.reoptimise_fail", centre_id=run.centre_id), transaction.atomic():
        run.status, run.finished_at, run.error = PlanningRun.Status.FAILED, timezone.now(), text[:500]
        run.save(update_fields=["status", "finished_at", "error"])
        record(logistics_events.PlanFailed(run_id=run.pk, centre_id=run.centre_id, date=run.date.isoformat(), error=run.error))


def _unassigned(day, left: list[Unassigned]) -> list[dict]:
    rows = list(day.left_out)
    for item in left:
        delivery = day.deliveries[item.stop]
        rows.append({"delivery_id": delivery.pk, "order_number": delivery.order_number, "reason": str(item.reason),
                     "text": item.text})
    return rows


def _write(run, centre, date, day, states, plan: Plan, planned, left, versions, notes, began, baseline) -> PlanningRun:
    by_vehicle = {s.route.vehicle_id: s for s in states.values() if s.route.vehicle_id}
    deliveries = {d.pk: d for d in day.deliveries.values()}
    # Figures for every route the plan changes, before the transaction (plan mode, as a hand edit).
    rewrites, creations = {}, []
    for vehicle_id, stop_ids, locked in planned:
        if locked:
            continue
        order = [deliveries[int(stop_id[1:])] for stop_id in stop_ids]
        state = by_vehicle.get(int(vehicle_id[1:]))
        if state is not None:
            rewrites[state.route.pk] = timeline_for(state.route, order)
        else:
            vehicle, driver = day.pairs[vehicle_id]
            creations.append((vehicle, driver, timeline_for(Route(centre=centre, date=date, driver=driver), order)))
    kept = {pk for pk, s in states.items() if any(v == f"v{s.route.vehicle_id}" for v, _, locked in planned if locked)}
    emptied = [pk for pk in states if pk not in rewrites and pk not in kept]
    pins = set().union(*(s.locked for s in states.values())) if states else set()

    with telemetry.command_span("commerce.dispatch.reoptimise", centre_id=centre.pk), transaction.atomic():
        rows = {r.pk: r for r in lock(Kind.ROUTE, Route.objects.filter(pk__in=list(states)))}
        check_versions(rows, states, versions)
        if Route.objects.filter(centre=centre, date=date, state__in=EDITABLE).exclude(pk__in=list(states)).exists():
            raise PlanStale("The day was planned again meanwhile: reload the plan and re-optimise again.")
        under_way = {s.delivery_id for r in day.locked_routes for s in r.stops.all()}
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=sorted(set(deliveries) - under_way)))
        placed = {f.delivery_id for t in rewrites.values() for f in t.stops}
        Stop.objects.filter(route_id__in=list(rewrites), holds__isnull=False).exclude(holds_id__in=list(placed)).delete()
        shift_sequences(list(rewrites))
        written = [write_route(rows[pk], timeline, locked=pins) for pk, timeline in rewrites.items()]
        reason = f"Emptied when a dispatcher re-optimised the day (planning run {run.pk})."
        cancelled = [route_cancel(route=pk, reason=reason).pk for pk in emptied]
        created = [route_create(centre=centre.pk, date=date, delivery_ids=[f.delivery_id for f in timeline.stops],
                                timeline=timeline, driver=driver, vehicle=vehicle) for vehicle, driver, timeline in creations]
        routes = [*written, *created, *(rows[pk] for pk in kept), *day.locked_routes]
        currency = routes[0].currency if routes else run.currency
        cost = sum((r.cost_amount for r in routes if r.currency == currency), Decimal("0.00"))
        distance = sum((r.distance_km for r in routes), Decimal("0.000"))
        unassigned = _unassigned(day, left)
        run.status, run.started_at, run.finished_at = PlanningRun.Status.DONE, began, timezone.now()
        run.solver, run.solver_status, run.wall_time = f"{plan.solver} (re-optimised)", str(plan.status), round(plan.wall_time, 3)
        run.routes, run.stops, run.unassigned = len(routes), sum(len(order) for _, order, _ in planned), unassigned
        run.currency, run.cost_amount, run.distance_km = currency, cost, distance
        run.nearest_cost_amount, run.nearest_distance_km, run.nearest_stops = baseline.cost_amount, baseline.distance_km, baseline.stops
        run.notes = [*day.notes, *notes, *plan.notes, f"{len(pins)} locked stop(s) kept on their routes"][:20]
        run.save()
        record_many([_replanned(route, [f.delivery_id for f in rewrites[route.pk].stops]) for route in written])
        record(events.DayReoptimised(
            run_id=run.pk, centre_id=centre.pk, date=date.isoformat(), route_ids=[r.pk for r in written],
            created_route_ids=[r.pk for r in created], cancelled_route_ids=cancelled, locked_delivery_ids=sorted(pins),
            unassigned=unassigned, cost_amount=str(cost), currency=currency, distance_km=str(distance), solver=run.solver,
            wall_time=run.wall_time, routes=run.routes, stops=run.stops, **baseline.payload()))
        return run
