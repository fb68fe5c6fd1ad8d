"""Deliveries made from orders ready to ship, scheduled, and moved along."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.locks import batch
from logistics import services
from logistics.errors import DeliveryInvalid, DeliveryTransitionInvalid
from logistics.models import Delivery, DeliveryZone
from orders.services.lifecycle import order_cancel
from tests.factories import events
from tests.logistics.factories import assigned_route, centre, ready_order, tomorrow
from tests.orders.factories import paid_order, stocked_product

pytestmark = pytest.mark.django_db


def test_an_order_ready_to_ship_gets_one_delivery_in_its_zone_scheduled_for_the_next_open_day(spans):
    made = centre(weekdays=[(timezone.localdate() + datetime.timedelta(days=2)).weekday()])  # open the day after tomorrow only
    order = ready_order(zip_code="69003", weight="1.500", volume="2.000", quantity=3)

    delivery, created = services.delivery_create_from_order(order_id=order.pk)
    again, created_again = services.delivery_create_from_order(order_id=order.pk)

    assert created and not created_again and again.pk == delivery.pk
    delivery.refresh_from_db()
    assert (delivery.centre, delivery.zone.code, delivery.status) == (made, "lyon-zone", "scheduled")
    assert delivery.date == timezone.localdate() + datetime.timedelta(days=2)
    assert (delivery.window_start, delivery.window_end) == (datetime.time(9), datetime.time(17))
    assert (delivery.weight_kg, delivery.volume_l, delivery.parcels) == (Decimal("4.500"), Decimal("6.000"), 1)
    assert (delivery.order_number, delivery.geocoded_by, delivery.service_minutes) == (order.number, "address", 6)
    assert (delivery.latitude, delivery.longitude) == (Decimal("45.760000"), Decimal("4.860000"))
    [event] = events("logistics.delivery.created")
    assert event.payload["status"] == "scheduled" and event.payload["order_number"] == order.number
    assert "commerce.delivery.create" in {s.name for s in spans.get_finished_spans()}


def test_heavy_orders_make_several_parcels():
    centre()
    order = ready_order(weight="15.000", volume="10.000", quantity=3)  # 45 kg: three parcels of at most 20 kg

    delivery, _ = services.delivery_create_from_order(order_id=order.pk)

    assert delivery.parcels == 3


def test_an_address_in_no_zone_waits_pending_and_an_order_not_ready_gets_none():
    centre(prefixes=("75",))
    delivery, created = services.delivery_create_from_order(order_id=ready_order(zip_code="69003").pk)
    not_ready = paid_order([(stocked_product(), 1)])

    assert created and delivery.status == "pending" and delivery.date is None and delivery.zone is None
    assert services.delivery_create_from_order(order_id=not_ready.pk) == (None, False)
    assert services.delivery_create_from_order(order_id=10**12) == (None, False)


def test_the_sweep_makes_the_missing_deliveries_and_is_idempotent():
    centre()
    first, second = ready_order(), ready_order()
    services.delivery_create_from_order(order_id=first.pk)

    counts = services.deliveries_sweep()
    again = services.deliveries_sweep()

    assert counts == {"created": 1, "existing": 1, "skipped": 0, "placed": 0}
    assert again == {"created": 0, "existing": 2, "skipped": 0, "placed": 0}
    assert set(Delivery.objects.values_list("order_id", flat=True)) == {first.pk, second.pk}


def test_the_ready_to_ship_event_makes_the_delivery_after_commit(django_capture_on_commit_callbacks, celery_eager):
    centre()
    with django_capture_on_commit_callbacks(execute=True):
        with batch():
            order = ready_order()

    assert Delivery.objects.get(order_id=order.pk).status == "scheduled"


def test_cancelling_the_order_cancels_its_delivery(django_capture_on_commit_callbacks, celery_eager):
    centre()
    order = ready_order()
    delivery, _ = services.delivery_create_from_order(order_id=order.pk)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, reason="customer asked")

    delivery.refresh_from_db()
    assert delivery.status == "cancelled"
    assert events("logistics.delivery.status_changed")[-1].payload["previous_status"] == "scheduled"


def test_scheduling_takes_the_zone_window_unless_given_and_refuses_bad_days():
    centre()
    delivery, _ = services.delivery_create_from_order(order_id=ready_order().pk)
    day = timezone.localdate() + datetime.timedelta(days=3)

    services.delivery_schedule(delivery=delivery, date=day, window_start=datetime.time(14), window_end=datetime.time(16))
    delivery.refresh_from_db()
    assert (delivery.date, delivery.window_start, delivery.window_end) == (day, datetime.time(14), datetime.time(16))
    services.delivery_schedule(delivery=delivery, date=day)
    delivery.refresh_from_db()
    assert (delivery.window_start, delivery.window_end) == (datetime.time(9), datetime.time(17))
    assert [e.payload["date"] for e in events("logistics.delivery.scheduled")] == [day.isoformat()] * 2

    for bad in ({"date": timezone.localdate() - datetime.timedelta(days=1)},
                {"date": day, "window_start": datetime.time(16), "window_end": datetime.time(14)},
                {"date": day, "window_start": datetime.time(16)}):
        with pytest.raises(DeliveryInvalid):
            services.delivery_schedule(delivery=delivery, **bad)


def test_a_delivery_on_a_route_is_not_rescheduled_or_cancelled():
    route = assigned_route(count=1)
    delivery = route.stops.get().delivery

    with pytest.raises(DeliveryTransitionInvalid):
        services.delivery_schedule(delivery=delivery, date=tomorrow())
    with pytest.raises(DeliveryTransitionInvalid):
        services.delivery_update_status(delivery=delivery, status="cancelled")
    with pytest.raises(DeliveryTransitionInvalid, match="cannot arrive"):
        services.delivery_update_status(delivery=delivery, status="arrived")
    with pytest.raises(DeliveryInvalid):
        services.delivery_update_status(delivery=delivery, status="delivered")


def test_arrive_then_complete_delivers_the_order_and_closes_the_stop():
    route = services.route_start(route=assigned_route(count=1))
    delivery = route.stops.get().delivery

    services.delivery_update_status(delivery=delivery, status="arrived")
    services.delivery_complete(delivery=delivery)

    delivery.refresh_from_db()
    stop = route.stops.get()
    assert delivery.status == "delivered" and delivery.delivered_at is not None
    assert (stop.state, stop.holds_id) == ("delivered", None) and stop.arrived_at <= stop.completed_at
    assert [e.payload["status"] for e in events("logistics.delivery.status_changed")] == ["out_for_delivery"]
    assert events("logistics.stop.arrived")[0].payload["route_id"] == route.pk
    assert events("logistics.stop.completed")[0].payload["route_id"] == route.pk
    assert events("orders.order.delivered")[0].payload["order_id"] == delivery.order_id
    with pytest.raises(DeliveryTransitionInvalid):
        services.delivery_complete(delivery=delivery)


def test_a_failed_delivery_keeps_its_reason_and_may_be_scheduled_again():
    route = services.route_start(route=assigned_route(count=1))
    delivery = route.stops.get().delivery

    with pytest.raises(DeliveryInvalid):
        services.delivery_fail(delivery=delivery, reason="  ")
    services.delivery_fail(delivery=delivery, reason="Nobody home")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failure_reason) == ("failed", "Nobody home")
    assert route.stops.get().state == "failed"
    assert events("logistics.delivery.failed")[0].payload["reason"] == "Nobody home"

    services.delivery_schedule(delivery=delivery, date=tomorrow() + datetime.timedelta(days=1))
    delivery.refresh_from_db()
    assert delivery.status == "scheduled"


def test_the_sweep_places_a_pending_delivery_once_a_zone_serves_it():
    made = centre(prefixes=("75",))
    delivery, _ = services.delivery_create_from_order(order_id=ready_order(zip_code="69003").pk)
    assert delivery.status == "pending"
    services.fleet_save(obj=DeliveryZone(centre=made, code="lyon-3", name="Lyon 3", postcode_prefixes=["69003"],
                                         window_start=datetime.time(8), window_end=datetime.time(12)))

    counts = services.deliveries_sweep()

    delivery.refresh_from_db()
    assert counts["placed"] == 1 and delivery.status == "scheduled" and delivery.zone.code == "lyon-3"
    assert (delivery.date, delivery.window_start) == (tomorrow(), datetime.time(8))
    assert events("logistics.delivery.scheduled")[0].payload["previous_status"] == "pending"
    assert services.deliveries_sweep()["placed"] == 0
