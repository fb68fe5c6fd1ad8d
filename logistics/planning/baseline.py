"""Naive nearest-neighbour dispatch: the baseline the planner is compared with, and its fallback.

One vehicle after another leaves its centre and drives to the nearest stop it can still serve (the
load fits, a window can be met, and it gets back within its shift and the centre's hours), until no
stop fits; then the next vehicle goes. Feasible by construction, fast (numpy over the stops left),
and far from optimal: it is what a dispatcher without a planner would do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from logistics.planning.evaluate import departure_window
from logistics.planning.model import Problem, Stop, Vehicle

INF = 10**12


def nearest_neighbour(problem: Problem, stops: Sequence[Stop] | None = None,
                      vehicles: Sequence[Vehicle] | None = None) -> list[tuple[str, list[str]]]:
    """Routes as ``(vehicle id, [stop ids])`` for ``stops`` (all of the problem's by default)."""
    stops = list(problem.stops if stops is None else stops)
    vehicles = list(problem.vehicles if vehicles is None else vehicles)
    if not stops:
        return []
    n = len(stops)
    locs = np.array([s.location for s in stops])
    service = np.array([s.service for s in stops], dtype=np.int64)
    demand = np.array([s.demand for s in stops], dtype=np.int64).reshape(n, len(problem.dimensions))
    width = max(1, max(len(s.windows) for s in stops))
    w_start = np.zeros((n, width), dtype=np.int64)
    w_end = np.full((n, width), -1, dtype=np.int64)
    for i, stop in enumerate(stops):
        if not stop.windows:
            w_end[i, 0] = INF
        for k, window in enumerate(stop.windows):
            w_start[i, k], w_end[i, k] = window.start, window.end
    centre_of = np.array([stop.centre or "" for stop in stops])
    left = np.ones(n, dtype=bool)
    routes = []
    for vehicle in vehicles:
        if not left.any():
            break
        earliest, latest = departure_window(problem, vehicle)
        here = problem.centre(vehicle.start_centre).location
        back = problem.centre(vehicle.end_centre).location
        allowed = (centre_of == "") | (centre_of == vehicle.start_centre)
        room = np.array(vehicle.capacity, dtype=np.int64)
        clock = earliest
        to_back = problem.duration[locs, back]
        order = []
        while True:
            arrival = clock + problem.duration[here, locs]
            open_ = arrival[:, None] <= w_end
            begin = np.where(open_, np.maximum(arrival[:, None], w_start), INF).min(axis=1)
            ok = left & allowed & (demand <= room).all(axis=1) & (begin + service + to_back <= latest)
            if not ok.any():
                break
            distance = np.where(ok, problem.distance[here, locs], INF)
            pick = int(np.argmin(distance))
            order.append(stops[pick].id)
            left[pick] = False
            room = room - demand[pick]
            clock = int(begin[pick] + service[pick])
            here = stops[pick].location
        if order:
            routes.append((vehicle.id, order))
    return routes
