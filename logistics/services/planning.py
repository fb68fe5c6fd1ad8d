"""Planning a centre's day: the database in, ``logistics.planning`` in between, routes out.

``planning_run_request`` queues a ``PlanningRun`` (its event); ``planning_run_execute`` runs it:

1. read the day (deliveries to route and those on routes not started, vehicles available that date
   each paired with a driver of the centre on shift by an optimal matching (``planning.crews.pair``:
   licence, shift within the opening hours; a note says why a vehicle stays), the centre's hours, routes under way kept as locked routes, the
   routes not started as the warm start) and
   build the planner's ``Problem`` in metres, seconds and grams (the distance matrix is the app's
   cached one, ``geography.distance_matrix``);
2. call ``plan_routes`` outside any transaction (it always answers within its limit);
3. in ONE transaction, cancel the routes of that centre and day not started, create the planned
   ones with their timelines and assign each its driver and vehicle (``planning.crews.staff``: the
   driver paired with it when still free, else another whose licence and shift cover it, else none:
   the route stays planned and the run's notes say why), and record
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
from commerce.locks import Kind, lock, lock_get, lock_one
from logistics import events
from logistics.errors import CentreNotFound, PlanningConflict, PlanningInvalid, PlanningRunNotFound
from logistics.geography import Point, distance_matrix
from logistics.models import (
    LICENCE_RANK,
    Delivery,
    DistributionCentre,
    Driver,
    DriverShift,
    LicenceClass,
    OpeningHours,
    PlanningRun,
    Route,
    Stop,
    Vehicle,
)
from logistics.planning import (
    BACKENDS,
    Centre,
    Location,
    LockedRoute,
    Plan,
    Problem,
    Progress,
    TimeWindow,
    crews,
    evaluate_plan,
    nearest_neighbour,
    plan_routes,
)
from logistics.planning import Stop as PlanStop
from logistics.planning import Vehicle as PlanVehicle
from logistics.planning.crews import Crew, Seat, Trip
from logistics.services.deliveries import MAX_DAYS_AHEAD
from logistics.services.routes import route_cancel, route_create
from logistics.timeline import DEFAULT_SPEED_KMH, RouteTimeline, StopFigures, at, route_cost

logger = logging.getLogger(__name__)
S = PlanningRun.Status
NOT_STARTED = (Route.State.PLANNED, Route.State.ASSIGNED)
#: the cost (in the vehicles' currency) of leaving a delivery out: far above any route's, so the
#: planner leaves one out only when no vehicle can take it
UNSERVED_PENALTY = 10_000.0
MIN_TIME_LIMIT = 0.1
STALE_AFTER = 300  # seconds past a run's limit after which a run still running lost its worker


def default_time_limit() -> float:
    return float(getattr(settings, "LOGISTICS_PLAN_TIME_LIMIT", 30))


def max_time_limit() -> float:
    """The longest search a request may ask for (``LOGISTICS_PLAN_MAX_TIME_LIMIT``), never below the default."""
    return max(float(getattr(settings, "LOGISTICS_PLAN_MAX_TIME_LIMIT", 300)), default_time_limit())


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
    longest = max_time_limit()
    if not MIN_TIME_LIMIT <= time_limit <= longest:
        problems["time_limit"] = [f"From {MIN_TIME_LIMIT:g} to {longest:g} seconds."]
    today = timezone.localdate()
    if not today - datetime.timedelta(days=1) <= date <= today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        # as deliveries are scheduled: a day long past or years ahead has nothing to plan
        problems["date"] = [f"From yesterday to {MAX_DAYS_AHEAD} days ahead."]
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
                       time_limit: float | None = None, requested_by=None) -> PlanningRun:
    """On-demand re-planning of one centre's day (the admin, the API): a run requested, its task
    (``logistics.plan_centre``, the ``logistics`` queue) sent once the request is committed.
    ``time_limit``: the configured default when None, at most ``LOGISTICS_PLAN_MAX_TIME_LIMIT``."""
    from logistics.tasks import logistics_plan_centre_task  # late: the tasks module imports these services

    run = planning_run_request(centre=centre, date=date, backend=backend, time_limit=time_limit, requested_by=requested_by)
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
    currency: str = "EUR"  # the vehicles' (the planner's costs are in it)


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _crew(driver: Driver) -> Crew:
    return Crew(id=str(driver.pk), licence=LICENCE_RANK[LicenceClass(driver.licence_class)],
                shift=TimeWindow(_seconds(driver.shift.starts), _seconds(driver.shift.ends)), free=not driver.busy)


def _pair(vehicles: list[Vehicle], drivers: list[Driver], hours: OpeningHours) -> tuple[list[tuple[Vehicle, Driver]], list[str]]:
    """Each vehicle a driver on shift who may drive it (``crews.pair``: as many as possible, the biggest
    vehicles the longest shifts); a note, with the reason, for each vehicle that stays at the centre."""
    seats = [Seat(id=str(v.pk), licence=LICENCE_RANK[LicenceClass(v.licence_required)], size=float(v.capacity_kg),
                  licence_name=v.licence_required) for v in vehicles]
    done = crews.pair(seats, [_crew(d) for d in drivers], opens=_seconds(hours.opens), closes=_seconds(hours.closes))
    by_vehicle, by_driver = {str(v.pk): v for v in vehicles}, {str(d.pk): d for d in drivers}
    pairs = [(by_vehicle[seat], by_driver[crew]) for seat, crew in done.pairs.items()]
    notes = [f"{by_vehicle[u.id].registration} stays at the centre: {u.text}" for u in done.unstaffed]
    return sorted(pairs, key=lambda pair: pair[0].pk), notes


def _drivers_on_shift(centre_id: int, date: datetime.date, *, replaced: list[int]) -> list[Driver]:
    """The centre's drivers on shift that date, each with ``shift`` and ``busy`` (on a route that day other
    than those being replaced: counted for the reasons, never paired)."""
    busy = set(Route.objects.filter(date=date, driver__isnull=False).exclude(state=Route.State.CANCELLED)
               .exclude(pk__in=replaced).values_list("driver_id", flat=True))
    drivers = list(Driver.objects.filter(home_centre_id=centre_id, is_active=True, shifts__date=date).distinct())
    shifts = {s.driver_id: s for s in DriverShift.objects.filter(driver__in=drivers, date=date)}
    for driver in drivers:
        driver.shift, driver.busy = shifts[driver.pk], driver.pk in busy
    return drivers


def matrices(centre: DistributionCentre, rows: list[Delivery]) -> tuple[list[Point], np.ndarray, np.ndarray]:
    """The centre then ``rows``' points, and the planner's distance (metres, the cached matrix) and duration
    (seconds: driving into a stop at its zone's speed, back to the centre at the last stop's, as
    ``timeline.evaluate`` does) matrices."""
    points = [Point.of(centre.latitude, centre.longitude), *(Point.of(d.latitude, d.longitude) for d in rows)]
    metres = np.rint(np.array(distance_matrix(points), dtype=float) * 1000).astype(np.int64)
    speeds = [float(DEFAULT_SPEED_KMH), *(float(d.zone.speed_kmh if d.zone_id else DEFAULT_SPEED_KMH) for d in rows)]
    speed = np.array(speeds)[None, :].repeat(len(points), axis=0)
    speed[:, 0] = np.array(speeds)
    seconds = np.ceil(metres / (speed / 3.6)).astype(np.int64)
    np.fill_diagonal(seconds, 0)
    return points, metres, seconds


def plan_stop(delivery: Delivery, location: int, *, penalty: float | None) -> PlanStop:
    d = delivery
    return PlanStop(id=f"d{d.pk}", location=location, service=d.service_minutes * 60, penalty=penalty,
                    demand=(int(d.weight_kg * 1000), int(d.volume_l * 1000), d.parcels),
                    windows=(TimeWindow(_seconds(d.window_start), _seconds(d.window_end)),) if d.window_start else ())


def plan_vehicle(vehicle: Vehicle, shift: DriverShift | None) -> PlanVehicle:
    v = vehicle
    return PlanVehicle(id=f"v{v.pk}", start_centre="c", end_centre="c",
                       capacity=(int(v.capacity_kg * 1000), int(v.capacity_l * 1000), v.capacity_parcels),
                       shift=TimeWindow(_seconds(shift.starts), _seconds(shift.ends)) if shift else TimeWindow(0, 86399),
                       fixed_cost=float(v.fixed_cost_per_day), cost_per_km=float(v.cost_per_km), cost_per_hour=float(v.cost_per_hour))


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
    pairs, notes = _pair(vehicles, _drivers_on_shift(centre.pk, date, replaced=[r.pk for r in replaceable]), hours)
    locked_pairs = [(r.vehicle, r.driver) for r in locked_routes]

    points, metres, seconds = matrices(centre, rows)
    deliveries = {f"d{d.pk}": d for d in rows}
    stops = tuple(plan_stop(d, i, penalty=UNSERVED_PENALTY) for i, d in enumerate(rows, start=1))
    plan_vehicles = tuple(plan_vehicle(v, d.shift if hasattr(d, "shift") else None) for v, d in [*pairs, *locked_pairs])
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
    currency = next((v.currency for v, _ in [*pairs, *locked_pairs]), "EUR")
    return Day(problem, deliveries, {f"v{v.pk}": (v, d) for v, d in pairs}, locked_routes, [r.pk for r in replaceable],
               left_out, notes, warm, currency)


# --- writing the plan -----------------------------------------------------------------------------
def _timeline(day: Day, date: datetime.date, route) -> RouteTimeline:
    return timeline_of(day.problem, day.deliveries, date, route)


def timeline_of(problem: Problem, deliveries: dict[str, Delivery], date: datetime.date, route) -> RouteTimeline:
    """A planned route's figures as ``route_create`` stores them."""
    midnight = at(date, datetime.time(0))
    kg = [Decimal(v) / 1000 for v in route.initial_load[:2]]
    previous, figures, stops = 0, [], problem.stop_index()
    for visit in route.visits:
        delivery = deliveries[visit.stop]
        here = stops[visit.stop].location
        figures.append(StopFigures(
            delivery_id=delivery.pk, planned_arrival=midnight + datetime.timedelta(seconds=visit.start),
            distance_from_previous_km=(Decimal(int(problem.distance[previous, here])) / 1000).quantize(Decimal("0.001")),
            load_after_kg=(Decimal(visit.load[0]) / 1000).quantize(Decimal("0.001")),
            load_after_l=(Decimal(visit.load[1]) / 1000).quantize(Decimal("0.001")), load_after_parcels=visit.load[2]))
        previous = here
    return RouteTimeline(departs_at=midnight + datetime.timedelta(seconds=route.start_time),
                         returns_at=midnight + datetime.timedelta(seconds=route.end_time),
                         distance_km=(Decimal(route.distance) / 1000).quantize(Decimal("0.001")), stops=tuple(figures),
                         load_kg=kg[0], load_l=kg[1], load_parcels=route.initial_load[2])


