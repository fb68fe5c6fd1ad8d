"""Planning a centre's day end to end: the database in, the planner, routes and their stops out."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from logistics import services
from logistics.errors import PlanningInvalid
from logistics.models import Delivery, Driver, PlanningRun, Route, Stop
from logistics.planning import plan_routes
from logistics.services.planning import day_plan, planning_run_execute, planning_run_request
from logistics.tasks import logistics_plan_tomorrow_task
from tests.logistics import factories as f

pytestmark = pytest.mark.django_db
LIMIT = 1.0


def _day(*, deliveries=6, vans=2):
    centre = f.centre()
    date = f.tomorrow()
    for _ in range(vans):
        f.vehicle(centre)
        f.driver(centre, date=date)
    made = f.scheduled_deliveries(deliveries)
    return centre, date, made


def _routes(centre, date):
    return list(Route.objects.filter(centre=centre, date=date).exclude(state=Route.State.CANCELLED))


def test_a_day_is_planned_end_to_end():
    centre, date, made = _day(deliveries=6, vans=2)
    big = f.scheduled_deliveries(1, weight="500.000", quantity=2)[0]  # 1,000 kg: over every van's 800 kg
    run = day_plan(centre=centre, date=date, time_limit=LIMIT)
    assert run.status == PlanningRun.Status.DONE, run.error
    routes = _routes(centre, date)
    assert routes and all(r.state == Route.State.ASSIGNED and r.driver_id and r.vehicle_id for r in routes)
    on_routes = set(Stop.objects.filter(route__in=routes).values_list("delivery_id", flat=True))
    assert on_routes == {d.pk for d in made}
    assert run.unassigned == [{"delivery_id": big.pk, "order_number": big.order_number, "reason": "capacity",
                               "text": "its demand exceeds the capacity of every vehicle that may serve it"}]
    for route in routes:  # capacities respected, arrivals in the windows, figures stored
        stops = list(route.stops.select_related("delivery").order_by("sequence"))
        load = sum(s.delivery.weight_kg for s in stops)
        assert load <= route.vehicle.capacity_kg
        assert stops[0].load_after_kg == load - stops[0].delivery.weight_kg
        assert all(datetime.time(9) <= s.planned_arrival.time() <= datetime.time(17) for s in stops)
        assert route.distance_km > 0 and route.cost_amount > route.vehicle.fixed_cost_per_day
    assert run.routes == len(routes) and run.stops == 6
    assert run.cost_amount == sum(r.cost_amount for r in routes) and run.currency == "EUR"
    event = DomainEvent.objects.get(event_type="logistics.plan.created")
    assert set(event.payload["route_ids"]) == {r.pk for r in routes}
    assert event.payload["unassigned"] == run.unassigned


def test_replanning_keeps_a_started_route_and_replaces_the_others():
    centre, date, made = _day(deliveries=4, vans=2)
    first = day_plan(centre=centre, date=date, time_limit=LIMIT)
    started = services.route_start(route=_routes(centre, date)[0])
    started_stops = list(started.stops.values_list("delivery_id", "sequence", "planned_arrival"))
    others = [r.pk for r in _routes(centre, date) if r.pk != started.pk]
    extra = f.scheduled_deliveries(2)
    second = day_plan(centre=centre, date=date, time_limit=LIMIT)
    assert second.status == PlanningRun.Status.DONE and second.pk != first.pk, second.error
    started.refresh_from_db()
    assert started.state == Route.State.IN_PROGRESS
    assert list(started.stops.values_list("delivery_id", "sequence", "planned_arrival")) == started_stops
    assert all(Route.objects.get(pk=pk).state == Route.State.CANCELLED for pk in others)
    held = set(Stop.objects.filter(holds__isnull=False, route__date=date).values_list("delivery_id", flat=True))
    assert held == {d.pk for d in [*made, *extra]}
    # the same again: a consistent state, nothing doubled
    third = day_plan(centre=centre, date=date, time_limit=LIMIT)
    assert third.status == PlanningRun.Status.DONE
    assert set(Stop.objects.filter(holds__isnull=False, route__date=date).values_list("delivery_id", flat=True)) == held


def test_a_failed_solve_changes_nothing():
    centre, date, _ = _day(deliveries=3, vans=1)
    day_plan(centre=centre, date=date, time_limit=LIMIT)
    before = sorted(Route.objects.values_list("pk", "state", "distance_km"))
    stops = sorted(Stop.objects.values_list("pk", "delivery_id", "sequence"))
    run = planning_run_request(centre=centre, date=date, time_limit=LIMIT)

    def broken(problem, **kwargs):
        raise RuntimeError("solver crashed")

    run = planning_run_execute(run_id=run.pk, solve=broken)
    assert run.status == PlanningRun.Status.FAILED and "solver crashed" in run.error
    assert sorted(Route.objects.values_list("pk", "state", "distance_km")) == before
    assert sorted(Stop.objects.values_list("pk", "delivery_id", "sequence")) == stops
    assert DomainEvent.objects.filter(event_type="logistics.plan.failed").count() == 1


def test_a_write_that_breaks_halfway_changes_nothing():
    """The plan names a delivery cancelled after the read: the whole write rolls back."""
    centre, date, made = _day(deliveries=3, vans=1)
    day_plan(centre=centre, date=date, time_limit=LIMIT)
    before = sorted(Route.objects.values_list("pk", "state"))
    run = planning_run_request(centre=centre, date=date, time_limit=LIMIT)

    def solve_then_cancel(problem, **kwargs):
        plan = plan_routes(problem, **kwargs)
        Delivery.objects.filter(pk=made[-1].pk).update(status=Delivery.Status.CANCELLED)
        return plan

    run = planning_run_execute(run_id=run.pk, solve=solve_then_cancel)
    assert run.status == PlanningRun.Status.FAILED
    assert sorted(Route.objects.values_list("pk", "state")) == before


def test_the_time_limit_is_kept_and_a_closed_day_is_refused():
    centre, date, _ = _day(deliveries=3, vans=1)
    run = day_plan(centre=centre, date=date, backend="ortools", time_limit=0.5)
    assert run.status == PlanningRun.Status.DONE and run.wall_time < 0.5 + 0.6
    closed = f.centre("shut", weekdays=[])
    failed = day_plan(centre=closed, date=date, time_limit=LIMIT)
    assert failed.status == PlanningRun.Status.FAILED and "does not dispatch" in failed.error


def test_a_request_with_a_bad_backend_or_limit_is_refused():
    centre = f.centre()
    for kwargs in ({"backend": "magic"}, {"time_limit": 0}, {"time_limit": 10_000}):
        with pytest.raises(PlanningInvalid):
            planning_run_request(centre=centre, date=f.tomorrow(), **kwargs)
    # a day long past or far ahead (the calendar's ends too) as deliveries are scheduled: nothing to plan
    for date in (datetime.date.min, datetime.date.max, f.tomorrow() - datetime.timedelta(days=3),
                 f.tomorrow() + datetime.timedelta(days=61)):
        with pytest.raises(PlanningInvalid) as refused:
            planning_run_request(centre=centre, date=date)
        assert refused.value.fields == {"date": ["From yesterday to 60 days ahead."]}
    assert not PlanningRun.objects.exists()


def test_the_nightly_chord_plans_every_centre_and_records_the_summary(settings, celery_eager):
    settings.LOGISTICS_PLAN_TIME_LIMIT = 1
    lyon, date, made = _day(deliveries=3, vans=1)
    other = f.centre("villeurbanne", latitude=Decimal("45.770000"), longitude=Decimal("4.880000"), prefixes=("38",))
    f.vehicle(other)
    f.driver(other, date=date)
    answer = logistics_plan_tomorrow_task.delay().get()
    runs = PlanningRun.objects.filter(batch=answer["batch"])
    assert {r.centre_id for r in runs} == {lyon.pk, other.pk}
    assert all(r.status == PlanningRun.Status.DONE for r in runs)
    summary = DomainEvent.objects.get(event_type="logistics.plan.night_finished").payload
    assert summary["done"] == 2 and summary["stops"] == 3 and summary["date"] == date.isoformat()


def test_planning_replaces_several_routes_not_started_in_one_write():
    centre, date, made = _day(deliveries=4, vans=2)
    by_hand = [services.route_create(centre=centre, date=date, delivery_ids=[d.pk]) for d in made[:3]]
    run = day_plan(centre=centre, date=date, time_limit=LIMIT)
    assert run.status == PlanningRun.Status.DONE, run.error
    assert all(Route.objects.get(pk=r.pk).state == Route.State.CANCELLED for r in by_hand)
    held = set(Stop.objects.filter(holds__isnull=False).values_list("delivery_id", flat=True))
    assert held == {d.pk for d in made}
    assert DomainEvent.objects.get(event_type="logistics.plan.created").payload["replaced_route_ids"] == [r.pk for r in by_hand]


def test_a_run_is_planned_once_unless_its_worker_died():
    centre, date, _ = _day(deliveries=2, vans=1)
    run = day_plan(centre=centre, date=date, time_limit=LIMIT)
    assert planning_run_execute(run_id=run.pk).finished_at == run.finished_at  # done: delivered again, planned once
    running = planning_run_request(centre=centre, date=date, time_limit=LIMIT)
    PlanningRun.objects.filter(pk=running.pk).update(status=PlanningRun.Status.RUNNING, started_at=timezone.now())
    assert planning_run_execute(run_id=running.pk).status == PlanningRun.Status.RUNNING  # another worker has it
    PlanningRun.objects.filter(pk=running.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert planning_run_execute(run_id=running.pk).status == PlanningRun.Status.DONE  # that worker died
    assert PlanningRun.objects.filter(status=PlanningRun.Status.DONE).count() == 2


def test_replanning_starts_from_the_current_routes():
    centre, date, made = _day(deliveries=3, vans=1)
    day_plan(centre=centre, date=date, time_limit=LIMIT)
    route = _routes(centre, date)[0]
    current = [f"d{pk}" for pk in route.stops.order_by("sequence").values_list("delivery_id", flat=True)]
    seen = {}

    def solve(problem, **kwargs):
        seen.update(kwargs)
        return plan_routes(problem, **kwargs)

    run = planning_run_execute(run_id=planning_run_request(centre=centre, date=date, time_limit=LIMIT).pk, solve=solve)
    assert run.status == PlanningRun.Status.DONE
    assert seen["warm_start"] == [(f"v{route.vehicle_id}", current)]


def test_a_vehicle_nobody_may_drive_stays_with_its_reason():
    centre, date, made = _day(deliveries=3, vans=1)
    lorry = f.vehicle(centre, licence_required="C")  # the one driver holds a B licence

    run = day_plan(centre=centre, date=date, time_limit=LIMIT)

    assert run.status == PlanningRun.Status.DONE, run.error
    assert f"{lorry.registration} stays at the centre: no driver on shift holds a licence for it (C)" in run.notes
    assert not Route.objects.filter(vehicle=lorry).exists()


def _taking(centre, date, *drivers):
    """A solve during which a dispatcher gives ``drivers`` routes of their own (after the day was read)."""

    def solve(problem, **kwargs):
        plan = plan_routes(problem, **kwargs)
        for driver in drivers:
            route = services.route_create(centre=centre, date=date, delivery_ids=[f.scheduled_deliveries(1)[0].pk])
            services.route_assign(route=route, driver=driver, vehicle=f.vehicle(centre))
        return plan

    return solve


def _planned_route(run):
    event = DomainEvent.objects.filter(event_type="logistics.plan.created", payload__run_id=run.pk).get()
    return Route.objects.get(pk__in=event.payload["route_ids"])


def test_a_route_whose_driver_was_taken_meanwhile_gets_another_who_fits():
    centre, date, made = _day(deliveries=3, vans=1)
    paired = Driver.objects.get()
    # a shorter shift than the paired driver's (the van goes to the longest), still covering a morning route
    spare = f.driver(centre, date=date, starts=datetime.time(8), ends=datetime.time(22))

    run = planning_run_execute(run_id=planning_run_request(centre=centre, date=date, time_limit=LIMIT).pk,
                               solve=_taking(centre, date, paired))

    assert run.status == PlanningRun.Status.DONE, run.error
    route = _planned_route(run)
    assert timezone.localtime(route.departs_at).time() >= datetime.time(8)  # the windows open at 9
    assert route.driver_id == spare.pk and route.state == Route.State.ASSIGNED
    assert Route.objects.get(driver=paired).pk != route.pk


def test_a_route_nobody_can_drive_stays_planned_with_the_reason():
    centre, date, made = _day(deliveries=3, vans=1)
    spare = f.driver(centre, date=date)
    paired = Driver.objects.exclude(pk=spare.pk).get()

    run = planning_run_execute(run_id=planning_run_request(centre=centre, date=date, time_limit=LIMIT).pk,
                               solve=_taking(centre, date, paired, spare))

    assert run.status == PlanningRun.Status.DONE, run.error
    route = _planned_route(run)
    assert route.state == Route.State.PLANNED and route.driver_id is None and route.vehicle_id is None
    assert set(route.stops.values_list("delivery_id", flat=True)) == {d.pk for d in made}
    assert any(note.startswith(f"Route {route.number} (planned for ") and note.endswith(
        "has no driver: every driver who could take it drives another vehicle.") for note in run.notes), run.notes
