"""Small planning problems and an independent check of a plan, for the planner's tests.

``check_plan`` re-derives everything a plan claims from the problem alone (it does not call the
planner's ``evaluate``): each stop served once or listed unassigned; per route the load against the
capacity, arrivals from the travel times, service inside a window, departure after service, the
shift and the centres' hours, the required centre, the distance and the cost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from logistics.planning import Centre, Location, Plan, Problem, Stop, TimeWindow, Vehicle

DATA = Path(__file__).parent / "data"
H = 3600


def grid_problem(*, stops: int = 12, centres: int = 1, vehicles: int = 2, capacity: int = 10, windows: bool = True,
                 seed: int = 1, penalty: float | None = 1000.0, shift=(8 * H, 18 * H), **extra) -> Problem:
    """Stops on a plane (1 unit = 1 km, 1 km = 60 s of driving), ``vehicles`` spread over the centres."""
    rng = np.random.default_rng(seed)
    points = [(10.0 * c, 0.0) for c in range(centres)] + [tuple(rng.uniform(-10, 10, 2)) for _ in range(stops)]
    xy = np.array(points)
    km = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(axis=2))
    distance = np.rint(km * 1000).astype(np.int64)
    duration = np.rint(km * 60).astype(np.int64)
    centre_list = tuple(Centre(id=f"c{c}", location=c, opens=7 * H, closes=20 * H) for c in range(centres))
    fleet = tuple(
        Vehicle(id=f"v{k}", start_centre=f"c{k % centres}", end_centre=f"c{k % centres}", capacity=(capacity, 100),
                shift=TimeWindow(*shift), fixed_cost=10.0, cost_per_km=1.0, cost_per_hour=20.0)
        for k in range(vehicles)
    )
    stop_list = []
    for i in range(stops):
        start = int(rng.integers(8, 15)) * H
        stop_list.append(Stop(id=f"s{i}", location=centres + i, demand=(int(rng.integers(1, 4)), 1),
                              windows=(TimeWindow(start, start + 2 * H),) if windows else (), service=300,
                              penalty=penalty))
    return Problem(locations=tuple(Location(lat=y, lon=x) for x, y in points), distance=distance, duration=duration,
                   centres=centre_list, vehicles=fleet, stops=tuple(stop_list), dimensions=("parcels", "volume"),
                   **extra)


def check_plan(problem: Problem, plan: Plan) -> None:
    """Assert that ``plan`` keeps every rule of ``problem``; computed here from scratch."""
    stops = problem.stop_index()
    vehicles = problem.vehicle_index()
    centres = {c.id: c for c in problem.centres}
    served = [sid for route in plan.routes for sid in route.stops]
    assert len(served) == len(set(served)), "a stop is served twice"
    left = [u.stop for u in plan.unassigned]
    assert sorted(served + left) == sorted(stops), "every stop is served or listed unassigned, once"
    assert len({route.vehicle for route in plan.routes}) == len(plan.routes), "a vehicle drives two routes"
    for route in plan.routes:
        vehicle = vehicles[route.vehicle]
        start, end = centres[vehicle.start_centre], centres[vehicle.end_centre]
        for d in range(len(problem.dimensions)):
            assert sum(stops[s].demand[d] for s in route.stops) <= vehicle.capacity[d], f"{route.vehicle} overloaded"
        assert route.start_time >= max(vehicle.shift.start, start.opens)
        here, clock, distance = start.location, route.start_time, 0
        for visit in route.visits:
            stop = stops[visit.stop]
            assert stop.centre in (None, vehicle.start_centre), f"{stop.id} served from the wrong centre"
            assert visit.arrival == clock + problem.duration[here, stop.location]
            assert visit.start >= visit.arrival
            assert not stop.windows or any(w.start <= visit.start <= w.end for w in stop.windows), f"{stop.id} outside its windows"
            assert visit.departure == visit.start + stop.service
            distance += int(problem.distance[here, stop.location])
            here, clock = stop.location, visit.departure
        distance += int(problem.distance[here, end.location])
        back = clock + int(problem.duration[here, end.location])
        assert route.end_time == back
        assert back <= min(vehicle.shift.end, end.closes), f"{route.vehicle} back after its shift or closing"
        assert route.distance == distance
        expected = vehicle.fixed_cost + distance / 1000 * vehicle.cost_per_km + (back - route.start_time) / 3600 * vehicle.cost_per_hour
        assert abs(route.cost - expected) < 1e-6
    assert abs(plan.cost - sum(r.cost for r in plan.routes)) < 1e-6
