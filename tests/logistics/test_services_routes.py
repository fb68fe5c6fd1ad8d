"""Routes: created with their figures, assigned, started (shipping their orders), completed."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics import services
from logistics.errors import (
    AssignmentInvalid,
    DeliveryNotRoutable,
    ResourceBusy,
    RouteInvalid,
    RouteNotFinished,
    RouteTransitionInvalid,
)
from logistics.geography import travel_minutes
from logistics.models import Route, Stop, VehicleUnavailability
from logistics.timeline import at
from orders.services.lifecycle import order_cancel
from tests.factories import events
from tests.logistics.factories import assigned_route, centre, driver, scheduled_deliveries, tomorrow, vehicle

pytestmark = pytest.mark.django_db


def test_a_route_stores_its_stops_in_order_with_arrivals_loads_and_distances(spans):
    made = centre(opens=datetime.time(7))
    deliveries = scheduled_deliveries(3)
    order = [deliveries[2].pk, deliveries[0].pk, deliveries[1].pk]

    route = services.route_create(centre=made, date=tomorrow(), delivery_ids=order)

    stops = list(route.stops.order_by("sequence"))
    assert [s.delivery_id for s in stops] == order and [s.sequence for s in stops] == [1, 2, 3]
    assert all(s.holds_id == s.delivery_id and s.state == "pending" for s in stops)
    # it leaves after the centre opens (7:00), just in time to reach the first stop as its window opens (9:00)
    assert route.state == "planned" and route.departs_at > at(tomorrow(), datetime.time(7))
    assert stops[0].planned_arrival == at(tomorrow(), datetime.time(9))
    drive = travel_minutes(stops[0].distance_from_previous_km, Decimal("30"))
    assert route.departs_at == stops[0].planned_arrival - datetime.timedelta(minutes=drive) and drive > 0
    assert stops[0].planned_arrival < stops[1].planned_arrival < stops[2].planned_arrival < route.returns_at
    # each delivery: 2 units of 2 kg and 3 l; the load falls by one delivery at each stop
    assert [(s.load_after_kg, s.load_after_l, s.load_after_parcels) for s in stops] == [
        (Decimal("8"), Decimal("12"), 2), (Decimal("4"), Decimal("6"), 1), (Decimal("0"), Decimal("0"), 0)]
    assert route.distance_km > sum(s.distance_from_previous_km for s in stops) > 0  # and the way back
    assert route.duration_minutes == (route.returns_at - route.departs_at).total_seconds() // 60
    assert route.cost_amount == 0  # no vehicle yet
    assert events("logistics.route.planned")[0].payload["delivery_ids"] == order
    assert "commerce.route.create" in {s.name for s in spans.get_finished_spans()}


def test_a_route_refuses_deliveries_it_cannot_take():
    made = centre()
    first, second = scheduled_deliveries(2)
    services.route_create(centre=made, date=tomorrow(), delivery_ids=[first.pk])

    with pytest.raises(DeliveryNotRoutable, match="another route"):
        services.route_create(centre=made, date=tomorrow(), delivery_ids=[second.pk, first.pk])
    with pytest.raises(DeliveryNotRoutable, match="scheduled for"):
        services.route_create(centre=made, date=tomorrow() + datetime.timedelta(days=1), delivery_ids=[second.pk])
    with pytest.raises(RouteInvalid):
        services.route_create(centre=made, date=tomorrow(), delivery_ids=[second.pk, second.pk])
    with pytest.raises(RouteInvalid):
        services.route_create(centre=made, date=tomorrow(), delivery_ids=[])
    with pytest.raises(DeliveryNotRoutable):
        services.route_create(centre=made, date=tomorrow(), delivery_ids=[10**12])
    assert Route.objects.count() == 1 and Stop.objects.count() == 1


def test_a_route_on_a_day_the_centre_is_closed_is_refused():
    made = centre(weekdays=[tomorrow().weekday()])
    [delivery] = scheduled_deliveries(1)

    with pytest.raises(RouteInvalid, match="does not dispatch"):
        services.route_create(centre=made, date=tomorrow() + datetime.timedelta(days=1), delivery_ids=[delivery.pk])


def test_assigning_costs_the_route_with_the_vehicle_rates():
    made = centre()
    deliveries = scheduled_deliveries(2)
    route = services.route_create(centre=made, date=tomorrow(), delivery_ids=[d.pk for d in deliveries])
    van = vehicle(made, fixed_cost_per_day=Decimal("50.00"), cost_per_km=Decimal("0.5"), cost_per_hour=Decimal("30"))

    route = services.route_assign(route=route, driver=driver(made, date=tomorrow()), vehicle=van)

    expected = (Decimal("50") + route.distance_km * Decimal("0.5") + Decimal(route.duration_minutes) / 60 * 30).quantize(Decimal("0.01"))
    assert route.state == "assigned" and route.cost_amount == expected
    assert events("logistics.route.assigned")[0].payload["vehicle_id"] == van.pk


@pytest.mark.parametrize("problem", ["no_shift", "short_shift", "licence", "vehicle_off", "capacity", "other_centre"])
def test_an_assignment_the_driver_or_vehicle_cannot_take_is_refused(problem):
    made = centre()
    deliveries = scheduled_deliveries(2)
    route = services.route_create(centre=made, date=tomorrow(), delivery_ids=[d.pk for d in deliveries])
    the_driver = driver(made, date=None if problem == "no_shift" else tomorrow(),
                        ends=datetime.time(8) if problem == "short_shift" else datetime.time(22))
    the_vehicle = vehicle(centre("other", prefixes=()) if problem == "other_centre" else made,
                          licence_required="C" if problem == "licence" else "B",
                          capacity_kg=Decimal("5") if problem == "capacity" else Decimal("800"))
    if problem == "vehicle_off":
        services.fleet_save(obj=VehicleUnavailability(vehicle=the_vehicle, date=tomorrow(), reason="service"))

    with pytest.raises(AssignmentInvalid):
        services.route_assign(route=route, driver=the_driver, vehicle=the_vehicle)
    route.refresh_from_db()
    assert route.state == "planned" and route.driver is None


def test_a_driver_or_vehicle_takes_one_route_a_day():
    route = assigned_route(count=1)
    [other_delivery] = scheduled_deliveries(1)
    other = services.route_create(centre=route.centre, date=route.date, delivery_ids=[other_delivery.pk])

    with pytest.raises(ResourceBusy):
        services.route_assign(route=other, driver=route.driver, vehicle=vehicle(route.centre))
    with pytest.raises(ResourceBusy):
        services.route_assign(route=other, driver=driver(route.centre, date=route.date), vehicle=route.vehicle)


def test_starting_ships_the_orders_and_sends_the_deliveries_out():
    route = assigned_route(count=2)

    route = services.route_start(route=route)

    assert route.state == "in_progress" and route.started_at is not None
    assert set(route.stops.values_list("delivery__status", flat=True)) == {"out_for_delivery"}
    shipped = events("orders.order.shipped")
    assert len(shipped) == 2 and {e.payload["tracking_number"] for e in shipped} == {route.number}
    assert events("logistics.route.started")[0].payload["driver_id"] == route.driver_id
    with pytest.raises(RouteTransitionInvalid):
        services.route_start(route=route)
    with pytest.raises(RouteTransitionInvalid):
        services.route_assign(route=route, driver=route.driver, vehicle=route.vehicle)


def test_a_planned_route_cannot_start_and_a_route_completes_once_every_stop_is_closed():
    made = centre()
    [delivery] = scheduled_deliveries(1)
    planned = services.route_create(centre=made, date=tomorrow(), delivery_ids=[delivery.pk])
    with pytest.raises(RouteTransitionInvalid):
        services.route_start(route=planned)
    route = services.route_start(route=services.route_assign(route=planned, driver=driver(made, date=tomorrow()),
                                                             vehicle=vehicle(made)))

    with pytest.raises(RouteNotFinished):
        services.route_complete(route=route)
    services.delivery_complete(delivery=delivery)
    route = services.route_complete(route=route)

    assert route.state == "completed" and route.completed_at is not None
    assert events("logistics.route.completed")[0].payload == {
        **events("logistics.route.completed")[0].payload, "delivered": 1, "failed": 0}


def test_route_start_refuses_when_a_delivery_was_cancelled_meanwhile():
    route = assigned_route(count=1)
    delivery = route.stops.get().delivery
    type(delivery).objects.filter(pk=delivery.pk).update(status="cancelled")  # as a racing command would leave it

    with pytest.raises(DeliveryNotRoutable):
        services.route_start(route=route)
    route.refresh_from_db()
    assert route.state == "assigned"


def test_timelines_are_kept_in_the_shops_timezone():
    route = assigned_route(count=1)
    assert timezone.localtime(route.departs_at).date() == tomorrow()



def test_cancelling_a_route_not_started_frees_its_deliveries_driver_and_vehicle():
    route = assigned_route(count=2)
    delivery_ids = list(route.stops.order_by("sequence").values_list("delivery_id", flat=True))
    driver_id, vehicle_id = route.driver_id, route.vehicle_id

    with pytest.raises(RouteInvalid):
        services.route_cancel(route=route, reason=" ")
    cancelled = services.route_cancel(route=route, reason="Re-planned")

    assert (cancelled.state, cancelled.driver, cancelled.stops.count()) == ("cancelled", None, 0)
    assert events("logistics.route.cancelled")[0].payload["delivery_ids"] == delivery_ids
    again = services.route_create(centre=route.centre, date=route.date, delivery_ids=delivery_ids)
    assert services.route_assign(route=again, driver=driver_id, vehicle=vehicle_id).state == "assigned"
    services.route_start(route=again)
    with pytest.raises(RouteTransitionInvalid):
        services.route_cancel(route=again, reason="Too late")


def test_a_route_whose_order_was_cancelled_meanwhile_does_not_start():
    route = assigned_route(count=2)
    delivery = route.stops.order_by("sequence").first().delivery
    order_cancel(order=delivery.order_id, reason="customer asked")  # its delivery is on a route: it stays there

    with pytest.raises(DeliveryNotRoutable, match="cancelled; cancel the route"):
        services.route_start(route=route)

    route.refresh_from_db()
    assert route.state == "assigned" and not events("orders.order.shipped")
