"""The dispatch console's commands: moving, removing and locking stops, re-optimising around the
locked ones, rescheduling failed deliveries; each in one transaction, with its event and version."""

import datetime

import pytest

from commerce.audit.models import DomainEvent
from logistics import services
from logistics.dispatch import services as dispatch
from logistics.dispatch.errors import EditInvalid, PlanStale, RouteNotEditable
from logistics.dispatch.reoptimise import day_reoptimise
from logistics.dispatch.selectors import console_day, console_map
from logistics.errors import DeliveryNotRoutable
from logistics.models import Delivery, PlanningRun, Route, Stop
from tests.logistics import factories as f

pytestmark = pytest.mark.django_db
LIMIT = 1.0


def two_routes(per_route=3):
    """A centre's day with two assigned routes of ``per_route`` stops each."""
    centre = f.centre()
    date = f.tomorrow()
    deliveries = f.scheduled_deliveries(per_route * 2)
    routes = []
    for part in (deliveries[:per_route], deliveries[per_route:]):
        route = services.route_create(centre=centre, date=date, delivery_ids=[d.pk for d in part])
        routes.append(services.route_assign(route=route, driver=f.driver(centre, date=date), vehicle=f.vehicle(centre)))
    return centre, date, routes, deliveries


def order_of(route) -> list[int]:
    return list(Stop.objects.filter(route=route).order_by("sequence").values_list("delivery_id", flat=True))


def test_stop_move_within_a_route_recalculates_its_times_and_bumps_its_version():
    _, _, (route, _), deliveries = two_routes()
    before = {s.delivery_id: s.planned_arrival for s in route.stops.all()}
    last = deliveries[2]

    moved = dispatch.stop_move(delivery=last.pk, route=route.pk, position=1, versions={route.pk: 0})

    assert order_of(route) == [last.pk, deliveries[0].pk, deliveries[1].pk]
    after = {s.delivery_id: s.planned_arrival for s in route.stops.all()}
    assert after[last.pk] < before[last.pk]
    assert moved.version == 1
    event = DomainEvent.objects.get(event_type="logistics.stop.moved")
    assert event.payload["delivery_id"] == last.pk and event.payload["position"] == 1 and event.payload["from_position"] == 3


def test_stop_move_to_another_route_recalculates_both_routes():
    _, _, (first, second), deliveries = two_routes()
    cost_first = first.cost_amount

    dispatch.stop_move(delivery=deliveries[0].pk, route=second.pk, position=2, versions={first.pk: 0, second.pk: 0})

    first.refresh_from_db()
    second.refresh_from_db()
    assert order_of(first) == [deliveries[1].pk, deliveries[2].pk]
    assert order_of(second) == [deliveries[3].pk, deliveries[0].pk, deliveries[4].pk, deliveries[5].pk]
    assert first.cost_amount < cost_first and (first.version, second.version) == (1, 1)
    assert second.stops.get(delivery=deliveries[0]).load_after_kg == sum(
        (d.weight_kg for d in deliveries[4:]), deliveries[0].weight_kg * 0)
    assert {e.event_type for e in DomainEvent.objects.filter(event_type__startswith="logistics.stop.")} == {
        "logistics.stop.moved", "logistics.stop.removed"}


def test_a_stale_edit_is_refused_and_changes_nothing():
    _, _, (route, _), deliveries = two_routes()
    dispatch.stop_move(delivery=deliveries[2].pk, route=route.pk, position=1, versions={route.pk: 0})
    order = order_of(route)

    with pytest.raises(PlanStale, match="changed by someone else"):
        dispatch.stop_move(delivery=deliveries[0].pk, route=route.pk, position=3, versions={route.pk: 0})

    assert order_of(route) == order
    assert Route.objects.get(pk=route.pk).version == 1


