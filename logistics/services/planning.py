"""Planning a centre's day: the database in, ``logistics.planning`` in between, routes out.

``planning_run_request`` queues a ``PlanningRun`` (its event); ``planning_run_execute`` runs it:

1. read the day (deliveries to route and those on routes not started, vehicles available that date
   paired with drivers on shift, the centre's hours, routes under way kept as locked routes, the
   routes not started as the warm start) and
   build the planner's ``Problem`` in metres, seconds and grams (the distance matrix is the app's
   cached one, ``geography.distance_matrix``);
2. call ``plan_routes`` outside any transaction (it always answers within its limit);
3. in ONE transaction, cancel the routes of that centre and day not started, create the planned
   ones with their timelines and assign each its driver and vehicle, and record
   ``logistics.plan.created`` with the totals and every delivery left out with its reason.

Anything that fails (the solver, a delivery changed meanwhile) rolls the write back: the day stays
as it was, the run is marked failed with ``logistics.plan.failed``. Re-planning the same day gives
the same kind of state: the routes not started are replaced, the started ones untouched.
``day_plan`` does both steps at once (the demo, the shell).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.errors import DomainError
from commerce.locks import Kind, lock
from logistics import events
from logistics.errors import CentreNotFound, PlanningInvalid, PlanningRunNotFound
from logistics.geography import Point, distance_matrix
from logistics.models import (
    LICENCE_RANK,
    Delivery,
    DistributionCentre,
    Driver,
    OpeningHours,
    PlanningRun,
    Route,
    Stop,
    Vehicle,
)
from logistics.planning import BACKENDS, Centre, Location, LockedRoute, Plan, Problem, TimeWindow, plan_routes
from logistics.planning import Stop as PlanStop
from logistics.planning import Vehicle as PlanVehicle
from logistics.services.routes import route_cancel, route_create
from logistics.timeline import DEFAULT_SPEED_KMH, RouteTimeline, StopFigures, at

logger = logging.getLogger(__name__)
S = PlanningRun.Status
NOT_STARTED = (Route.State.PLANNED, Route.State.ASSIGNED)
#: the cost (in the vehicles' currency) of leaving a delivery out: far above any route's, so the
#: planner leaves one out only when no vehicle can take it
UNSERVED_PENALTY = 10_000.0
MAX_TIME_LIMIT = 600.0
STALE_AFTER = 300  # seconds past a run's limit after which a run still running lost its worker


def default_time_limit() -> float:
    return float(getattr(settings, "LOGISTICS_PLAN_TIME_LIMIT", 30))


# --- queueing -------------------------------------------------------------------------------------
def planning_run_request(*, centre: DistributionCentre | int, date: datetime.date, backend: str = "",
                         time_limit: float | None = None, requested_by=None, batch: str = "") -> PlanningRun:
    """A queued run of ``centre``'s ``date`` (the task ``logistics.plan_centre`` runs it)."""
    centre_id = centre.pk if isinstance(centre, DistributionCentre) else centre
    backend = backend or ""
    time_limit = default_time_limit() if time_limit is None else float(time_limit)
    problems = {}
    if backend and backend not in BACKENDS:
        problems["backend"] = [f"Choose from {', '.join(BACKENDS)}."]
    if not 0.1 <= time_limit <= MAX_TIME_LIMIT:
        problems["time_limit"] = [f"From 0.1 to {MAX_TIME_LIMIT:.0f} seconds."]
    if problems:
        raise PlanningInvalid("The planning request is not valid.", fields=problems)
    with telemetry.command_span("commerce.plan.request", centre_id=centre_id), transaction.atomic():
        found = DistributionCentre.objects.filter(pk=centre_id, is_active=True).first()
        if found is None:
            raise CentreNotFound("No such distribution centre.")
        run = PlanningRun.objects.create(centre=found, date=date, backend=backend, time_limit=time_limit, batch=batch,
                                         requested_by=requested_by if requested_by is not None and requested_by.pk else None)
        record(events.PlanRequested(run_id=run.pk, centre_id=found.pk, date=date.isoformat(), backend=backend,
                                    time_limit=time_limit, batch=batch))
        return run


def planning_run_queue(*, centre: DistributionCentre | int, date: datetime.date, backend: str = "",
                       requested_by=None) -> PlanningRun:
    """On-demand re-planning of one centre's day (the admin, the API): a run requested, its task
    (``logistics.plan_centre``, the ``logistics`` queue) sent once the request is committed."""
    from logistics.tasks import logistics_plan_centre_task  # late: the tasks module imports these services

    run = planning_run_request(centre=centre, date=date, backend=backend, requested_by=requested_by)
    run_id = run.pk
    transaction.on_commit(lambda: logistics_plan_centre_task.delay(run_id))
    return run


