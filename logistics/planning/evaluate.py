"""Plan mode and the one place a route is costed: arrivals, loads, lateness and cost of a given stop order.

``evaluate_route`` (``evaluate`` in the package) simulates one vehicle driving the stops in the order
given: it leaves its start centre as late as it can without making any stop later (forward time
slack), waits for a stop's first window it can still make, and serves it; a stop reached after all
its windows is served at once and counted late. Every plan the solvers return is costed and checked
here, so the back ends never disagree on what a route costs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from logistics.planning.model import Problem, Route, Stop, Vehicle, Visit


def departure_window(problem: Problem, vehicle: Vehicle) -> tuple[int, int]:
    """When ``vehicle`` may leave its start centre at the earliest, and must be back at the latest."""
    start, end = problem.centre(vehicle.start_centre), problem.centre(vehicle.end_centre)
    return max(vehicle.shift.start, start.opens), min(vehicle.shift.end, end.closes)


def service_start(stop: Stop, arrival: int) -> tuple[int, int, int]:
    """(service start, lateness, window index) for ``stop`` reached at ``arrival``: the first window
    still open, waiting for it to begin; after every window, served at once and late."""
    if not stop.windows:
        return arrival, 0, -1
    for index, window in enumerate(stop.windows):
        if arrival <= window.end:
            return max(arrival, window.start), 0, index
    return arrival, arrival - stop.windows[-1].end, len(stop.windows) - 1


def _forward(problem: Problem, vehicle: Vehicle, stops: Sequence[Stop], depart: int):
    duration = problem.duration
    here = problem.centre(vehicle.start_centre).location
    clock = depart
    rows = []  # (arrival, start, departure, lateness, wait, slack)
    for stop in stops:
        arrival = clock + int(duration[here, stop.location])
        start, late, index = service_start(stop, arrival)
        slack = (stop.windows[index].end - start) if index >= 0 and not late else (0 if late else 10**12)
        rows.append((arrival, start, start + stop.service, late, start - arrival, slack))
        clock = start + stop.service
        here = stop.location
    end = clock + int(duration[here, problem.centre(vehicle.end_centre).location])
    return rows, end


def evaluate_route(problem: Problem, vehicle: Vehicle | str, stops: Sequence[Stop | str], *,
                   locked: bool = False) -> Route:
    """The route ``vehicle`` drives through ``stops`` in this order (plan mode: nothing is solved)."""
    if isinstance(vehicle, str):
        vehicle = problem.vehicle_index()[vehicle]
    index = None
    resolved = []
    for stop in stops:
        if isinstance(stop, str):
            index = index or problem.stop_index()
            stop = index[stop]
        resolved.append(stop)
    earliest, latest = departure_window(problem, vehicle)
    rows, end = _forward(problem, vehicle, resolved, earliest)
    # Leave later by what the route would only spend waiting, as long as no stop gets later.
    delay, waited = 10**12, 0
    for _, _, _, _, wait, slack in rows:
        waited += wait
        delay = min(delay, waited + slack)
    delay = max(0, min(delay, waited, waited + max(0, latest - end)))
    if delay:
        rows, end = _forward(problem, vehicle, resolved, earliest + delay)
    depart = earliest + delay

    dims = len(problem.dimensions)
    total = tuple(sum(stop.demand[d] for stop in resolved) for d in range(dims))
    load = list(total)
    visits = []
    distance = 0
    here = problem.centre(vehicle.start_centre).location
    for stop, (arrival, start, leave, late, _, _) in zip(resolved, rows, strict=True):
        for d in range(dims):
            load[d] -= stop.demand[d]
        visits.append(Visit(stop=stop.id, arrival=arrival, start=start, departure=leave, load=tuple(load), lateness=late))
        distance += int(problem.distance[here, stop.location])
        here = stop.location
    distance += int(problem.distance[here, problem.centre(vehicle.end_centre).location])
    lateness = sum(row[3] for row in rows) + max(0, end - latest)
    duration = end - depart
    if not resolved:
        cost, distance, duration, end = 0.0, 0, 0, depart
    else:
        cost = vehicle.fixed_cost + distance / 1000 * vehicle.cost_per_km + duration / 3600 * vehicle.cost_per_hour
    return Route(
        vehicle=vehicle.id, visits=tuple(visits), start_time=depart, end_time=end, distance=distance,
        duration=duration, cost=cost, initial_load=total, lateness=lateness,
        excess_load=tuple(max(0, total[d] - vehicle.capacity[d]) for d in range(dims)), locked=locked,
    )


def repair_route(problem: Problem, vehicle: Vehicle, stops: list[Stop]) -> tuple[Route, list[Stop]]:
    """The route made feasible by taking stops out (the latest one, or the one with the most demand over
    capacity, first): returns the route and the stops taken out."""
    removed: list[Stop] = []
    stops = list(stops)
    while True:
        route = evaluate_route(problem, vehicle, stops)
        if route.feasible or not stops:
            return route, removed
        if any(route.excess_load):
            over = [d for d, excess in enumerate(route.excess_load) if excess]
            victim = max(range(len(stops)), key=lambda i: sum(stops[i].demand[d] for d in over))
        else:
            late = [i for i, visit in enumerate(route.visits) if visit.lateness]
            victim = late[0] if late else len(stops) - 1
            if not late:  # late back at the centre: drop the stop whose removal saves the most time
                victim = max(range(len(stops)), key=lambda i: _detour(problem, vehicle, stops, i))
        removed.append(stops.pop(victim))


def _detour(problem: Problem, vehicle: Vehicle, stops: list[Stop], i: int) -> int:
    locs = [problem.centre(vehicle.start_centre).location, *(s.location for s in stops),
            problem.centre(vehicle.end_centre).location]
    t = problem.duration
    a, b, c = locs[i], locs[i + 1], locs[i + 2]
    return int(t[a, b] + t[b, c] - t[a, c]) + stops[i].service


def reachable(problem: Problem, stops: Sequence[Stop], vehicles: Sequence[Vehicle]) -> np.ndarray:
    """A (stops × vehicles) boolean array: can the vehicle serve the stop alone, within a window, its
    shift and its centres' opening hours?"""
    out = np.zeros((len(stops), len(vehicles)), dtype=bool)
    if not stops or not vehicles:
        return out
    locs = np.array([s.location for s in stops])
    service = np.array([s.service for s in stops])
    width = max(1, max(len(s.windows) for s in stops))
    starts = np.full((len(stops), width), 0, dtype=np.int64)
    ends = np.full((len(stops), width), -1, dtype=np.int64)
    for i, stop in enumerate(stops):
        if not stop.windows:
            starts[i, 0], ends[i, 0] = 0, 10**12
        for k, window in enumerate(stop.windows):
            starts[i, k], ends[i, k] = window.start, window.end
    for j, vehicle in enumerate(vehicles):
        earliest, latest = departure_window(problem, vehicle)
        if latest < earliest:
            continue
        home, back = problem.centre(vehicle.start_centre).location, problem.centre(vehicle.end_centre).location
        arrival = earliest + problem.duration[home, locs]
        ok = arrival[:, None] <= ends
        begin = np.maximum(arrival[:, None], starts)
        finish = begin + service[:, None] + problem.duration[locs, back][:, None]
        out[:, j] = (ok & (finish <= latest)).any(axis=1)
    return out
