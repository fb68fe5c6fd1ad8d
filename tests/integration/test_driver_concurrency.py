"""The driver app's races on MariaDB: real threads, each with its own connection."""

from collections import Counter

import pytest

from logistics import services
from logistics.errors import RouteNotFinished, RouteTransitionInvalid, StopTransitionInvalid
from logistics.models import Route, Stop
from logistics.services import execution
from tests.factories import events
from tests.integration.concurrency import run_in_threads
from tests.logistics.driver_factories import todays_route

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _kinds(outcomes) -> Counter:
    return Counter(kind if kind == "ok" else type(value).__name__ for kind, value in outcomes)


def test_a_stop_completed_twice_at_once_is_delivered_once():
    route, courier = todays_route(count=2, start=True)
    stop = route.stops.order_by("sequence").first()

    def complete():
        return execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille").replayed

    outcomes = run_in_threads([complete, complete])

    assert _kinds(outcomes) == {"ok": 2}, outcomes
    assert sorted(value for _, value in outcomes) == [False, True]  # one did it, the other found it done
    assert Stop.objects.get(pk=stop.pk).state == "delivered"
    assert len(events("logistics.stop.completed")) == 1 and len(events("orders.order.delivered")) == 1


def test_a_stop_completed_and_failed_at_once_ends_one_way():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()

    outcomes = run_in_threads([
        lambda: execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille").value.state,
        lambda: execution.stop_fail(driver=courier, stop_id=stop.pk, code="not_at_home").value.state,
    ])

    assert _kinds(outcomes) == {"ok": 1, "StopTransitionInvalid": 1}, outcomes
    [(_, state)] = [o for o in outcomes if o[0] == "ok"]
    assert Stop.objects.get(pk=stop.pk).state == state
    assert len(events("logistics.stop.completed")) + len(events("logistics.delivery.failed")) == 1


def test_the_driver_closes_the_last_stop_while_the_dispatcher_completes_and_cancels_the_route():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()

    outcomes = run_in_threads([
        lambda: execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille").value.state,
        lambda: services.route_complete(route=route.pk).state,
        lambda: services.route_cancel(route=route.pk, reason="Re-planned").state,
    ])

    kinds = _kinds(outcomes)
    # the stop is always delivered; the route completes only if the dispatcher came after the driver;
    # a started route is never cancelled (re-planned)
    assert outcomes[0] == ("ok", "delivered") and kinds["RouteTransitionInvalid"] == 1, outcomes
    assert isinstance(outcomes[2][1], RouteTransitionInvalid)
    completed = outcomes[1][0] == "ok"
    assert completed or isinstance(outcomes[1][1], RouteNotFinished)
    assert Route.objects.get(pk=route.pk).state == ("completed" if completed else "in_progress")
    assert len(events("logistics.stop.completed")) == 1
    assert not isinstance(outcomes[0][1], StopTransitionInvalid)
