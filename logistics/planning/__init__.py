"""The route planner: pure Python (numpy, OR-Tools, PyVRP), no Django, so it runs and is measured alone.

The import contract ``logistics-planning-is-pure`` keeps it so: nothing here imports Django, the
core or the app's models. The services that plan real routes build a ``Problem`` from the
database, call ``plan_routes`` outside any transaction, and write the ``Plan`` back in one.

The API (everything below is importable from ``logistics.planning``):

Problem in (``model``; metres, seconds from midnight, integer demand per dimension, float costs)::

    distance, duration = haversine_matrices(locations, road_factor=1.3, speed_kmh=30)
    problem = Problem(
        locations=(Location(lat, lon), ...), distance=distance, duration=duration,
        centres=(Centre(id="c1", location=0, opens=6 * 3600, closes=22 * 3600), ...),
        vehicles=(Vehicle(id="van-1", start_centre="c1", end_centre="c1", capacity=(800_000, 6_000_000, 120),
                          shift=TimeWindow(7 * 3600, 17 * 3600), fixed_cost=40, cost_per_km=0.6,
                          cost_per_hour=22), ...),
        stops=(Stop(id="d42", location=7, demand=(12_000, 40_000, 2), windows=(TimeWindow(9 * 3600, 11 * 3600),),
                    service=300, penalty=200.0, centre=None), ...),
        dimensions=("weight_g", "volume_cm3", "parcels"),
        locked=(LockedRoute(vehicle="van-3", stops=("d7", "d9")),),   # started routes: kept untouched
    )

Plan out::

    plan = plan_routes(problem, backend=None, time_limit=30, warm_start=previous_plan, progress=None)
    plan.routes        # Route(vehicle, visits=(Visit(stop, arrival, start, departure, load, lateness), ...),
                       #       start_time, end_time, distance, duration, cost, initial_load, locked)
    plan.unassigned    # Unassigned(stop, reason: UnassignedReason: capacity | no_vehicle | unreachable | penalty)
    plan.cost, plan.penalty, plan.distance, plan.duration, plan.solver, plan.status, plan.wall_time

* ``plan_routes`` always returns a plan, within ``time_limit`` plus ``planner.MARGIN`` seconds, on
  any input (the back end runs in a child process killed at the deadline; the nearest-neighbour
  dispatch stands in if it sent nothing). ``backend``: "pyvrp", "ortools" or "nearest"; ``None``
  takes ``default_backend(problem)``, the one measured best (README, "Route planning").
* ``progress``: a callable given a ``Progress`` (best cost so far, stops served, elapsed seconds) as better
  solutions arrive, at most once a second, in the calling process (the services store it on the run).
* ``warm_start``: a previous ``Plan`` or ``[(vehicle id, [stop ids])]``; stops or vehicles that are
  gone are skipped, infeasible routes ignored.
* Plan mode: ``evaluate(problem, vehicle, stop_order)`` gives one ``Route`` (arrivals, loads,
  lateness, excess load, cost) for an order fixed by hand; ``evaluate_plan(problem, routes)`` a
  whole ``Plan``.
* ``nearest_neighbour(problem)``: the naive dispatch baseline, as routes.
* ``readers``: CVRPLIB/TSPLIB and Solomon instances as problems (``manage.py solve_vrp``);
  ``synthetic.synthetic_day``: a generated delivery day (the bench, tests, demo data).
"""

from logistics.planning.baseline import nearest_neighbour
from logistics.planning.evaluate import evaluate_route as evaluate
from logistics.planning.model import (
    Centre,
    Location,
    LockedRoute,
    Plan,
    PlanStatus,
    Problem,
    Route,
    Stop,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Vehicle,
    Visit,
    haversine_matrices,
)
from logistics.planning.planner import BACKENDS, Progress, default_backend, evaluate_plan, plan_routes

__all__ = [
    "BACKENDS", "Centre", "LockedRoute", "Location", "Plan", "PlanStatus", "Problem", "Progress", "Route", "Stop", "TimeWindow",
    "Unassigned", "UnassignedReason", "Vehicle", "Visit", "default_backend", "evaluate", "evaluate_plan",
    "haversine_matrices", "nearest_neighbour", "plan_routes",
]
