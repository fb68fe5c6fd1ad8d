"""``plan_routes``: the one entry point that plans routes, whatever the back end.

1. Locked routes (already started) are kept exactly as given: their vehicles and stops leave the
   problem before solving and come back, evaluated, in the plan.
2. Stops no vehicle could serve are set aside with their reason: demand over every allowed vehicle's
   capacity, no allowed vehicle, or no window reachable within a shift and the centres' hours.
3. The back end searches in a child process until ``time_limit`` (see ``isolation``); its last
   solution received in time is used. If none came, the nearest-neighbour dispatch is (worked out
   here while the child searches, so the fallback costs no time after the deadline).
4. Every route is evaluated (``evaluate``) and, should a back end hand back something infeasible,
   repaired by taking stops out; every stop not served is listed with its reason.

So a plan always comes back, within ``time_limit`` plus a small margin (``MARGIN``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from logistics.planning import baseline, isolation, ortools_backend, pyvrp_backend
from logistics.planning.evaluate import evaluate_route, reachable, repair_route
from logistics.planning.model import Plan, PlanStatus, Problem, Route, Unassigned, UnassignedReason

BACKENDS = {"pyvrp": pyvrp_backend.solve, "ortools": ortools_backend.solve, "nearest": None}
MARGIN = 0.5  # seconds past the limit at most: killing the child, evaluating the routes
RESERVE = 0.1  # seconds of the limit kept for starting the child and reading its answer, plus RESERVE_PER_STOP
RESERVE_PER_STOP = 0.0005  # for the back end's last iteration past its own limit (measured: 0.4 s at 1,000 stops)
KILL_GRACE = 0.3  # the child's last report may come this long after the limit before it is killed
PROGRESS_EVERY = 1.0  # seconds between two progress reports at most


def default_backend(problem: Problem) -> str:
    """The back end measured best for this kind of problem (README, "Route planning"): PyVRP on every
    kind we measured: CVRP, time windows, several centres, from 100 to 2,000 stops."""
    return "pyvrp"


def plan_routes(problem: Problem, *, backend: str | None = None, time_limit: float = 5.0,
                warm_start: Plan | Sequence[tuple[str, Sequence[str]]] | None = None, seed: int = 0,
                isolate: bool = True, progress: Callable[[Progress], None] | None = None) -> Plan:
    """Plan ``problem`` with ``backend`` ("pyvrp", "ortools", "nearest"; the default for the problem when
    None) in at most ``time_limit`` seconds; ``warm_start``: a previous plan or routes to start from.
    ``progress`` is called in this process with each better solution the back end sends (at most once
    every ``PROGRESS_EVERY`` seconds, and never after the deadline): its cost, stops served, elapsed time."""
    began = time.monotonic()
    backend = backend or default_backend(problem)
    if backend not in BACKENDS:
        raise ValueError(f"unknown back end {backend!r}: choose from {', '.join(BACKENDS)}")
    stops = problem.stop_index()
    vehicles = problem.vehicle_index()

    # 1. Locked routes stay as they are.
    locked_routes: list[Route] = []
    locked_stops: set[str] = set()
    locked_vehicles: set[str] = set()
    for locked in problem.locked:
        order = [stops[sid] for sid in locked.stops if sid in stops and sid not in locked_stops]
        locked_routes.append(evaluate_route(problem, vehicles[locked.vehicle], order, locked=True))
        locked_stops.update(stop.id for stop in order)
        locked_vehicles.add(locked.vehicle)
    free_vehicles = [v for v in problem.vehicles if v.id not in locked_vehicles]
    free_stops = [s for s in problem.stops if s.id not in locked_stops]

    # 2. Stops no vehicle could serve.
    unassigned: list[Unassigned] = []
    servable = []
    can_reach = reachable(problem, free_stops, free_vehicles)
    for i, stop in enumerate(free_stops):
        allowed = [j for j, v in enumerate(free_vehicles) if stop.centre in (None, v.start_centre)]
        fits = [j for j in allowed if all(d <= c for d, c in zip(stop.demand, free_vehicles[j].capacity, strict=True))]
        if not allowed:
            unassigned.append(Unassigned(stop.id, UnassignedReason.NO_VEHICLE))
        elif not fits:
            unassigned.append(Unassigned(stop.id, UnassignedReason.CAPACITY))
        elif not any(can_reach[i, j] for j in fits):
            unassigned.append(Unassigned(stop.id, UnassignedReason.UNREACHABLE))
        else:
            servable.append(stop)
    sub = problem.replace(stops=tuple(servable), vehicles=tuple(free_vehicles), locked=())

    # 3. Search.
    warm = _warm_routes(warm_start, locked_vehicles)
    status, solver, notes = PlanStatus.SOLVED, backend, []
    routes_found, peak, cpu, fallback = None, 0, 0.0, None
    if backend != "nearest" and servable and free_vehicles:
        solve = BACKENDS[backend]
        deadline = began + time_limit
        reserve = RESERVE + min(0.1 * time_limit, RESERVE_PER_STOP * len(servable))
        budget = max(0.05, deadline - time.monotonic() - reserve)

        def work(report):
            solve(sub, time_limit=budget, warm_start=warm, seed=seed, report=report)

        watcher = _ProgressWatcher(sub, progress, began, time_limit, locked_routes) if progress else None
        outcome = isolation.run(work, deadline=deadline + KILL_GRACE, isolate=isolate,
                                meanwhile=lambda: baseline.nearest_neighbour(sub), on_solution=watcher)
        if watcher is not None and watcher.failed:
            notes.append("progress reports failed: " + watcher.failed)
        routes_found, peak, cpu, fallback = outcome.last, outcome.peak_kb, outcome.cpu_seconds, outcome.meanwhile
        if outcome.killed:
            status = PlanStatus.INTERRUPTED
            notes.append("the back end was stopped at the time limit")
        if outcome.error:
            notes.append("the back end failed: " + outcome.error.strip().splitlines()[-1])
    if routes_found is None:
        if backend != "nearest":
            status = PlanStatus.FALLBACK
            solver = f"{backend}+nearest"
        routes_found = fallback if fallback is not None else baseline.nearest_neighbour(sub)

    # 4. Evaluate, repair, and account for every stop; a back end's answer that needed repair is kept
    #    only if it still beats the fallback.
    routes, unassigned_now, repair_notes = _assemble(sub, routes_found, locked_routes, locked_stops, servable)
    if repair_notes and routes_found is not fallback and backend != "nearest":
        fallback = fallback if fallback is not None else baseline.nearest_neighbour(sub)
        other = _assemble(sub, fallback, locked_routes, locked_stops, servable)
        if _objective(problem, other) < _objective(problem, (routes, unassigned_now, repair_notes)):
            routes, unassigned_now, repair_notes = other
            status, solver = PlanStatus.FALLBACK, f"{backend}+nearest"
            notes.append("the back end's solution broke rules; the nearest-neighbour dispatch was better")
    notes.extend(repair_notes)
    unassigned.extend(unassigned_now)
    penalty = sum(stops[u.stop].penalty or 0.0 for u in unassigned)
    return Plan(routes=tuple(routes), unassigned=tuple(unassigned), solver=solver, status=status,
                wall_time=time.monotonic() - began, penalty=penalty, notes=tuple(notes),
                peak_memory_kb=peak, solver_cpu_seconds=cpu)


@dataclass(frozen=True)
class Progress:
    """The search so far: the best solution received (its routes' cost, stops served of ``stops``), after
    ``elapsed`` of ``time_limit`` seconds, the ``solutions``-th received."""

    elapsed: float
    time_limit: float
    cost: float
    served: int
    stops: int
    solutions: int


class _ProgressWatcher:
    """Costs each solution the back end sends (``evaluate``) and passes it on, throttled; an error in the
    receiver (a database gone away) stops the reports, never the search."""

    def __init__(self, sub: Problem, receiver, began: float, time_limit: float, locked: list[Route]):
        self.sub, self.receiver, self.began, self.time_limit = sub, receiver, began, time_limit
        self.locked, self.locked_cost = sum(len(r.visits) for r in locked), sum(r.cost for r in locked)
        self.stops = len(sub.stops) + self.locked
        self.count, self.last, self.failed = 0, float("-inf"), ""

    def __call__(self, routes) -> None:
        self.count += 1
        now = time.monotonic()
        if self.failed or now - self.last < PROGRESS_EVERY or now - self.began > self.time_limit:
            return
        self.last = now
        vehicles, stops = self.sub.vehicle_index(), self.sub.stop_index()
        evaluated = [evaluate_route(self.sub, vehicles[v], [stops[s] for s in order if s in stops])
                     for v, order in routes if v in vehicles]
        try:
            self.receiver(Progress(elapsed=round(now - self.began, 3), time_limit=self.time_limit,
                                   cost=self.locked_cost + sum(r.cost for r in evaluated), served=self.locked + sum(len(r.visits) for r in evaluated),
                                   stops=self.stops, solutions=self.count))
        except Exception as error:  # noqa: BLE001 - the plan matters more than its progress reports
            self.failed = f"{type(error).__name__}: {error}"


def _assemble(sub: Problem, found, locked_routes, locked_stops, servable):
    """Routes evaluated (and repaired), the servable stops left out, and notes on repairs."""
    routes = list(locked_routes)
    served: set[str] = set(locked_stops)
    sub_stops = sub.stop_index()
    sub_vehicles = sub.vehicle_index()
    used_vehicles: set[str] = set()
    notes = []
    for vehicle_id, order in found:
        if vehicle_id not in sub_vehicles or vehicle_id in used_vehicles:
            continue
        chosen = [sub_stops[sid] for sid in order if sid in sub_stops and sid not in served]
        route, removed = repair_route(sub, sub_vehicles[vehicle_id], chosen)
        if removed:
            notes.append(f"route {vehicle_id}: {len(removed)} stops taken out to keep it feasible")
        if route.visits:
            routes.append(route)
            used_vehicles.add(vehicle_id)
            served.update(route.stops)
    left = [Unassigned(stop.id, UnassignedReason.PENALTY) for stop in servable if stop.id not in served]
    return routes, left, notes


def _objective(problem: Problem, assembled) -> float:
    routes, left, _ = assembled
    stops = problem.stop_index()
    mandatory = 1e12
    return sum(r.cost for r in routes) + sum(stops[u.stop].penalty if stops[u.stop].penalty is not None else mandatory
                                             for u in left)

def evaluate_plan(problem: Problem, routes: Sequence[tuple[str, Sequence[str]]]) -> Plan:
    """Plan mode for a whole day: the routes as given (vehicle, stop order), evaluated without solving."""
    began = time.monotonic()
    evaluated = [evaluate_route(problem, vehicle, list(order)) for vehicle, order in routes]
    served = {sid for route in evaluated for sid in route.stops}
    left = tuple(Unassigned(stop.id, UnassignedReason.PENALTY) for stop in problem.stops if stop.id not in served)
    return Plan(routes=tuple(r for r in evaluated if r.visits), unassigned=left, solver="hand", status=PlanStatus.EVALUATED,
                wall_time=time.monotonic() - began, penalty=sum(problem.stop_index()[u.stop].penalty or 0.0 for u in left))


def _warm_routes(warm_start, locked_vehicles) -> list[tuple[str, list[str]]] | None:
    if warm_start is None:
        return None
    pairs = [(r.vehicle, list(r.stops)) for r in warm_start.routes] if isinstance(warm_start, Plan) else warm_start
    return [(vehicle, list(order)) for vehicle, order in pairs if vehicle not in locked_vehicles]
