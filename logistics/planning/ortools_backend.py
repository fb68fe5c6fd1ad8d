"""The OR-Tools back end (``ortools.constraint_solver`` routing).

Nodes: one per centre that vehicles start or end at (several depots), then one per stop. Costs per
vehicle: an arc cost matrix per distinct rate per metre (``RegisterTransitMatrix``, no Python
callback per arc), the time dimension's span cost for the rate per second, a fixed cost per vehicle
used. One capacity dimension per demand dimension. The time dimension carries travel plus service
time with slack for waiting; a stop's cumul (service start) is limited to the hull of its windows
with the gaps between them removed; vehicle start and end cumuls to the shift and the centres' hours.
Each stop is a disjunction with its penalty (mandatory ones with more than any route costs), so
leaving a stop out is always possible and a first solution always exists. A required centre limits
the values of the stop's vehicle variable to its centre's vehicles. Search: the given warm start, else (stops with windows, all optional)
the nearest-neighbour dispatch, else PATH_CHEAPEST_ARC; then guided local search until the limit. Improving solutions are reported as they come (at most one each
``REPORT_EVERY`` seconds) and once more at the end, since OR-Tools may overrun its limit: the caller
keeps the last one it received in time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.planning import baseline, scaling
from logistics.planning.evaluate import departure_window, evaluate_route
from logistics.planning.model import Problem

REPORT_EVERY = 0.5
NAME = "ortools"


def solve(problem: Problem, *, time_limit: float, warm_start: list[tuple[str, list[str]]] | None,
          seed: int, report: Callable[[list[tuple[str, list[str]]]], None]) -> None:
    began = time.monotonic()
    # Only centres some vehicle starts or ends at are nodes: OR-Tools would make any other a stop.
    used = [c for c in problem.centres if any(c.id in (v.start_centre, v.end_centre) for v in problem.vehicles)]
    centres = {centre.id: i for i, centre in enumerate(used)}
    stops = list(problem.stops)
    vehicles = list(problem.vehicles)
    if not stops or not vehicles:
        report([])
        return
    first_stop = len(used)
    node_loc = np.array([c.location for c in used] + [s.location for s in stops])
    manager = pywrapcp.RoutingIndexManager(
        len(node_loc), len(vehicles),
        [centres[v.start_centre] for v in vehicles], [centres[v.end_centre] for v in vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)
    distance = problem.distance[np.ix_(node_loc, node_loc)]
    duration = problem.duration[np.ix_(node_loc, node_loc)]

    # Arc costs: one matrix per distinct rate per metre.
    scale = scaling.cost_scale(problem)
    by_rate: dict[float, int] = {}
    for v, vehicle in enumerate(vehicles):
        rate = vehicle.cost_per_km / 1000 * scale
        if rate not in by_rate:
            by_rate[rate] = routing.RegisterTransitMatrix(np.rint(distance * rate).astype(np.int64).tolist())
        routing.SetArcCostEvaluatorOfVehicle(by_rate[rate], v)
        routing.SetFixedCostOfVehicle(scaling.fixed(vehicle, scale), v)

    # Capacities, one dimension each.
    for d, name in enumerate(problem.dimensions):
        demand = [0] * first_stop + [int(s.demand[d]) for s in stops]
        callback = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(callback, 0, [int(v.capacity[d]) for v in vehicles], True, f"load_{d}_{name}")

    # Time: travel plus the service at the node left (left out when it cannot bind: plain CVRP).
    if scaling.time_matters(problem, duration):
        _add_time(problem, routing, manager, vehicles, stops, first_stop, duration, scale)

    # Leaving a stop out, and where it may go.
    mandatory = scaling.mandatory_penalty(problem, scale)
    for i, stop in enumerate(stops):
        index = manager.NodeToIndex(first_stop + i)
        routing.AddDisjunction([index], scaling.penalty(stop, mandatory, scale))
        if stop.centre is not None:
            # The stop's vehicle variable limited to its centre's vehicles, -1 (left out) kept so the
            # disjunction still holds. Not ``SetAllowedVehiclesForIndex``: ortools 9.15's Python binding
            # has no conversion for its ``absl::Span<const int>`` and refuses every argument.
            allowed = [v for v, vehicle in enumerate(vehicles) if vehicle.start_centre == stop.centre]
            routing.VehicleVar(index).SetValues([-1, *allowed])

    stop_ids = [s.id for s in stops]

    def routes_now(value: Callable[[int], int]) -> list[tuple[str, list[str]]]:
        out = []
        for v, vehicle in enumerate(vehicles):
            index = value(routing.Start(v))
            order = []
            while not routing.IsEnd(index):
                order.append(stop_ids[manager.IndexToNode(index) - first_stop])
                index = value(index)
            if order:
                out.append((vehicle.id, order))
        return out

    last = [0.0]

    def on_solution():
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY:
            last[0] = now
            report(routes_now(lambda index: routing.NextVar(index).Value()))

    routing.AddAtSolutionCallback(on_solution)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(max(0.05, time_limit - (time.monotonic() - began)) * 1000))
    routing.CloseModelWithParameters(params)

    def remaining():  # the limit counts from our start: building the model and the start took some
        params.time_limit.FromMilliseconds(int(max(0.05, time_limit - (time.monotonic() - began)) * 1000))
        return params

    solution = None
    if not warm_start and all(stop.penalty is not None for stop in stops) and any(stop.windows for stop in stops):
        # OR-Tools' own first solutions fail or crawl on time windows (its issues 2212, 3263): start
        # from the nearest-neighbour dispatch, feasible by construction, and let guided local search go.
        warm_start = baseline.nearest_neighbour(problem)
    if warm_start:
        initial, kept = _warm_routes(problem, vehicles, stops, first_stop, warm_start)
        assignment = routing.ReadAssignmentFromRoutes(initial, True)
        if assignment is not None:
            report(kept)
            solution = routing.SolveFromAssignmentWithParameters(assignment, remaining())
    if solution is None:
        solution = routing.SolveWithParameters(remaining())
    if solution is not None:
        report(routes_now(lambda index: solution.Value(routing.NextVar(index))))


def _add_time(problem, routing, manager, vehicles, stops, first_stop, duration, scale) -> None:
    horizon = scaling.horizon(problem)
    service = np.array([0] * first_stop + [s.service for s in stops], dtype=np.int64)
    time_callback = routing.RegisterTransitMatrix((duration + service[:, None]).tolist())
    routing.AddDimension(time_callback, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for i, stop in enumerate(stops):
        index = manager.NodeToIndex(first_stop + i)
        if stop.windows:
            windows = sorted(stop.windows, key=lambda w: w.start)
            clock.CumulVar(index).SetRange(windows[0].start, max(w.end for w in windows))
            reach = windows[0].end
            for window in windows[1:]:
                if window.start > reach + 1:
                    clock.CumulVar(index).RemoveInterval(reach + 1, window.start - 1)
                reach = max(reach, window.end)
    for v, vehicle in enumerate(vehicles):
        earliest, latest = departure_window(problem, vehicle)
        clock.CumulVar(routing.Start(v)).SetRange(earliest, max(earliest, latest))
        clock.CumulVar(routing.End(v)).SetRange(earliest, max(earliest, latest))
        clock.SetSpanCostCoefficientForVehicle(scaling.per_second(vehicle, scale), v)
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(v)))


def _warm_routes(problem, vehicles, stops, first_stop, warm_start):
    """The warm start's feasible routes, as OR-Tools nodes per vehicle and as (vehicle, stop ids)."""
    where = {stop.id: first_stop + i for i, stop in enumerate(stops)}
    index = {vehicle.id: v for v, vehicle in enumerate(vehicles)}
    routes: list[list[int]] = [[] for _ in vehicles]
    kept_routes = []
    for vehicle_id, order in warm_start:
        if vehicle_id not in index:
            continue
        kept = [stop_id for stop_id in order if stop_id in where]
        route = evaluate_route(problem, vehicles[index[vehicle_id]], kept)
        if route.feasible:
            routes[index[vehicle_id]] = [where[stop_id] for stop_id in kept]
            kept_routes.append((vehicle_id, kept))
    return routes, kept_routes