# --- reading the day ------------------------------------------------------------------------------
@dataclass
class Day:
    """What the planner gets, and how its ids map back to rows."""

    problem: Problem
    deliveries: dict[str, Delivery]
    pairs: dict[str, tuple[Vehicle, Driver]]
    locked_routes: list[Route]
    replaceable: list[int]
    left_out: list[dict]  # deliveries the planner cannot be given (not located), with their reason
    notes: list[str]
    warm: list[tuple[str, list[str]]]  # the routes not started, as the planner's warm start


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _pair(vehicles: list[Vehicle], drivers: list[Driver]) -> list[tuple[Vehicle, Driver]]:
    """Each vehicle a driver who may drive it: the vehicles needing the highest licence first, each
    taking the least qualified driver who may (the longest shift among those)."""
    free = list(drivers)
    pairs = []
    for vehicle in sorted(vehicles, key=lambda v: (-LICENCE_RANK[v.licence_required], v.pk)):
        able = [d for d in free if d.may_drive(vehicle)]
        if not able:
            continue
        chosen = min(able, key=lambda d: (LICENCE_RANK[d.licence_class], -(_seconds(d.shift.ends) - _seconds(d.shift.starts)), d.pk))
        free.remove(chosen)
        pairs.append((vehicle, chosen))
    return pairs


def read_day(centre: DistributionCentre, date: datetime.date) -> Day:
    hours = OpeningHours.objects.filter(centre=centre, weekday=date.weekday()).first()
    if hours is None:
        raise PlanningInvalid(f"{centre.name} does not dispatch on {date:%A}s.", fields={"date": ["The centre is closed that day."]})
    if centre.latitude is None:
        raise PlanningInvalid(f"{centre.name} has no coordinates.")
    routes = list(Route.objects.filter(centre=centre, date=date).exclude(state=Route.State.CANCELLED)
                  .select_related("vehicle", "driver").prefetch_related("stops"))
    replaceable = [r for r in routes if r.state in NOT_STARTED]
    locked_routes = [r for r in routes if r.state == Route.State.IN_PROGRESS]
    busy_vehicles = {r.vehicle_id for r in routes if r.state not in NOT_STARTED}
    busy_drivers = {r.driver_id for r in routes if r.state not in NOT_STARTED}
    # Deliveries: those waiting for a route, those on routes not started (re-planned), those on routes under way (locked).
    on_replaceable = Stop.objects.filter(route__in=replaceable, holds__isnull=False).values_list("delivery_id", flat=True)
    wanted = (Delivery.objects.filter(centre=centre, date=date, status=Delivery.Status.SCHEDULED, open_stop__isnull=True)
              | Delivery.objects.filter(pk__in=list(on_replaceable)))
    locked_ids = [s.delivery_id for r in locked_routes for s in r.stops.all()]
    rows = list((wanted | Delivery.objects.filter(pk__in=locked_ids)).select_related("zone").order_by("id").distinct())
    left_out = [{"delivery_id": d.pk, "order_number": d.order_number, "reason": "not_located",
                 "text": "its address is not located"} for d in rows if not d.located]
    rows = [d for d in rows if d.located]

    vehicles = [v for v in Vehicle.objects.filter(centre=centre, is_active=True).exclude(unavailable_days__date=date)
                if v.pk not in busy_vehicles]
    drivers = []
    for driver in Driver.objects.filter(home_centre=centre, is_active=True, shifts__date=date).distinct():
        if driver.pk not in busy_drivers:
            driver.shift = driver.shifts.get(date=date)
            drivers.append(driver)
    pairs = _pair(vehicles, drivers)
    notes = []
    if len(pairs) < len(vehicles):
        notes.append(f"{len(vehicles) - len(pairs)} vehicle(s) without a driver on shift stay at the centre")
    locked_pairs = [(r.vehicle, r.driver) for r in locked_routes]

    points = [Point.of(centre.latitude, centre.longitude), *(Point.of(d.latitude, d.longitude) for d in rows)]
    metres = np.rint(np.array(distance_matrix(points), dtype=float) * 1000).astype(np.int64)
    speeds = [float(DEFAULT_SPEED_KMH), *(float(d.zone.speed_kmh if d.zone_id else DEFAULT_SPEED_KMH) for d in rows)]
    # Driving into a stop at its zone's speed, back to the centre at the last stop's (as ``timeline.evaluate``).
    speed = np.array(speeds)[None, :].repeat(len(points), axis=0)
    speed[:, 0] = np.array(speeds)
    seconds = np.ceil(metres / (speed / 3.6)).astype(np.int64)
    np.fill_diagonal(seconds, 0)
    deliveries = {f"d{d.pk}": d for d in rows}
    stops = tuple(
        PlanStop(id=f"d{d.pk}", location=i, service=d.service_minutes * 60, penalty=UNSERVED_PENALTY,
                 demand=(int(d.weight_kg * 1000), int(d.volume_l * 1000), d.parcels),
                 windows=(TimeWindow(_seconds(d.window_start), _seconds(d.window_end)),) if d.window_start else ())
        for i, d in enumerate(rows, start=1)
    )
    plan_vehicles = tuple(
        PlanVehicle(id=f"v{v.pk}", start_centre="c", end_centre="c",
                    capacity=(int(v.capacity_kg * 1000), int(v.capacity_l * 1000), v.capacity_parcels),
                    shift=TimeWindow(_seconds(d.shift.starts), _seconds(d.shift.ends)) if hasattr(d, "shift") else TimeWindow(0, 86399),
                    fixed_cost=float(v.fixed_cost_per_day), cost_per_km=float(v.cost_per_km), cost_per_hour=float(v.cost_per_hour))
        for v, d in [*pairs, *locked_pairs]
    )
    locked = tuple(LockedRoute(vehicle=f"v{r.vehicle_id}", stops=tuple(f"d{s.delivery_id}" for s in r.stops.all()
                                                                    if f"d{s.delivery_id}" in deliveries))
                   for r in locked_routes)
    problem = Problem(
        locations=tuple(Location(float(p.latitude), float(p.longitude)) for p in points), distance=metres, duration=seconds,
        centres=(Centre(id="c", location=0, opens=_seconds(hours.opens), closes=_seconds(hours.closes)),),
        vehicles=plan_vehicles, stops=stops, dimensions=("weight_g", "volume_cm3", "parcels"), locked=locked,
        name=f"{centre.code} {date}",
    )
    warm = [(f"v{r.vehicle_id}", [f"d{s.delivery_id}" for s in sorted(r.stops.all(), key=lambda s: s.sequence)])
            for r in replaceable if r.vehicle_id is not None]
    return Day(problem, deliveries, {f"v{v.pk}": (v, d) for v, d in pairs}, locked_routes, [r.pk for r in replaceable],
               left_out, notes, warm)


