"""``manage.py seed_demo_deliveries``: a day of deliveries under way, for the driver app, the shopper's
tracking and the KPIs; through the services, as drivers would.

At the centre with the most scheduled deliveries (up to ten): its routes not started are cancelled
(re-planned), and two routes are made of its deliveries for today (when it dispatches today; its
next open day otherwise), each with a driver on shift and a van:

* the first is worked to the end: delivered stops (with the recipient's name, the phone's position,
  and a proof photo and signature: small pictures drawn here with Pillow, stored in the private
  storage as a driver's upload is), every third one failed (not at home, refused, address not
  found), then completed: its figures reach the KPIs;
  Standard deliveries take an optional signature in the demo (a policy set only when there is none);
* the second (its last three deliveries, when there are four or more) is under way: a stop
  delivered, one failed, the last pending with its estimated arrival (its driver sees it in
  ``/api/v1/logistics/driver/routes/``, its shopper on the order page).

``seed_demo`` runs it after ``seed_demo_logistics``, inside ``bus.paused()`` (no mail to demo
customers). Idempotent: a centre with a started route today is left as it is.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from commerce.audit import bus
from commerce.demo import add_allow_production_argument, refuse_in_production
from logistics import services
from logistics.models import Delivery, DeliveryMethod, Driver, OpeningHours, ProofPolicy, Route, Stop, Vehicle
from logistics.services import execution
from logistics.services.deliveries import Position

STOPS_PER_ROUTE = 5
FAILURES = ["not_at_home", "refused", "address_not_found"]


def proof_photo(seed: int) -> io.BytesIO:
    """A small JPEG standing in for the phone's picture of a parcel at a door (drawn, so no file ships)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randint(150, 210), rng.randint(140, 190), rng.randint(120, 170)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 20, 180, 235), fill=(rng.randint(60, 140), 70, 50), outline=(40, 30, 20), width=3)  # the door
    draw.ellipse((160, 120, 170, 130), fill=(200, 180, 60))
    draw.rectangle((0, 200, 320, 240), fill=(110, 110, 105))  # the doorstep
    draw.rectangle((200, 150, 290, 215), fill=(190, 150, 95), outline=(120, 90, 50), width=2)  # the parcel
    draw.line((200, 182, 290, 182), fill=(230, 220, 200), width=4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    out.seek(0)
    return out


def proof_signature(seed: int) -> io.BytesIO:
    """A small PNG of a scribbled signature."""
    rng = random.Random(seed)
    image = Image.new("RGB", (300, 100), "white")
    points = [(20 + i * 13, 50 + rng.randint(-28, 28)) for i in range(21)]
    ImageDraw.Draw(image).line(points, fill=(20, 30, 90), width=3, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out


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
            self._signatures_taken()
            made = self._day()
        self.stdout.write(self.style.SUCCESS(f"Demo deliveries: {made}") if made else "Demo deliveries: not enough deliveries to route.")

    @staticmethod
    def _signatures_taken() -> None:
        """Standard deliveries take no signature by default (``DEFAULT_PROOF``): the demo shop takes one,
        optionally, so its proofs show both pictures; a policy the admin set is kept."""
        if not ProofPolicy.objects.filter(method=DeliveryMethod.STANDARD).exists():
            required, photo, _ = execution.DEFAULT_PROOF[DeliveryMethod.STANDARD]
            execution.proof_policy_save(method=DeliveryMethod.STANDARD, recipient_name=required, photo=photo,
                                        signature=ProofPolicy.Requirement.OPTIONAL)

    def _day(self) -> str:
        scheduled = Delivery.objects.filter(status=Delivery.Status.SCHEDULED, latitude__isnull=False)
        by_centre = scheduled.values("centre_id").annotate(n=Count("id")).order_by("-n", "centre_id")
        for centre_id in [row["centre_id"] for row in by_centre]:
            day = self._day_of(centre_id)
            drivers = list(Driver.objects.filter(home_centre_id=centre_id, is_active=True, shifts__date=day).order_by("id")[:2])
            vans = list(Vehicle.objects.filter(centre_id=centre_id, is_active=True, licence_required="B").order_by("id")[:2])
            if day is None or len(drivers) < 2 or len(vans) < 2:
                continue
            for route in Route.objects.filter(centre_id=centre_id, state__in=[Route.State.PLANNED, Route.State.ASSIGNED]):
                services.route_cancel(route=route, reason="Re-planned for the demo day")
            ids = list(scheduled.filter(centre_id=centre_id).order_by("id").values_list("pk", flat=True)[:2 * STOPS_PER_ROUTE])
            for pk in ids:
                services.delivery_schedule(delivery=pk, date=day)
            # the route under way keeps up to 3 stops (one delivered, one failed, the rest pending), the other is worked to the end
            under_way = ids[-3:] if len(ids) >= 4 else ids[1:]
            finished = ids[:len(ids) - len(under_way)]
            made = [f"{self._work(centre_id, day, finished, drivers[0], vans[0], finish=True)} completed"]
            if under_way:
                made.append(f"{self._work(centre_id, day, under_way, drivers[1], vans[1], finish=False)} under way")
            return f"{' and '.join(made)} on {day}."
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
        todo = stops if finish else stops[:len(stops) - 1]  # under way: its last stop left pending
        for index, stop in enumerate(todo):
            near = Position(latitude=stop.delivery.latitude + Decimal("0.0002"), longitude=stop.delivery.longitude)
            execution.stop_arrive(driver=driver, stop_id=stop.pk, position=near)
            # worked to the end: every third stop fails; under way: the last stop worked fails (the others delivered)
            fails = index % 3 == 2 if finish else index == len(todo) - 1
            if fails:
                execution.stop_fail(driver=driver, stop_id=stop.pk, code=FAILURES[index // 3 % len(FAILURES)], position=near)
            else:
                execution.stop_complete(driver=driver, stop_id=stop.pk, recipient_name=stop.delivery.recipient or "Neighbour",
                                        position=near, photo=proof_photo(stop.pk), signature=proof_signature(stop.pk))
        if finish:
            execution.driver_route_complete(driver=driver, route_id=route.pk)
        return route.number
