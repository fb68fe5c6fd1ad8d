"""A route of today, assigned to a driver on shift, for the driver app (its stops may be worked now)."""

from django.utils import timezone

from logistics import services
from tests.logistics.factories import centre, driver, scheduled_deliveries, vehicle


def todays_route(*, count=2, code="lyon", start=False, **delivery_kwargs):
    """``(route, driver)``: a route of today with ``count`` stops (deliveries moved to today),
    assigned to a driver on shift today and a van; started when ``start``."""
    today = timezone.localdate()
    made = centre(code, prefixes=("69003",))  # the longest prefix: its zone wins over another centre's "69"
    deliveries = scheduled_deliveries(count, **delivery_kwargs)
    for delivery in deliveries:
        services.delivery_schedule(delivery=delivery, date=today)
    route = services.route_create(centre=made, date=today, delivery_ids=[d.pk for d in deliveries])
    courier = driver(made, date=today)
    route = services.route_assign(route=route, driver=courier, vehicle=vehicle(made))
    if start:
        route = services.route_start(route=route)
    return route, courier
