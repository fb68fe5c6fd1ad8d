"""The dispatch console's races on MariaDB: real threads, each with its own connection.

Two dispatchers editing one route from the same page: one edit lands, the other is told the route
changed (never written over). A driver completing a stop while a dispatcher re-optimises the day:
the started route is never re-planned, and its completion stands. A route started while the day is
being re-optimised: the re-optimisation is refused whole, nothing of the day changes."""

import threading
from collections import Counter

import pytest

from logistics import services
from logistics.dispatch import services as dispatch
from logistics.dispatch.errors import RouteNotEditable
from logistics.dispatch.reoptimise import day_reoptimise
from logistics.models import Delivery, PlanningRun, Route, Stop
from logistics.planning import plan_routes
from tests.factories import events
from tests.integration.concurrency import run_in_threads
from tests.logistics.factories import scheduled_deliveries
from tests.logistics.test_dispatch_services import order_of, two_routes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _kinds(outcomes) -> Counter:
    return Counter(kind if kind == "ok" else type(value).__name__ for kind, value in outcomes)


def _sequences_whole(route) -> bool:
    sequences = list(Stop.objects.filter(route=route).order_by("sequence").values_list("sequence", flat=True))
    return sequences == list(range(1, len(sequences) + 1))


def in_another_thread(job):
    """Run ``job`` in a thread of its own (its own connection, committed when it returns), and wait."""
    outcome = []

    def run():
        from django.db import connection

        try:
            outcome.append(("ok", job()))
        except BaseException as exc:  # handed back to the test
            outcome.append(("error", exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert outcome, "the other thread hung"
    return outcome[0]


def test_two_dispatchers_editing_one_route_from_the_same_page_land_one_edit():
    _, _, (first, second), deliveries = two_routes()
    seen = {first.pk: 0, second.pk: 0}

    outcomes = run_in_threads([
        lambda: dispatch.stop_move(delivery=deliveries[2].pk, route=first.pk, position=1, versions=seen).pk,
        lambda: dispatch.stop_move(delivery=deliveries[3].pk, route=first.pk, position=2, versions=seen).pk,
    ])

    assert _kinds(outcomes) == {"ok": 1, "PlanStale": 1}, outcomes
    route = Route.objects.get(pk=first.pk)
    assert route.version == 1 and _sequences_whole(first) and _sequences_whole(second)
    moved = len(order_of(first)) == 4  # the second dispatcher's move landed, not the first's
    assert order_of(first) == ([deliveries[0].pk, deliveries[3].pk, deliveries[1].pk, deliveries[2].pk] if moved
                               else [deliveries[2].pk, deliveries[0].pk, deliveries[1].pk])
    assert len(events("logistics.stop.moved")) == 1


def test_two_dispatchers_taking_one_stop_to_two_routes_place_it_once():
    centre, date, (first, second), deliveries = two_routes()
    third = services.route_create(centre=centre, date=date, delivery_ids=[d.pk for d in scheduled_deliveries(1)])

    outcomes = run_in_threads([
        lambda: dispatch.stop_move(delivery=deliveries[0].pk, route=second.pk, position=1).pk,
        lambda: dispatch.stop_move(delivery=deliveries[0].pk, route=third.pk, position=1).pk,
    ])

    assert _kinds(outcomes)["ok"] >= 1 and set(_kinds(outcomes)) <= {"ok", "PlanStale"}, outcomes
    assert Stop.objects.filter(holds=deliveries[0]).count() == 1
    assert all(_sequences_whole(r) for r in (first, second, third))


def test_a_stop_completed_while_the_dispatcher_reoptimises_stands():
    centre, date, (started, planned), deliveries = two_routes()
    services.route_start(route=started)

    def solve_while_the_driver_completes(problem, **kwargs):
        kind, value = in_another_thread(lambda: services.delivery_complete(delivery=deliveries[0].pk).status)
        assert (kind, value) == ("ok", "delivered"), value
        return plan_routes(problem, **kwargs)

    run = day_reoptimise(centre=centre, date=date, time_limit=1.0, solve=solve_while_the_driver_completes)

    assert run.status == PlanningRun.Status.DONE
    assert Delivery.objects.get(pk=deliveries[0].pk).status == Delivery.Status.DELIVERED
    stops = list(Stop.objects.filter(route=started).order_by("sequence"))
    assert [s.delivery_id for s in stops] == [d.pk for d in deliveries[:3]]
    assert stops[0].state == Stop.State.DELIVERED and Route.objects.get(pk=started.pk).version == 0
    assert Route.objects.get(pk=started.pk).state == Route.State.IN_PROGRESS
    placed = set(Stop.objects.filter(route__date=date, holds__isnull=False).exclude(route=started)
                 .values_list("delivery_id", flat=True))
    assert placed == {d.pk for d in deliveries[3:]}
    assert _sequences_whole(planned) or Route.objects.get(pk=planned.pk).state == Route.State.CANCELLED


def test_a_route_started_while_the_day_is_reoptimised_is_never_replanned():
    centre, date, (first, second), deliveries = two_routes()
    orders = (order_of(first), order_of(second))

    def solve_while_the_route_starts(problem, **kwargs):
        kind, value = in_another_thread(lambda: services.route_start(route=second.pk).state)
        assert (kind, value) == ("ok", "in_progress"), value
        return plan_routes(problem, **kwargs)

    with pytest.raises(RouteNotEditable):
        day_reoptimise(centre=centre, date=date, time_limit=1.0, solve=solve_while_the_route_starts)

    assert (order_of(first), order_of(second)) == orders
    assert Route.objects.get(pk=second.pk).state == Route.State.IN_PROGRESS
    assert PlanningRun.objects.get().status == PlanningRun.Status.FAILED
    assert not events("logistics.plan.reoptimised")


def test_a_driver_and_a_dispatcher_racing_on_the_day():
    centre, date, (started, planned), deliveries = two_routes()
    services.route_start(route=started)

    outcomes = run_in_threads([
        lambda: services.delivery_fail(delivery=deliveries[1].pk, reason="Nobody at home").status,
        lambda: day_reoptimise(centre=centre, date=date, time_limit=1.0).status,
        lambda: dispatch.stop_move(delivery=deliveries[4].pk, route=planned.pk, position=1).pk,
    ])

    kinds = _kinds(outcomes)
    assert outcomes[0] == ("ok", "failed"), outcomes
    assert set(kinds) <= {"ok", "PlanStale", "RouteNotEditable"}, outcomes
    # Whichever of the re-plan and the move commits second finds the route changed under it and is
    # refused; the first always lands, and a refused re-plan leaves its run failed and nothing written.
    replanned, moved = outcomes[1][0] == "ok", outcomes[2][0] == "ok"
    assert replanned or moved, outcomes
    if replanned:
        assert outcomes[1][1] == PlanningRun.Status.DONE, outcomes
    else:
        assert type(outcomes[1][1]).__name__ == "PlanStale", outcomes
        assert PlanningRun.objects.get().status == PlanningRun.Status.FAILED
        assert not events("logistics.plan.reoptimised")
    assert Delivery.objects.get(pk=deliveries[1].pk).status == Delivery.Status.FAILED
    assert [s.delivery_id for s in Stop.objects.filter(route=started).order_by("sequence")] == [d.pk for d in deliveries[:3]]
    assert Stop.objects.filter(holds__in=deliveries[3:]).count() == 3
