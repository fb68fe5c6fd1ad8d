"""The planner with both back ends: same problem in, same shape of plan out, every rule kept, always an
answer within the time limit. Time limits are 1 s or less; each plan is checked independently."""

import itertools
import time

import pytest

from logistics.planning import (
    BACKENDS,
    Centre,
    LockedRoute,
    PlanStatus,
    Stop,
    TimeWindow,
    UnassignedReason,
    evaluate,
    evaluate_plan,
    nearest_neighbour,
    plan_routes,
)
from logistics.planning.planner import MARGIN
from tests.logistics.planning.factories import H, check_plan, grid_problem

SOLVERS = ["pyvrp", "ortools"]


@pytest.mark.parametrize("backend", SOLVERS)
def test_plan_keeps_capacities_windows_shifts_service_and_centres(backend):
    problem = grid_problem(stops=25, centres=2, vehicles=4, capacity=16)

    plan = plan_routes(problem, backend=backend, time_limit=1)

    check_plan(problem, plan)
    assert plan.solver == backend and plan.status == PlanStatus.SOLVED
    assert not plan.unassigned
    assert plan.cost < evaluate_plan(problem, nearest_neighbour(problem)).cost


def test_both_back_ends_give_the_same_shape_of_plan():
    problem = grid_problem(stops=15, centres=2, vehicles=3, capacity=15)

    plans = {backend: plan_routes(problem, backend=backend, time_limit=0.6) for backend in SOLVERS}

    for plan in plans.values():
        check_plan(problem, plan)
    shapes = {backend: (type(plan), {type(r) for r in plan.routes}, {type(v) for r in plan.routes for v in r.visits},
                        sorted(s for r in plan.routes for s in r.stops) + sorted(u.stop for u in plan.unassigned))
              for backend, plan in plans.items()}
    assert shapes["pyvrp"] == shapes["ortools"]
    assert plans["pyvrp"].cost == pytest.approx(plans["ortools"].cost, rel=0.1)


@pytest.mark.parametrize("backend", SOLVERS)
def test_every_stop_left_out_has_its_reason(backend):
    base = grid_problem(stops=10, centres=2, vehicles=2, capacity=6)
    odd = (
        Stop("heavy", 3, (50, 1), service=60, penalty=100.0),  # more than any vehicle carries
        Stop("night", 4, (1, 1), windows=(TimeWindow(2 * H, 3 * H),), service=60, penalty=100.0),  # before every shift
        Stop("nobody", 5, (1, 1), service=60, penalty=100.0, centre="c9"),  # a centre without vehicles
    )
    problem = base.replace(stops=base.stops + odd, centres=base.centres + (Centre("c9", 0),))

    plan = plan_routes(problem, backend=backend, time_limit=0.8)

    check_plan(problem, plan)
    reasons = {u.stop: u.reason for u in plan.unassigned}
    assert reasons["heavy"] == UnassignedReason.CAPACITY
    assert reasons["night"] == UnassignedReason.UNREACHABLE
    assert reasons["nobody"] == UnassignedReason.NO_VEHICLE
    # Two vehicles of 6 parcels cannot carry the 10 ordinary stops: the rest are left out at their penalty.
    ordinary = [u for u in plan.unassigned if u.stop.startswith("s")]
    assert ordinary and all(u.reason == UnassignedReason.PENALTY for u in ordinary)
    assert plan.penalty == pytest.approx(100.0 * 3 + 1000.0 * len(ordinary))


@pytest.mark.parametrize("backend", SOLVERS)
def test_required_centre_and_several_windows(backend):
    base = grid_problem(stops=8, centres=2, vehicles=2, capacity=30, windows=False)
    stops = list(base.stops)
    stops[0] = Stop("s0", stops[0].location, (1, 1), service=60, centre="c1")
    # Shifts start at 8:00 and s1 is kilometres away: its first window (8:00-8:01) cannot be met, the second must.
    stops[1] = Stop("s1", stops[1].location, (1, 1), service=60,
                    windows=(TimeWindow(8 * H, 8 * H + 60), TimeWindow(15 * H, 16 * H)))
    problem = base.replace(stops=tuple(stops))

    plan = plan_routes(problem, backend=backend, time_limit=0.8)

    check_plan(problem, plan)
    assert not plan.unassigned
    carrier = next(r for r in plan.routes if "s0" in r.stops)
    assert problem.vehicle_index()[carrier.vehicle].start_centre == "c1"
    visit = next(v for r in plan.routes for v in r.visits if v.stop == "s1")
    assert 15 * H <= visit.start <= 16 * H


@pytest.mark.parametrize("backend", SOLVERS)
def test_infeasible_input_returns_a_plan_within_the_limit(backend):
    problem = grid_problem(stops=40, vehicles=1, capacity=3, penalty=None)  # mandatory stops, far too few vehicles

    began = time.monotonic()
    plan = plan_routes(problem, backend=backend, time_limit=0.5)

    assert time.monotonic() - began <= 0.5 + MARGIN
    check_plan(problem, plan)
    assert plan.served >= 1
    assert len(plan.unassigned) == 40 - plan.served
    assert {u.reason for u in plan.unassigned} == {UnassignedReason.PENALTY}


@pytest.mark.parametrize("backend", SOLVERS)
def test_a_tiny_limit_on_a_large_day_still_answers_in_time(backend):
    from logistics.planning.synthetic import synthetic_day

    problem = synthetic_day(400, vehicles=16)

    began = time.monotonic()
    plan = plan_routes(problem, backend=backend, time_limit=0.3)

    assert time.monotonic() - began <= 0.3 + MARGIN
    check_plan(problem, plan)
    assert plan.status in (PlanStatus.SOLVED, PlanStatus.INTERRUPTED, PlanStatus.FALLBACK)