def test_a_started_route_is_not_edited():
    _, _, (route, other), deliveries = two_routes()
    services.route_start(route=route)

    with pytest.raises(RouteNotEditable):
        dispatch.stop_move(delivery=deliveries[0].pk, route=other.pk, position=1)
    with pytest.raises(RouteNotEditable):
        dispatch.stop_move(delivery=deliveries[3].pk, route=route.pk, position=1)
    assert order_of(route) == [d.pk for d in deliveries[:3]]


def test_a_position_past_the_end_is_refused():
    _, _, (route, _), deliveries = two_routes()
    with pytest.raises(EditInvalid):
        dispatch.stop_move(delivery=deliveries[0].pk, route=route.pk, position=4)
    with pytest.raises(EditInvalid):
        dispatch.stop_move(delivery=deliveries[0].pk, route=route.pk, position=0)


def test_stop_remove_then_put_back_from_the_unassigned():
    centre, date, (route, _), deliveries = two_routes()

    dispatch.stop_remove(delivery=deliveries[1].pk)
    assert order_of(route) == [deliveries[0].pk, deliveries[2].pk]
    day = console_day(centre=centre, date=date)
    assert [u["delivery"].pk for u in day.unassigned] == [deliveries[1].pk]

    dispatch.stop_move(delivery=deliveries[1].pk, route=route.pk, position=3)
    assert order_of(route) == [deliveries[0].pk, deliveries[2].pk, deliveries[1].pk]
    assert Stop.objects.get(holds=deliveries[1]).route_id == route.pk


def test_a_delivery_of_another_day_cannot_be_put_on_a_route():
    _, _, (route, _), _ = two_routes()
    other = f.scheduled_deliveries(1)[0]
    services.delivery_schedule(delivery=other, date=f.tomorrow() + datetime.timedelta(days=1))
    with pytest.raises(DeliveryNotRoutable):
        dispatch.stop_move(delivery=other.pk, route=route.pk, position=1)


def test_stop_lock_pins_the_stop_with_its_event():
    _, _, (route, _), deliveries = two_routes()
    dispatch.stop_lock(delivery=deliveries[1].pk, locked=True, versions={route.pk: 0})
    stop = Stop.objects.get(holds=deliveries[1])
    assert stop.locked and Route.objects.get(pk=route.pk).version == 1
    event = DomainEvent.objects.get(event_type="logistics.stop.lock_changed")
    assert event.payload["locked"] is True and event.payload["version"] == 1
    # a move keeps the stop's lock
    dispatch.stop_move(delivery=deliveries[1].pk, route=route.pk, position=1)
    assert Stop.objects.get(holds=deliveries[1]).locked


def test_reoptimise_keeps_locked_stops_on_their_routes_and_the_routes_in_place():
    centre, date, (first, second), deliveries = two_routes()
    # Put a stop of the first route on the second and pin it there; pin one of the first route too.
    dispatch.stop_move(delivery=deliveries[0].pk, route=second.pk, position=1)
    dispatch.stops_lock(delivery_ids=[deliveries[0].pk, deliveries[1].pk], locked=True)

    run = day_reoptimise(centre=centre, date=date, time_limit=LIMIT)

    assert run.status == PlanningRun.Status.DONE and "re-optimised" in run.solver
    assert Stop.objects.get(holds=deliveries[0]).route_id == second.pk
    assert Stop.objects.get(holds=deliveries[1]).route_id == first.pk
    assert Stop.objects.get(holds=deliveries[0]).locked
    routes = Route.objects.filter(centre=centre, date=date).exclude(state=Route.State.CANCELLED)
    placed = set(Stop.objects.filter(route__in=routes, holds__isnull=False).values_list("delivery_id", flat=True))
    assert placed | {u["delivery_id"] for u in run.unassigned} == {d.pk for d in deliveries}
    # the routes kept their numbers, drivers and vehicles (rewritten in place), their sequences 1..n
    for route in (first, second):
        row = Route.objects.get(pk=route.pk)
        if row.state != Route.State.CANCELLED:
            assert (row.driver_id, row.vehicle_id) == (route.driver_id, route.vehicle_id)
            assert list(row.stops.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, row.stops.count() + 1))
    event = DomainEvent.objects.get(event_type="logistics.plan.reoptimised")
    assert event.payload["locked_delivery_ids"] == sorted([deliveries[0].pk, deliveries[1].pk])
    # each route rewritten in place is planned again on its own stream, with its stops as they now stand
    replanned = {int(e.stream_id): e.payload for e in DomainEvent.objects.filter(event_type="logistics.route.planned",
                                                                                 payload__replanned=True)}
    assert set(replanned) == set(event.payload["route_ids"]) and replanned
    for route_id, payload in replanned.items():
        assert payload["delivery_ids"] == order_of(route_id)
        assert payload["version"] == Route.objects.get(pk=route_id).version