@dataclass(frozen=True)
class Baseline:
    """The day's deliveries handed out nearest-first (``planning.nearest_neighbour``: one vehicle after
    another takes the nearest stop it can still serve), costed as the plan's routes are stored."""

    cost_amount: Decimal
    distance_km: Decimal
    stops: int  # served: a naive dispatch may leave out stops the plan serves (and the other way round)
    routes: int

    def payload(self) -> dict:
        return {"nearest_cost_amount": str(self.cost_amount), "nearest_distance_km": str(self.distance_km),
                "nearest_stops": self.stops, "nearest_routes": self.routes}


def nearest_baseline(problem: Problem) -> Baseline:
    """What naive nearest-neighbour dispatch of ``problem`` (the whole day, every vehicle of the plan)
    would cost: solver-like work, run outside any transaction (one query, the vehicles' rates)."""
    plan = evaluate_plan(problem, nearest_neighbour(problem))
    rows = Vehicle.objects.in_bulk([int(route.vehicle[1:]) for route in plan.routes])
    cost, distance = Decimal("0.00"), Decimal("0.000")
    for route in plan.routes:
        km_ = (Decimal(route.distance) / 1000).quantize(Decimal("0.001"))
        cost += route_cost(vehicle=rows.get(int(route.vehicle[1:])), distance_km=km_,
                           duration_minutes=max(0, (route.end_time - route.start_time) // 60))
        distance += km_
    return Baseline(cost_amount=cost, distance_km=distance, stops=sum(len(r.visits) for r in plan.routes),
                    routes=len(plan.routes))


def _check_unchanged(run: PlanningRun, day: Day, routes: list[Route]) -> None:
    """Under the locks: the routes read as replaceable are still not started, and no delivery of the plan
    went on a route the plan did not read (another plan of the day, or a dispatcher, wrote first)."""
    moved = [r.number for r in routes if r.state not in NOT_STARTED]
    known = [*day.replaceable, *(r.pk for r in day.locked_routes)]
    taken = list(Stop.objects.filter(holds__in=[d.pk for d in day.deliveries.values()]).exclude(route__in=known)
                 .values_list("route__number", flat=True).distinct())
    if moved or taken:
        which = ", ".join(sorted({*moved, *taken})[:5])
        raise PlanningConflict(f"The day changed while it was planned (routes {which}): nothing was written; plan it again.",
                               extra={"routes": sorted({*moved, *taken})})


def _trip(day: Day, route) -> Trip:
    vehicle, driver = day.pairs[route.vehicle]
    return Trip(id=route.vehicle, licence=LICENCE_RANK[LicenceClass(vehicle.licence_required)], start=route.start_time,
                end=route.end_time, preferred=str(driver.pk), licence_name=vehicle.licence_required)


def _unassigned(day: Day, plan: Plan) -> list[dict]:
    rows = list(day.left_out)
    for item in plan.unassigned:
        delivery = day.deliveries[item.stop]
        rows.append({"delivery_id": delivery.pk, "order_number": delivery.order_number, "reason": str(item.reason),
                     "text": item.text})
    return rows


def _write(run: PlanningRun, day: Day, plan: Plan, baseline: Baseline) -> PlanningRun:
    date = run.date
    with telemetry.command_span("commerce.plan.write", centre_id=run.centre_id), transaction.atomic():
        # Every row the write touches, locked first in the lock order (routes, then deliveries, each in
        # one call): the commands below lock only rows held already.
        routes = lock(Kind.ROUTE, Route.objects.filter(pk__in=day.replaceable))
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=[d.pk for d in day.deliveries.values()]))
        _check_unchanged(run, day, routes)
        reason = f"Replaced by planning run {run.pk}."
        for route_id in day.replaceable:
            route_cancel(route=route_id, reason=reason)
        new_routes = [route for route in plan.routes if not route.locked and route.visits]
        drivers = {str(d.pk): d for d in _drivers_on_shift(run.centre_id, date, replaced=day.replaceable)}
        staffed = crews.staff([_trip(day, route) for route in new_routes], [_crew(d) for d in drivers.values()])
        created, unstaffed = [], {u.id: u.text for u in staffed.unstaffed}
        for route in new_routes:
            vehicle, _ = day.pairs[route.vehicle]
            driver = drivers.get(staffed.pairs.get(route.vehicle, ""))
            timeline = _timeline(day, date, route)
            made = route_create(centre=run.centre_id, date=date, timeline=timeline, driver=driver,
                                vehicle=vehicle if driver is not None else None,
                                delivery_ids=[f.delivery_id for f in timeline.stops])
            created.append(made)
            if driver is None:
                hours = f"{timezone.localtime(timeline.departs_at):%H:%M}-{timezone.localtime(timeline.returns_at):%H:%M}"
                day.notes.append(f"Route {made.number} (planned for {vehicle.registration}, {hours}) has no driver: "
                                 f"{unstaffed[route.vehicle]}.")
        kept = day.locked_routes
        unassigned = _unassigned(day, plan)
        currency = created[0].currency if created else (kept[0].currency if kept else run.currency)
        cost = sum((r.cost_amount for r in [*created, *kept] if r.currency == currency), Decimal("0.00"))
        distance = sum((r.distance_km for r in [*created, *kept]), Decimal("0.000"))
        stops = sum(len(r.visits) for r in plan.routes)
        run = lock_get(Kind.PLANNING_RUN, PlanningRun.objects.filter(pk=run.pk))
        run.status, run.finished_at = S.DONE, timezone.now()
        run.solver, run.solver_status, run.wall_time = plan.solver, str(plan.status), round(plan.wall_time, 3)
        run.routes, run.stops, run.unassigned = len(created) + len(kept), stops, unassigned
        run.currency, run.cost_amount, run.distance_km = currency, cost, distance
        run.nearest_cost_amount, run.nearest_distance_km, run.nearest_stops = baseline.cost_amount, baseline.distance_km, baseline.stops
        run.notes = [*day.notes, *plan.notes][:20]
        run.save()
        record(events.PlanCreated(
            run_id=run.pk, centre_id=run.centre_id, date=date.isoformat(), route_ids=[r.pk for r in created],
            replaced_route_ids=day.replaceable, kept_route_ids=[r.pk for r in kept], stops=stops, unassigned=unassigned,
            cost_amount=str(cost), currency=currency, distance_km=str(distance), solver=plan.solver,
            solver_status=str(plan.status), wall_time=run.wall_time, **baseline.payload()))
        return run


