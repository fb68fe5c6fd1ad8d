"""``manage.py seed_demo_deliveries``: a day of deliveries under way, for the driver app, the shopper's
tracking and the KPIs; through the services, as drivers would.

At the first centre with enough scheduled deliveries: its routes not started are cancelled
(re-planned), and two routes are made of its deliveries for today (when it dispatches today; its
next open day otherwise), each with a driver on shift and a van:

* the first is worked to the end: delivered stops (with the recipient's name and the phone's
  position), failed ones for several reasons, then completed: its figures reach the KPIs;
* the second is under way: two stops delivered, one failed, the rest pending with their
  estimated arrivals (its driver sees them in ``/api/v1/logistics/driver/routes/``, the shoppers
  on their order pages).

``seed_demo`` runs it after ``seed_demo_logistics``, inside ``bus.paused()`` (no mail to demo
customers). Idempotent: a centre with a started route today is left as it is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone

from commerce.audit import bus
from commerce.demo import add_allow_production_argument, refuse_in_production
from logistics import services
from logistics.models import Delivery, Driver, OpeningHours, Route, Stop, Vehicle
from logistics.services import execution
from logistics.services.deliveries import Position

STOPS_PER_ROUTE = 6
FAILURES = ["not_at_home", "refused", "address_not_found"]


class Command(BaseCommand):
    help = "Work a demo day of deliveries through the driver's commands (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        refuse_in_production("seed_demo_deliveries", allow_production=allow_production)
        if Route.objects.filter(state__in=[Route.State.IN_PROGRESS, Route.State.COMPLETED], date__gte=timezone.localdate()).exists():
            self.stdout.write("Demo deliveries: a route is under way today already; nothing to do.")
            return
        with bus.paused():
            made = self._day()
        self.stdout.write(self.style.SUCCESS(f"Demo deliveries: {made}") if made else "Demo deliveries: not enough deliveries to route.")

    def _day(self) -> str:
        for centre_id in Delivery.objects.filter(status=Delivery.Status.SCHEDULED, latitude__isnull=False).order_by("centre_id") \
                .values_list("centre_id", flat=True).distinct():
            day = self._day_of(centre_id)
            drivers = list(Driver.objects.filter(home_centre_id=centre_id, is_active=True, shifts__date=day).order_by("id")[:2])
            vans = list(Vehicle.objects.filter(centre_id=centre_id, is_active=True, licence_required="B").order_by("id")[:2])
            if day is None or len(drivers) < 2 or len(vans) < 2:
                continue
            for route in Route.objects.filter(centre_id=centre_id, state__in=[Route.State.PLANNED, Route.State.ASSIGNED]):
                services.route_cancel(route=route, reason="Re-planned for the demo day")
            ids = list(Delivery.objects.filter(centre_id=centre_id, status=Delivery.Status.SCHEDULED, latitude__isnull=False)
                       .order_by("id").values_list("pk", flat=True)[:2 * STOPS_PER_ROUTE])
            if len(ids) < 2 * 3:
                continue
            for pk in ids:
                services.delivery_schedule(delivery=pk, date=day)
            half = len(ids) // 2
            done = self._work(centre_id, day, ids[:half], drivers[0], vans[0], finish=True)
            under_way = self._work(centre_id, day, ids[half:], drivers[1], vans[1], finish=False)
            return f"{done} completed and {under_way} under way on {day}."
        return ""

    @staticmethod
    def _day_of(centre_id: int) -> datetime.date | None:
        today = timezone.localdate()
        weekdays = set(OpeningHours.objects.filter(centre_id=centre_id).values_list("weekday", flat=True))
        for offset in range(7):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() in weekdays:
                return day
        return None

    def _work(self, centre_id, day, delivery_ids, driver, vehicle, *, finish: bool) -> str:
        route = services.route_create(centre=centre_id, date=day, delivery_ids=delivery_ids)
        route = services.route_assign(route=route, driver=driver, vehicle=vehicle)
        execution.driver_route_start(driver=driver, route_id=route.pk)
        stops = list(Stop.objects.filter(route=route).select_related("delivery").order_by("sequence"))
        todo = stops if finish else stops[:min(3, len(stops) - 1)]  # under way: some stops left
        for index, stop in enumerate(todo):
            near = Position(latitude=stop.delivery.latitude + Decimal("0.0002"), longitude=stop.delivery.longitude)
            execution.stop_arrive(driver=driver, stop_id=stop.pk, position=near)
            if index % 3 == 2:
                execution.stop_fail(driver=driver, stop_id=stop.pk, code=FAILURES[index // 3 % len(FAILURES)], position=near)
            else:
                execution.stop_complete(driver=driver, stop_id=stop.pk, recipient_name=stop.delivery.recipient or "Neighbour",
                                        position=near)
        if finish:
            execution.driver_route_complete(driver=driver, route_id=route.pk)
        return route.number