def test_reoptimise_binds_locked_stops_inside_the_search():
    """The back end itself keeps each locked stop on its vehicle (no fallback, nothing left to pin)."""
    from logistics.planning import plan_routes

    centre, date, (first, second), deliveries = two_routes()
    dispatch.stop_move(delivery=deliveries[0].pk, route=second.pk, position=1)
    dispatch.stops_lock(delivery_ids=[deliveries[0].pk, deliveries[1].pk], locked=True)
    seen = {}

    def solve(problem, **kwargs):
        seen["problem"], seen["plan"] = problem, plan_routes(problem, **kwargs)
        return seen["plan"]

    run = day_reoptimise(centre=centre, date=date, time_limit=LIMIT, solve=solve)

    problem, plan = seen["problem"], seen["plan"]
    vehicles, stops = problem.vehicle_index(), problem.stop_index()
    for delivery, route in ((deliveries[0], second), (deliveries[1], first)):
        stop = stops[f"d{delivery.pk}"]
        assert stop.centre == vehicles[f"v{route.vehicle_id}"].start_centre  # bound to its vehicle alone
        assert sum(v.start_centre == stop.centre for v in problem.vehicles) == 1
        assert f"d{delivery.pk}" in plan.route_of(f"v{route.vehicle_id}").stops  # placed there by the search
    assert "+nearest" not in plan.solver and not any("failed" in note for note in plan.notes), plan.notes
    assert run.solver == f"{plan.solver} (re-optimised)"
    assert Stop.objects.get(holds=deliveries[0]).route_id == second.pk


def test_reoptimise_keeps_a_route_locked_whole_in_its_order():
    centre, date, (first, _), deliveries = two_routes()
    dispatch.stop_move(delivery=deliveries[2].pk, route=first.pk, position=1)
    order = order_of(first)
    dispatch.stops_lock(delivery_ids=order, locked=True)

    day_reoptimise(centre=centre, date=date, time_limit=LIMIT)

    assert order_of(first) == order


def test_reoptimise_on_stale_versions_fails_its_run_and_changes_nothing():
    centre, date, (first, second), _ = two_routes()
    orders = (order_of(first), order_of(second))
    with pytest.raises(PlanStale):
        day_reoptimise(centre=centre, date=date, versions={first.pk: 5}, time_limit=LIMIT)
    assert (order_of(first), order_of(second)) == orders
    run = PlanningRun.objects.get()
    assert run.status == PlanningRun.Status.FAILED and "changed by someone else" in run.error


def test_reoptimise_never_touches_a_started_route():
    centre, date, (first, second), deliveries = two_routes()
    services.route_start(route=first)
    run = day_reoptimise(centre=centre, date=date, time_limit=LIMIT)
    assert run.status == PlanningRun.Status.DONE
    assert order_of(first) == [d.pk for d in deliveries[:3]]
    assert Route.objects.get(pk=first.pk).version == 0


def test_failed_reschedule_puts_a_failed_delivery_on_another_day():
    _, _, (route, _), deliveries = two_routes()
    services.route_start(route=route)
    services.delivery_fail(delivery=deliveries[0].pk, reason="Nobody at home")
    later = f.tomorrow() + datetime.timedelta(days=2)

    delivery = dispatch.failed_reschedule(delivery=deliveries[0].pk, date=later)

    assert (delivery.status, delivery.date) == (Delivery.Status.SCHEDULED, later)
    with pytest.raises(EditInvalid, match="not failed"):
        dispatch.failed_reschedule(delivery=deliveries[0].pk, date=later)