# --- writing the plan -----------------------------------------------------------------------------
def _timeline(day: Day, date: datetime.date, route) -> RouteTimeline:
    midnight = at(date, datetime.time(0))
    kg = [Decimal(v) / 1000 for v in route.initial_load[:2]]
    previous, figures = 0, []
    for visit in route.visits:
        delivery = day.deliveries[visit.stop]
        here = day.problem.stop_index()[visit.stop].location
        figures.append(StopFigures(
            delivery_id=delivery.pk, planned_arrival=midnight + datetime.timedelta(seconds=visit.start),
            distance_from_previous_km=(Decimal(int(day.problem.distance[previous, here])) / 1000).quantize(Decimal("0.001")),
            load_after_kg=(Decimal(visit.load[0]) / 1000).quantize(Decimal("0.001")),
            load_after_l=(Decimal(visit.load[1]) / 1000).quantize(Decimal("0.001")), load_after_parcels=visit.load[2]))
        previous = here
    return RouteTimeline(departs_at=midnight + datetime.timedelta(seconds=route.start_time),
                         returns_at=midnight + datetime.timedelta(seconds=route.end_time),
                         distance_km=(Decimal(route.distance) / 1000).quantize(Decimal("0.001")), stops=tuple(figures),
                         load_kg=kg[0], load_l=kg[1], load_parcels=route.initial_load[2])


def _unassigned(day: Day, plan: Plan) -> list[dict]:
    rows = list(day.left_out)
    for item in plan.unassigned:
        delivery = day.deliveries[item.stop]
        rows.append({"delivery_id": delivery.pk, "order_number": delivery.order_number, "reason": str(item.reason),
                     "text": item.text})
    return rows


