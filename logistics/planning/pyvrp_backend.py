"""The PyVRP back end (PyVRP 0.14: iterated local search over HGS's neighbourhoods, C++ core).

``ProblemData`` is built directly from numpy matrices (no edge by edge): a depot per centre with its
opening hours (time left out entirely when it cannot bind nor cost: plain CVRP, ``scaling.time_matters``); a location per stop; vehicle types grouping identical vehicles (same centres,
capacity, shift and rates), with the shift as the type's time window; costs scaled as in
``scaling``. Optional stops are clients with ``required=False`` and their penalty as prize.

Several time windows per stop are not native in PyVRP. A stop with k windows becomes k clients at
the same location, one per window, in a *mutually exclusive client group*: at most one of them is
visited (exactly one when the stop is mandatory), and each carries the stop's prize. This is exact
(the solver chooses the window; the copies share a location, so no distance is invented) and costs
only k-1 extra clients. A required centre is a routing *profile* (PyVRP 0.14 has no other way to keep a
client from a vehicle type): vehicles of that centre drive on a copy of the matrices in which every
arc into a stop bound to another centre costs ``UNREACHABLE`` metres and lasts past the horizon (its
diagonal stays zero, as PyVRP requires).

The search starts from the warm start, else from PyVRP's own random start (measured: starting from the
nearest-neighbour dispatch trapped it, a 300-stop day kept the dispatch's 100 stops left out, while
the random start served all). It stops at the deadline (``_Deadline``); each new best solution is reported (at most one each
``REPORT_EVERY`` seconds) and the final one at the end: the caller keeps the last it received in
time (the first local search on a large random start can run past a short limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyvrp
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import OPERATORS, LocalSearch, NeighbourhoodParams, PerturbationManager, PerturbationParams, compute_neighbours

from logistics.planning import scaling
from logistics.planning.evaluate import departure_window, evaluate_route
from logistics.planning.model import Problem

REPORT_EVERY = 0.5
NAME = "pyvrp"
UNREACHABLE = 10**9


class _Deadline:
    """Stop at a moment, not after a duration: PyVRP's ``MaxRuntime`` starts counting at its first call,
    after the first local search on the random start (a second on a 250-stop day), so it overran."""

    def __init__(self, moment: float):
        self.moment = moment

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.moment


class _Callbacks(pyvrp.IteratedLocalSearchCallbacks):
    def __init__(self, send):
        self.send, self.last = send, 0.0

    def on_start(self, ils):
        if ils.initial_solution.is_feasible():
            self.send(ils.initial_solution)

    def on_best(self, best):
        now = time.monotonic()
        if now - self.last >= REPORT_EVERY:
            self.last = now
            self.send(best)


def build(problem: Problem):
    """The ``ProblemData`` for ``problem``, and how to read its solutions back."""
    centres = list(problem.centres)
    centre_index = {c.id: i for i, c in enumerate(centres)}
    stops = list(problem.stops)
    locs = np.array([c.location for c in centres] + [s.location for s in stops])
    distance = problem.distance[np.ix_(locs, locs)].astype(np.int64)
    duration = problem.duration[np.ix_(locs, locs)].astype(np.int64)
    locations = [pyvrp.Location(x=problem.locations[i].lon, y=problem.locations[i].lat) for i in locs]
    timed = scaling.time_matters(problem, duration)
    if not timed:  # plain CVRP: no window, shift or rate per hour can bind, so time stays out of the search
        duration = np.zeros_like(duration)
    depots = [pyvrp.Depot(location=i, tw_early=c.opens, tw_late=c.closes, name=c.id) if timed else pyvrp.Depot(location=i, name=c.id)
              for i, c in enumerate(centres)]

    scale = scaling.cost_scale(problem)
    mandatory = scaling.mandatory_penalty(problem, scale)
    clients, groups, client_stop = [], [], []
    for s, stop in enumerate(stops):
        location = len(centres) + s
        prize = scaling.penalty(stop, mandatory, scale)
        required = stop.penalty is None
        windows = stop.windows or ()
        if len(windows) <= 1:
            early, late = (windows[0].start, windows[0].end) if windows else (0, scaling.horizon(problem))
            timing = {"service_duration": stop.service, "tw_early": early, "tw_late": late} if timed else {}
            clients.append(pyvrp.Client(location=location, delivery=list(stop.demand), **timing,
                                        prize=0 if required else prize, required=required, name=stop.id))
            client_stop.append(s)
            continue
        group = pyvrp.ClientGroup(required=required, name=stop.id)
        for window in windows:
            group.add_client(len(clients))
            clients.append(pyvrp.Client(location=location, delivery=list(stop.demand), service_duration=stop.service,
                                        tw_early=window.start, tw_late=window.end, prize=0 if required else prize,
                                        required=False, group=len(groups), name=stop.id))
            client_stop.append(s)
        groups.append(group)

    # Profiles: the base matrices, and one per centre whose vehicles may not serve some stops.
    distances, durations, profile_of = [distance], [duration], {}
    if any(stop.centre for stop in stops):
        late = scaling.horizon(problem) + 1
        for centre in centres:
            barred = [len(centres) + s for s, stop in enumerate(stops) if stop.centre not in (None, centre.id)]
            if not barred:
                continue
            d, t = distance.copy(), duration.copy()
            # Barred: every arc into the stop, but not the stop's own diagonal entry, which PyVRP
            # requires to stay zero (it refuses the data otherwise). The duration only just past the
            # horizon (any arrival on it is late): a duration of UNREACHABLE made the first local
            # search crawl (measured: 22 s instead of 0.04 s on 60 bound stops).
            d[:, barred] = UNREACHABLE
            t[:, barred] = late
            d[barred, barred] = 0
            t[barred, barred] = 0
            profile_of[centre.id] = len(distances)
            distances.append(d)
            durations.append(t)

    kinds: dict[tuple, list[str]] = {}
    for vehicle in problem.vehicles:
        earliest, latest = departure_window(problem, vehicle)
        key = (vehicle.start_centre, vehicle.end_centre, tuple(vehicle.capacity), earliest, latest,
               scaling.fixed(vehicle, scale), scaling.per_metre(vehicle, scale), scaling.per_second(vehicle, scale))
        kinds.setdefault(key, []).append(vehicle.id)
    vehicle_types, type_vehicles = [], []
    for key, ids in kinds.items():
        start, end, capacity, earliest, latest, fixed_cost, per_metre, per_second = key
        timing = {"tw_early": earliest, "tw_late": max(earliest, latest)} if timed else {}
        vehicle_types.append(pyvrp.VehicleType(
            num_available=len(ids), capacity=list(capacity), start_depot=centre_index[start],
            end_depot=centre_index[end], fixed_cost=fixed_cost, **timing, unit_distance_cost=per_metre, unit_duration_cost=per_second, profile=profile_of.get(start, 0),
            name=",".join(ids),
        ))
        type_vehicles.append(ids)
    data = pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
                             distance_matrices=distances, duration_matrices=durations, groups=groups)
    return data, client_stop, type_vehicles


def read(solution, stops, client_stop, type_vehicles) -> list[tuple[str, list[str]]]:
    free = [list(ids) for ids in type_vehicles]
    out = []
    for route in solution.routes():
        order = [stops[client_stop[activity.idx]].id for activity in route.schedule()
                 if activity.type == pyvrp.ActivityType.CLIENT]
        if order:
            out.append((free[route.vehicle_type()].pop(0), order))
    return out


def solve(problem: Problem, *, time_limit: float, warm_start: list[tuple[str, list[str]]] | None,
          seed: int, report: Callable[[list[tuple[str, list[str]]]], None]) -> None:
    began = time.monotonic()
    stops = list(problem.stops)
    if not stops or not problem.vehicles:
        report([])
        return
    data, client_stop, type_vehicles = build(problem)

    def send(solution):
        report(read(solution, stops, client_stop, type_vehicles))

    initial = _initial(problem, data, client_stop, type_vehicles, warm_start) if warm_start else None
    if initial is not None:
        send(initial)
    result = _search(data, _Deadline(began + time_limit), seed=seed, callbacks=_Callbacks(send), initial=initial)
    send(result.best)


def _search(data, stop, *, seed, callbacks, initial):
    """``pyvrp.solve``, with penalties sized to the data (as PyVRP did before 0.10): an excess unit of load
    or a second of lateness first costs what an average arc costs per unit of demand or time, and may
    grow a thousandfold. PyVRP's fixed default range assumes costs of about one per distance unit; with
    parcels as the load unit and costs scaled to metres the search could not afford to be feasible."""
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    local_search = LocalSearch(data, rng, compute_neighbours(data, NeighbourhoodParams()),
                               PerturbationManager(PerturbationParams()))
    for operator in OPERATORS:
        if operator.supports(data):
            local_search.add_operator(operator(data))
    kind = data.vehicle_type(0)
    distance, duration = data.distance_matrix(0), data.duration_matrix(0)
    arc = float(distance.mean()) * kind.unit_distance_cost + float(duration.mean()) * kind.unit_duration_cost
    arc = max(arc, 1.0)
    clients = data.clients()
    loads = [arc / max(1.0, float(np.mean([c.delivery[d] for c in clients]))) for d in range(data.num_load_dimensions)]
    lateness = arc / max(1.0, float(duration.mean()))
    top = max([*loads, lateness, 1.0])
    params = PenaltyParams(min_penalty=0.1, max_penalty=max(100_000.0, 1000 * top))
    manager = PenaltyManager((loads, lateness, top), params)
    if initial is None:
        initial = local_search(pyvrp.Solution.make_random(data, rng), manager.max_cost_evaluator(), exhaustive=True)
    search = pyvrp.IteratedLocalSearch(data, manager, local_search, initial, pyvrp.IteratedLocalSearchParams(callbacks=callbacks))
    return search.run(stop, collect_stats=False)


def _initial(problem, data, client_stop, type_vehicles, warm_start):
    """The warm start as a PyVRP solution: each stop's copy whose window the route meets."""
    stops = list(problem.stops)
    stop_pos = {stop.id: s for s, stop in enumerate(stops)}
    copies: dict[int, list[int]] = {}
    for client, s in enumerate(client_stop):
        copies.setdefault(s, []).append(client)
    type_of = {vid: t for t, ids in enumerate(type_vehicles) for vid in ids}
    used = [0] * len(type_vehicles)
    routes, seen = [], set()
    for vehicle_id, order in warm_start:
        kept = [sid for sid in order if sid in stop_pos and sid not in seen]
        t = type_of.get(vehicle_id)
        if t is None or not kept or used[t] >= len(type_vehicles[t]):
            continue
        route = evaluate_route(problem, vehicle_id, kept)
        visits = []
        for visit in route.visits:
            stop = stops[stop_pos[visit.stop]]
            pick = copies[stop_pos[visit.stop]][0]
            for k, window in enumerate(stop.windows):
                if window.start <= visit.start <= window.end:
                    pick = copies[stop_pos[visit.stop]][k]
                    break
            visits.append(pick)
        seen.update(kept)
        used[t] += 1
        routes.append(pyvrp.Route(data, visits, t))
    try:
        return pyvrp.Solution(data, routes)
    except (ValueError, RuntimeError):
        return None