def test_a_back_end_that_hangs_or_fails_leaves_the_nearest_neighbour_plan(monkeypatch):
    problem = grid_problem(stops=12, vehicles=2, capacity=20)

    def hangs(problem, **kwargs):
        time.sleep(60)

    def fails(problem, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setitem(BACKENDS, "pyvrp", hangs)
    began = time.monotonic()
    hung = plan_routes(problem, backend="pyvrp", time_limit=0.4)
    assert time.monotonic() - began <= 0.4 + MARGIN
    monkeypatch.setitem(BACKENDS, "pyvrp", fails)
    failed = plan_routes(problem, backend="pyvrp", time_limit=0.4)

    for plan in (hung, failed):
        check_plan(problem, plan)
        assert plan.status == PlanStatus.FALLBACK and plan.solver == "pyvrp+nearest"
        assert plan.served > 0
    assert any("solver crashed" in note for note in failed.notes)


@pytest.mark.parametrize("backend", SOLVERS)
def test_warm_start_from_a_previous_plan(backend):
    problem = grid_problem(stops=30, centres=2, vehicles=4, capacity=20, seed=3)
    previous = plan_routes(problem, backend=backend, time_limit=0.8)
    # One stop more since then; one stop cancelled.
    extra = Stop("late-order", problem.stops[0].location, (1, 1), service=60, penalty=1000.0)
    changed = problem.replace(stops=problem.stops[1:] + (extra,))

    plan = plan_routes(changed, backend=backend, time_limit=0.3, warm_start=previous)

    check_plan(changed, plan)
    assert not plan.unassigned
    kept = [(r.vehicle, [s for s in r.stops if s != problem.stops[0].id]) for r in previous.routes]
    assert plan.cost <= evaluate_plan(changed, kept).cost + 30  # no worse than the warm start, plus the new stop's detour


@pytest.mark.parametrize("backend", SOLVERS)
def test_locked_routes_stay_untouched(backend):
    problem = grid_problem(stops=16, centres=2, vehicles=3, capacity=20, windows=False)
    locked = LockedRoute(vehicle="v1", stops=("s5", "s2", "s9"))  # a started route, in the driver's order

    plan = plan_routes(problem.replace(locked=(locked,)), backend=backend, time_limit=0.6)

    check_plan(problem, plan)
    route = plan.route_of("v1")
    assert route.locked and route.stops == ("s5", "s2", "s9")
    assert route == evaluate(problem, "v1", ["s5", "s2", "s9"], locked=True)
    others = [s for r in plan.routes if r.vehicle != "v1" for s in r.stops]
    assert not {"s5", "s2", "s9"} & set(others)
    assert not plan.unassigned


@pytest.mark.parametrize("backend", SOLVERS)
def test_finds_the_optimal_cost_of_a_tiny_instance(backend):
    problem = grid_problem(stops=6, vehicles=2, capacity=9, windows=False, seed=5)  # 15 parcels: both vehicles needed
    vehicles = [v.id for v in problem.vehicles]
    best = float("inf")
    for order in itertools.permutations([s.id for s in problem.stops]):
        for cut in range(len(order) + 1):
            routes = [(vehicles[0], order[:cut]), (vehicles[1], order[cut:])]
            evaluated = [evaluate(problem, v, list(stops)) for v, stops in routes]
            if all(r.feasible for r in evaluated):
                best = min(best, sum(r.cost for r in evaluated))

    plan = plan_routes(problem, backend=backend, time_limit=0.5)

    check_plan(problem, plan)
    assert plan.cost == pytest.approx(best, abs=0.01)


def test_nearest_backend_and_unknown_backend():
    problem = grid_problem(stops=10, vehicles=2, capacity=20)

    plan = plan_routes(problem, backend="nearest", time_limit=1)

    check_plan(problem, plan)
    assert plan.solver == "nearest" and plan.peak_memory_kb == 0
    with pytest.raises(ValueError, match="unknown back end"):
        plan_routes(problem, backend="gurobi")


@pytest.mark.parametrize("backend", SOLVERS)
def test_progress_reports_the_best_plan_so_far_while_searching(backend):
    """Each report is the cost of a solution the back end sent, within the limit; the last is never worse than
    the first (the back ends report improvements); a receiver that fails stops the reports, not the plan."""
    problem = grid_problem(stops=30, centres=2, vehicles=4, capacity=16)
    reports = []

    plan = plan_routes(problem, backend=backend, time_limit=1.5, progress=reports.append)

    assert reports, "no progress reported"
    assert all(0 <= r.elapsed <= 1.5 and r.time_limit == 1.5 and r.stops == 30 and 0 <= r.served <= 30 for r in reports)
    assert [r.solutions for r in reports] == sorted(r.solutions for r in reports)
    assert all(r.cost > 0 for r in reports if r.served)
    check_plan(problem, plan)

    calls = []

    def broken(progress):
        calls.append(progress)
        raise ConnectionError("database gone")

    plan = plan_routes(problem, backend=backend, time_limit=1.0, progress=broken)
    check_plan(problem, plan)
    assert len(calls) <= 1  # the first failure stopped the reports
    assert bool(calls) == any("progress reports failed: ConnectionError" in note for note in plan.notes)
