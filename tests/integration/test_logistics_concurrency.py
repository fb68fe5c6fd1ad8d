"""Logistics races on MariaDB: real threads, each with its own connection."""

from collections import Counter

import pytest

from logistics import services
from logistics.errors import DeliveryNotRoutable, ResourceBusy, RouteTransitionInvalid
from logistics.models import Delivery, Route, Stop
from tests.factories import events
from tests.integration.concurrency import run_in_threads
from tests.logistics.factories import assigned_route, centre, driver, ready_order, scheduled_deliveries, tomorrow, vehicle

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _kinds(outcomes) -> Counter:
    return Counter(kind if kind == "ok" else type(value).__name__ for kind, value in outcomes)


def test_racing_sweeps_and_reactions_make_one_delivery_per_order():
    centre()
    orders = [ready_order() for _ in range(3)]

    def sweep():
        return services.deliveries_sweep()["created"]

    def reaction(order_id):
        return lambda: services.delivery_create_from_order(order_id=order_id)[1]

    outcomes = run_in_threads([sweep, sweep, *(reaction(o.pk) for o in orders)])

    assert _kinds(outcomes) == {"ok": 5}, outcomes
    made = sum(value for kind, value in outcomes)  # the sweeps' counts and the reactions' "created" flags
    assert made == 3
    assert Delivery.objects.count() == 3 and set(Delivery.objects.values_list("order_id", flat=True)) == {o.pk for o in orders}
    assert len(events("logistics.delivery.created")) == 3


def test_two_dispatchers_starting_one_route_start_it_once():
    route = assigned_route(count=2)

    outcomes = run_in_threads([lambda: services.route_start(route=route.pk).state for _ in range(2)])

    assert _kinds(outcomes) == {"ok": 1, "RouteTransitionInvalid": 1}, outcomes
    assert all(isinstance(v, RouteTransitionInvalid) for k, v in outcomes if k == "error")
    assert Route.objects.get(pk=route.pk).state == "in_progress"
    assert len(events("orders.order.shipped")) == 2 and len(events("logistics.route.started")) == 1


def test_two_routes_racing_for_one_delivery_take_it_once():
    made = centre()
    deliveries = scheduled_deliveries(2)
    ids = [d.pk for d in deliveries]

    def create(order):
        return lambda: services.route_create(centre=made.pk, date=tomorrow(), delivery_ids=order).pk

    outcomes = run_in_threads([create(ids), create(list(reversed(ids)))])

    assert _kinds(outcomes) == {"ok": 1, "DeliveryNotRoutable": 1}, outcomes
    assert all(isinstance(v, DeliveryNotRoutable) for k, v in outcomes if k == "error")
    assert Route.objects.count() == 1 and Stop.objects.filter(holds__isnull=False).count() == 2


def test_one_driver_assigned_to_two_routes_at_once_takes_one():
    made = centre()
    first, second = scheduled_deliveries(2)
    routes = [services.route_create(centre=made, date=tomorrow(), delivery_ids=[d.pk]) for d in (first, second)]
    courier = driver(made, date=tomorrow())
    vans = [vehicle(made), vehicle(made)]

    outcomes = run_in_threads([lambda r=r, v=v: services.route_assign(route=r.pk, driver=courier.pk, vehicle=v.pk).pk
                               for r, v in zip(routes, vans, strict=True)])

    assert _kinds(outcomes) == {"ok": 1, "ResourceBusy": 1}, outcomes
    assert all(isinstance(v, ResourceBusy) for k, v in outcomes if k == "error")
    assert Route.objects.filter(driver=courier).count() == 1
