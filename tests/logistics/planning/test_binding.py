"""Stops bound to a centre (``Stop.centre``): both back ends search with the binding (no fallback to the
nearest-neighbour dispatch), serve every bound stop from its centre, and a binding nobody can honour
comes back unassigned with its reason, within the time limit."""

import time

import numpy as np
import pytest

from logistics.planning import Centre, PlanStatus, Stop, UnassignedReason, plan_routes, pyvrp_backend
from logistics.planning.planner import MARGIN
from tests.logistics.planning.factories import check_plan, grid_problem

SOLVERS = ["pyvrp", "ortools"]


def bound_problem(stops=16):
    """Two centres 10 km apart, two vehicles each; every stop bound, alternately, to c0 and c1 (so about
    half of them are nearer the other centre: binding changes the plan)."""
    base = grid_problem(stops=stops, centres=2, vehicles=4, capacity=30)
    bound = tuple(Stop(s.id, s.location, s.demand, s.windows, s.service, s.penalty, centre=f"c{i % 2}")
                  for i, s in enumerate(base.stops))
    return base.replace(stops=bound)


def assert_searched(plan, backend):
    assert plan.solver == backend, plan.notes
    assert plan.status in (PlanStatus.SOLVED, PlanStatus.INTERRUPTED), plan.notes
    assert not any("failed" in note or "nearest" in note for note in plan.notes), plan.notes


@pytest.mark.parametrize("backend", SOLVERS)
def test_stops_bound_to_two_centres_are_planned_by_the_back_end_from_their_centres(backend):
    problem = bound_problem()

    plan = plan_routes(problem, backend=backend, time_limit=0.8)

    assert_searched(plan, backend)
    check_plan(problem, plan)  # includes: every bound stop served by a vehicle of its centre
    assert not plan.unassigned
    vehicles, stops = problem.vehicle_index(), problem.stop_index()
    for route in plan.routes:
        assert {stops[s].centre for s in route.stops} == {vehicles[route.vehicle].start_centre}
    assert {vehicles[r.vehicle].start_centre for r in plan.routes} == {"c0", "c1"}


@pytest.mark.parametrize("backend", SOLVERS)
def test_a_stop_bound_to_a_centre_without_vehicles_is_unassigned_with_its_reason_in_time(backend):
    problem = bound_problem(stops=12)
    orphan = Stop("orphan", 3, (1, 1), service=60, penalty=None, centre="c9")  # mandatory, yet nobody may serve it
    problem = problem.replace(stops=problem.stops + (orphan,), centres=problem.centres + (Centre("c9", 0),))

    began = time.monotonic()
    plan = plan_routes(problem, backend=backend, time_limit=0.6)

    assert time.monotonic() - began <= 0.6 + MARGIN
    assert_searched(plan, backend)
    check_plan(problem, plan)
    assert [(u.stop, u.reason) for u in plan.unassigned] == [("orphan", UnassignedReason.NO_VEHICLE)]
    assert plan.unassigned[0].text == "no vehicle may serve it"


def test_pyvrp_profiles_for_bound_stops_keep_a_zero_diagonal_and_bar_the_other_centres():
    problem = bound_problem(stops=6)

    data, client_stop, _ = pyvrp_backend.build(problem)

    assert data.num_profiles == 3  # the base matrices and one per centre
    for profile in range(data.num_profiles):
        assert not np.diagonal(data.distance_matrix(profile)).any()
        assert not np.diagonal(data.duration_matrix(profile)).any()
    for kind in data.vehicle_types():
        centre = problem.centres[kind.start_depot].id
        matrix = data.distance_matrix(kind.profile)
        for client, s in enumerate(client_stop):
            stop, at = problem.stops[s], data.num_depots + client
            barred = matrix[kind.start_depot, at] >= pyvrp_backend.UNREACHABLE
            assert barred == (stop.centre != centre), (centre, stop.id)


@pytest.mark.parametrize("backend", SOLVERS)
def test_sixty_bound_stops_are_searched_within_a_second(backend):
    # A barred arc lasting 10**9 s once made PyVRP's first local search take 22 s here: the fallback.
    problem = bound_problem(stops=60)

    plan = plan_routes(problem, backend=backend, time_limit=1.0)

    assert_searched(plan, backend)
    check_plan(problem, plan)
    assert plan.served >= 50  # four vehicles of 30 parcels: a few stops do not fit
