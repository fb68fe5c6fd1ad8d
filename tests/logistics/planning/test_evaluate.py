"""Plan mode: the arrivals, loads, lateness and cost of a route whose order is fixed by hand (no solving)."""

import numpy as np
import pytest

from logistics.planning import (
    Centre,
    Location,
    Problem,
    Stop,
    TimeWindow,
    Vehicle,
    evaluate,
    evaluate_plan,
    haversine_matrices,
    nearest_neighbour,
)
from logistics.planning.evaluate import reachable
from tests.logistics.planning.factories import H, check_plan, grid_problem

NINE_TO_TEN = (TimeWindow(9 * H, 10 * H),)


def line_problem(windows_b=NINE_TO_TEN, capacity=(10,)):
    """Centre at 0, stop a at 10 km (600 s), stop b at 20 km; 1 km = 60 s."""
    km = np.array([[0, 10, 20], [10, 0, 10], [20, 10, 0]])
    return Problem(
        locations=(Location(0, 0), Location(0, 1), Location(0, 2)), distance=km * 1000, duration=km * 60,
        centres=(Centre("c", 0, opens=6 * H, closes=20 * H),),
        vehicles=(Vehicle("v", "c", "c", capacity, shift=TimeWindow(7 * H, 18 * H), fixed_cost=5, cost_per_km=0.5,
                          cost_per_hour=36),),
        stops=(Stop("a", 1, (3,), windows=(TimeWindow(8 * H, 12 * H),), service=120),
               Stop("b", 2, (4,), windows=windows_b, service=60)),
        dimensions=("parcels",),
    )


def test_evaluate_leaves_as_late_as_the_windows_allow_and_reports_arrivals_loads_and_cost():
    problem = line_problem()

    route = evaluate(problem, "v", ["a", "b"])

    # Leaving at 7:00 would wait at a (opens 8:00) and at b (opens 9:00): the vehicle leaves at 8:38 instead,
    # serves a at 8:48 and reaches b at 9:00 without waiting anywhere.
    a, b = route.visits
    assert (a.arrival, a.start, a.departure) == (8 * H + 48 * 60, 8 * H + 48 * 60, 8 * H + 50 * 60)
    assert (b.arrival, b.start, b.departure) == (9 * H, 9 * H, 9 * H + 60)
    assert route.start_time == 8 * H + 38 * 60
    assert route.end_time == 9 * H + 60 + 1200
    assert (a.load, b.load, route.initial_load) == ((4,), (0,), (7,))
    assert route.distance == 40_000
    assert route.duration == route.end_time - route.start_time == 2580
    assert route.cost == pytest.approx(5 + 40 * 0.5 + 2580 / 3600 * 36)
    assert route.feasible


def test_evaluate_counts_lateness_and_excess_load_instead_of_refusing():
    problem = line_problem(windows_b=(TimeWindow(7 * H, 7 * H + 60),), capacity=(5,))

    route = evaluate(problem, "v", ["a", "b"])

    # a cannot be served before 8:00, so b (closing 7:01) is reached at 8:00 + 120 + 600 s.
    assert route.visits[1].lateness == 8 * H + 720 - (7 * H + 60)
    assert route.excess_load == (2,)
    assert not route.feasible


def test_evaluate_waits_for_the_next_window_when_the_first_is_missed():
    problem = line_problem(windows_b=(TimeWindow(7 * H, 7 * H + 60), TimeWindow(13 * H, 14 * H)))

    route = evaluate(problem, "v", ["a", "b"])

    assert route.visits[1].start == 13 * H
    assert route.visits[1].lateness == 0 and route.feasible


def test_evaluate_plan_lists_what_the_hand_made_routes_leave_out():
    problem = line_problem()

    plan = evaluate_plan(problem, [("v", ["b"])])

    assert plan.served == 1
    assert [u.stop for u in plan.unassigned] == ["a"]
    assert plan.status == "evaluated"


def test_haversine_matrices_apply_the_road_factor_and_speed():
    distance, duration = haversine_matrices([Location(52.0, 5.0), Location(53.0, 5.0)], road_factor=1.5, speed_kmh=60)

    assert distance[0, 1] == pytest.approx(111_195 * 1.5, rel=1e-3)
    assert duration[0, 1] == pytest.approx(111_195 * 1.5 / (60 / 3.6), rel=1e-3)
    assert distance[0, 0] == 0 and distance[1, 0] == distance[0, 1]


def test_nearest_neighbour_dispatch_is_feasible():
    problem = grid_problem(stops=30, centres=2, vehicles=3, capacity=12)

    plan = evaluate_plan(problem, nearest_neighbour(problem))

    check_plan(problem, plan)
    assert plan.served > 0


def test_reachable_rules_out_windows_before_every_shift():
    problem = line_problem(windows_b=(TimeWindow(2 * H, 3 * H),))

    assert reachable(problem, problem.stops, problem.vehicles).tolist() == [[True], [False]]


def test_problem_refuses_inconsistent_input():
    problem = line_problem()

    with pytest.raises(ValueError, match="dimensions"):
        problem.replace(stops=(Stop("x", 1, (1, 2)),))
    with pytest.raises(ValueError, match="negative"):
        problem.replace(stops=(Stop("x", 1, (-1,)),))
    with pytest.raises(ValueError, match="unknown centre"):
        problem.replace(stops=(Stop("x", 1, (1,), centre="nowhere"),))
    with pytest.raises(ValueError, match="matrix"):
        problem.replace(distance=np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="unique"):
        problem.replace(stops=(Stop("x", 1, (1,)), Stop("x", 2, (1,))))
    with pytest.raises(ValueError, match="ends before"):
        TimeWindow(10, 5)