def _write(run: PlanningRun, day: Day, plan: Plan) -> PlanningRun:
    date = run.date
    with telemetry.command_span("commerce.plan.write", centre_id=run.centre_id), transaction.atomic():
        # Every row the write touches, locked first in the lock order (routes, then deliveries, each in
        # one call): the commands below lock only rows held already.
        lock(Kind.ROUTE, Route.objects.filter(pk__in=day.replaceable))
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=[d.pk for d in day.deliveries.values()]))
        reason = f"Replaced by planning run {run.pk}."
        for route_id in day.replaceable:
            route_cancel(route=route_id, reason=reason)
        created = []
        for route in plan.routes:
            if route.locked or not route.visits:
                continue
            vehicle, driver = day.pairs[route.vehicle]
            timeline = _timeline(day, date, route)
            created.append(route_create(centre=run.centre_id, date=date, timeline=timeline, driver=driver, vehicle=vehicle,
                                        delivery_ids=[f.delivery_id for f in timeline.stops]))
        kept = day.locked_routes
        unassigned = _unassigned(day, plan)
        currency = created[0].currency if created else (kept[0].currency if kept else run.currency)
        cost = sum((r.cost_amount for r in [*created, *kept] if r.currency == currency), Decimal("0.00"))
        distance = sum((r.distance_km for r in [*created, *kept]), Decimal("0.000"))
        stops = sum(len(r.visits) for r in plan.routes)
        run = PlanningRun.objects.select_for_update().get(pk=run.pk)
        run.status, run.finished_at = S.DONE, timezone.now()
        run.solver, run.solver_status, run.wall_time = plan.solver, str(plan.status), round(plan.wall_time, 3)
        run.routes, run.stops, run.unassigned = len(created) + len(kept), stops, unassigned
        run.currency, run.cost_amount, run.distance_km = currency, cost, distance
        run.notes = [*day.notes, *plan.notes][:20]
        run.save()
        record(events.PlanCreated(
            run_id=run.pk, centre_id=run.centre_id, date=date.isoformat(), route_ids=[r.pk for r in created],
            replaced_route_ids=day.replaceable, kept_route_ids=[r.pk for r in kept], stops=stops, unassigned=unassigned,
            cost_amount=str(cost), currency=currency, distance_km=str(distance), solver=plan.solver,
            solver_status=str(plan.status), wall_time=run.wall_time))
        return run


def _fail(run: PlanningRun, error: str) -> PlanningRun:
    with telemetry.command_span("commerce.plan.fail", centre_id=run.centre_id), transaction.atomic():
        run = PlanningRun.objects.select_for_update().get(pk=run.pk)
        run.status, run.finished_at, run.error = S.FAILED, timezone.now(), error[:500]
        run.save(update_fields=["status", "finished_at", "error"])
        record(events.PlanFailed(run_id=run.pk, centre_id=run.centre_id, date=run.date.isoformat(), error=run.error))
        return run


def _stale(run: PlanningRun) -> bool:
    """A run still "running" well past its limit: its worker died (the task is delivered again)."""
    return run.started_at is None or timezone.now() - run.started_at > datetime.timedelta(seconds=run.time_limit + STALE_AFTER)


def planning_run_execute(*, run_id: int, solve=plan_routes) -> PlanningRun:
    """Run a queued (or failed) run: read, solve outside any transaction, write in one. A run done, or
    running within its limit, is left as it is (a task delivered twice plans once); one running long
    past its limit lost its worker and is run again."""
    with transaction.atomic():
        run = PlanningRun.objects.select_for_update().select_related("centre").filter(pk=run_id).first()
        if run is None:
            raise PlanningRunNotFound("No such planning run.")
        if run.status == S.DONE or (run.status == S.RUNNING and not _stale(run)):
            return run
        run.status, run.started_at, run.error = S.RUNNING, timezone.now(), ""
        run.save(update_fields=["status", "started_at", "error"])
    try:
        day = read_day(run.centre, run.date)
        plan = solve(day.problem, backend=run.backend or None, time_limit=run.time_limit, warm_start=day.warm or None)
        return _write(run, day, plan)
    except DomainError as error:
        return _fail(run, str(error))
    except Exception as error:  # the solver or the write: nothing of the day changed; say why in the run
        logger.exception("planning run %s failed", run.pk)
        return _fail(run, f"{type(error).__name__}: {error}")


def day_plan(*, centre: DistributionCentre | int, date: datetime.date, backend: str | None = None,
             time_limit: float | None = None, requested_by=None) -> PlanningRun:
    """Plan ``centre``'s ``date`` now (in this process): a run requested and executed."""
    run = planning_run_request(centre=centre, date=date, backend=backend or "", time_limit=time_limit,
                               requested_by=requested_by)
    return planning_run_execute(run_id=run.pk)


def night_record(*, batch: str, date: datetime.date, run_ids: list[int]) -> dict:
    """The nightly planning's summary, once every centre's run has finished (the chord's callback)."""
    runs = list(PlanningRun.objects.filter(pk__in=run_ids).order_by("centre_id"))
    summary = {
        "batch": batch, "date": date.isoformat(),
        "runs": [{"run_id": r.pk, "centre_id": r.centre_id, "status": r.status, "routes": r.routes, "stops": r.stops,
                  "unassigned": len(r.unassigned), "cost_amount": str(r.cost_amount), "currency": r.currency} for r in runs],
        "done": sum(r.status == S.DONE for r in runs), "failed": sum(r.status == S.FAILED for r in runs),
        "routes": sum(r.routes for r in runs), "stops": sum(r.stops for r in runs),
        "unassigned": sum(len(r.unassigned) for r in runs),
    }
    with telemetry.command_span("commerce.plan.night"), transaction.atomic():
        record(events.NightPlanned(**summary))
    return summary