def _progress_recorder(run_id: int, currency: str):
    """Stores the solver's progress on the run as it comes (``plan_routes(progress=...)``): one UPDATE in
    autocommit, no transaction held while solving. Not an audit event: it is high-volume tracking of a
    run whose state does not change (its start and its end are the events)."""

    def receive(progress: Progress) -> None:
        PlanningRun.objects.filter(pk=run_id, status=S.RUNNING).update(progress={
            "elapsed": progress.elapsed, "time_limit": progress.time_limit,
            "best_cost": str(Decimal(str(progress.cost)).quantize(Decimal("0.01"))), "currency": currency,
            "served": progress.served, "stops": progress.stops, "solutions": progress.solutions,
            "updated_at": timezone.now().isoformat(),
        })

    return receive


def _fail(run: PlanningRun, error: str) -> PlanningRun:
    with telemetry.command_span("commerce.plan.fail", centre_id=run.centre_id), transaction.atomic():
        run = lock_get(Kind.PLANNING_RUN, PlanningRun.objects.filter(pk=run.pk))
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
        run = lock_one(Kind.PLANNING_RUN, PlanningRun.objects.filter(pk=run_id))
        if run is None:
            raise PlanningRunNotFound("No such planning run.")
        if run.status == S.DONE or (run.status == S.RUNNING and not _stale(run)):
            return run
        run.status, run.started_at, run.error, run.progress = S.RUNNING, timezone.now(), "", {}
        run.save(update_fields=["status", "started_at", "error", "progress"])
    try:
        day = read_day(run.centre, run.date)
        plan = solve(day.problem, backend=run.backend or None, time_limit=run.time_limit, warm_start=day.warm or None,
                     progress=_progress_recorder(run.pk, day.currency))
        return _write(run, day, plan, nearest_baseline(day.problem))
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