def test_console_day_reads_in_constant_queries(django_assert_max_num_queries):
    centre, date, _, _ = two_routes(per_route=2)
    with django_assert_max_num_queries(9) as small:
        day = console_day(centre=centre, date=date)
        console_map(day)
    f.scheduled_deliveries(4)
    route = services.route_create(centre=centre, date=date, delivery_ids=list(
        Delivery.objects.filter(open_stop__isnull=True, status="scheduled").values_list("pk", flat=True)))
    services.route_assign(route=route, driver=f.driver(centre, date=date), vehicle=f.vehicle(centre))
    with django_assert_max_num_queries(len(small.captured_queries)):
        day = console_day(centre=centre, date=date)
        data = console_map(day)
    assert len(data["routes"]) == 3 and all(r["stops"] for r in data["routes"])
    assert all(item.utilisation for item in day.routes)


def test_pin_puts_a_locked_stop_back_on_its_vehicle_where_it_adds_least():
    import numpy as np

    from logistics.dispatch.reoptimise import pin
    from logistics.planning import Centre, Location, Plan, PlanStatus, Problem, Unassigned, UnassignedReason, Visit
    from logistics.planning import Route as PlanRoute
    from logistics.planning import Stop as PlanStop
    from logistics.planning import Vehicle as PlanVehicle

    xs = [0, 10, 20, 30, 11]  # the centre, then a, b, c on a line; d next to a
    distance = np.array([[abs(a - b) for b in xs] for a in xs], dtype=np.int64)
    problem = Problem(locations=tuple(Location(0, x) for x in xs), distance=distance, duration=distance.copy(),
                      centres=(Centre("c", 0),), dimensions=("parcels",),
                      vehicles=(PlanVehicle("v1", "c", "c", (10,)), PlanVehicle("v2", "c", "c", (10,))),
                      stops=tuple(PlanStop(sid, i, (1,)) for i, sid in enumerate("abcd", start=1)))

    def route(vehicle, stops):
        return PlanRoute(vehicle, tuple(Visit(s, 0, 0, 0, (0,)) for s in stops), 0, 0, 0, 0, 0.0, (0,))

    plan = Plan(routes=(route("v1", ["b", "c"]), route("v2", ["a"])), unassigned=(Unassigned("d", UnassignedReason.PENALTY),),
                solver="test", status=PlanStatus.SOLVED, wall_time=0.0)
    routes, left = pin(problem, plan, {"a": "v1", "d": "v1"})
    assert routes == [("v1", ["a", "d", "b", "c"], False)]  # v2 emptied: not listed
    assert left == []


def test_bind_gives_each_pinning_vehicle_a_centre_of_its_own_and_binds_its_stops():
    from logistics.dispatch.reoptimise import bind
    from tests.logistics.planning.factories import grid_problem

    problem = grid_problem(stops=4, vehicles=3)  # one centre c0, vehicles v0..v2

    bound = bind(problem, {"s0": "v1", "s2": "v1", "s3": "v2", "s1": "gone"})

    assert bind(problem, {}) is problem
    own = {v.id: v.start_centre for v in bound.vehicles}
    assert own == {"v0": "c0", "v1": "c0/v1", "v2": "c0/v2"}
    assert all(v.end_centre == v.start_centre for v in bound.vehicles)
    assert {s.id: s.centre for s in bound.stops} == {"s0": "c0/v1", "s1": None, "s2": "c0/v1", "s3": "c0/v2"}
    for centre_id in ("c0/v1", "c0/v2"):
        centre, home = bound.centre(centre_id), problem.centre("c0")
        assert (centre.location, centre.opens, centre.closes) == (home.location, home.opens, home.closes)
