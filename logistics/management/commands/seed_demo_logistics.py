"""``manage.py seed_demo_logistics``: distribution centres, zones, vans and drivers around the demo
customers (Lyon), the deliveries of the demo orders ready to ship, and a route per centre for the
day they are scheduled; all through the services.

* the postcode centroid table (the offline geocoder's), from the file shipped with the app;
* three centres (Gerland, Villeurbanne, Vaise), open Monday to Saturday 07:00-20:00, shipping from
  the demo stock locations (``MAIN``, ``NORTH``), each with a zone of the postcodes around it, and a
  wide zone (30 km around Gerland) for any other address;
* two vans per centre (a 2.5 t truck at Gerland), two drivers per centre with shifts for the next
  week (``driver-gerland-1`` ... log in with the demo password to see ``/api/v1/logistics/me/routes/``);
* a delivery for each order ready to ship (the sweep), and for each centre each day with deliveries
  waiting for a route planned by the route planner (``day_plan``, ``DEMO_PLAN_SECONDS`` a centre,
  after the fleet is committed: solving never runs inside a transaction): routes assigned to the
  centre's drivers and vans, every delivery on a route or listed unassigned in the planning run.

``seed_demo`` runs it after ``seed_demo_orders``. Idempotent: what exists is kept (a centre by its
code, a van by its registration, a driver by username, a shift by day); deliveries already on a
route are not routed again.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from commerce import locks
from commerce.demo import add_allow_production_argument, demo_password, quick_demo_hashing, refuse_in_production
from logistics import selectors, services
from logistics.models import (
    CentreStockLocation,
    DeliveryZone,
    DistributionCentre,
    Driver,
    DriverShift,
    OpeningHours,
    Vehicle,
)
from logistics.services.planning import day_plan, default_time_limit

# code, name, street, zip, city, latitude, longitude, stock locations, zone postcodes
CENTRES = [
    ("gerland", "Lyon Gerland", "12 Rue du Vercors", "69007", "Lyon", "45.731000", "4.832000", ["MAIN"],
     ["69001", "69002", "69005", "69007", "69008", "69110", "69190", "69200", "69230", "69310", "69320", "69600"]),
    ("villeurbanne", "Villeurbanne Est", "40 Rue Francis de Pressensé", "69100", "Villeurbanne", "45.766000", "4.903000", [],
     ["69003", "69006", "69100", "69120", "69150", "69330", "69500", "69680", "69740", "69800"]),
    ("vaise", "Lyon Vaise", "8 Rue du Bourbonnais", "69009", "Lyon", "45.776000", "4.804000", ["NORTH"],
     ["69004", "69009", "69130", "69140", "69160", "69300", "69410", "69570", "69580"]),
]
OPEN_DAYS = range(6)  # Monday to Saturday
OPENS, CLOSES = datetime.time(7), datetime.time(20)
VAN = {"capacity_kg": Decimal("800"), "capacity_l": Decimal("6000"), "capacity_parcels": 120,
       "fixed_cost_per_day": Decimal("60.00"), "cost_per_km": Decimal("0.3500"), "cost_per_hour": Decimal("24.0000")}
TRUCK = {"capacity_kg": Decimal("2500"), "capacity_l": Decimal("18000"), "capacity_parcels": 300, "licence_required": "C1",
         "fixed_cost_per_day": Decimal("110.00"), "cost_per_km": Decimal("0.6000"), "cost_per_hour": Decimal("28.0000")}
DRIVER_NAMES = [("Louis", "Perrin"), ("Inès", "Robin"), ("Hugo", "Faure"), ("Lina", "Marchand"), ("Adam", "Colin"),
                ("Emma", "Gauthier")]
SHIFT_DAYS = 7
DEMO_PLAN_SECONDS = 2  # the planner's search per centre and day: seed_demo stays quick (less if LOGISTICS_PLAN_TIME_LIMIT is)


class Command(BaseCommand):
    help = "Create demo centres, zones, vehicles, drivers, deliveries and routes through the services (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        refuse_in_production("seed_demo_logistics", allow_production=allow_production)
        started = time.monotonic()
        self.made = {"centres": 0, "vehicles": 0, "drivers": 0, "shifts": 0, "routes": 0}
        self.password = None
        centroids = services.centroids_load()
        with quick_demo_hashing(), locks.batch():  # run alone: all of it or nothing, each command checked as its own transaction
            centres = [self._centre(*row) for row in CENTRES]
            self._wide_zone(centres[0])
            for index, centre in enumerate(centres):
                vans = [self._vehicle(centre, f"GA-{index + 1}0{n}-LY", f"Van {n}", VAN) for n in (1, 2)]
                if centre.code == "gerland":
                    self._vehicle(centre, "GA-190-LY", "Truck", TRUCK)
                drivers = [self._driver(centre, f"driver-{centre.code}-{n}", *DRIVER_NAMES[2 * index + n - 1]) for n in (1, 2)]
                self._shifts(drivers)
                self.centre_fleet = getattr(self, "centre_fleet", {}) | {centre.pk: (drivers, vans)}
            sweep = services.deliveries_sweep()
        for centre in centres:
            self._plan(centre)
        elapsed = time.monotonic() - started
        made = ", ".join(f"{n} {what}" for what, n in self.made.items())
        self.stdout.write(self.style.SUCCESS(
            f"Demo logistics in {elapsed:.1f} s: {made}; {centroids['created']} centroids loaded; deliveries: "
            f"{sweep['created']} made from orders ready to ship, {sweep['placed']} placed in a zone "
            f"({sweep['existing']} there already)."
        ))
        if self.made["drivers"]:
            self.stdout.write(f"Drivers log in as driver-gerland-1 ... driver-vaise-2 with the password {self.password!r}.")
        self.stdout.write("The planned days are on the dispatch console: /admin/logistics/dispatchconsole/ (user dispatcher).")

    # --- the fleet --------------------------------------------------------------------------------
    def _centre(self, code, name, street, zip_code, city, lat, lon, locations, prefixes) -> DistributionCentre:
        centre = DistributionCentre.objects.filter(code=code).first()
        if centre is not None:
            return centre
        centre = services.fleet_save(obj=DistributionCentre(code=code, name=name, street=street, zip_code=zip_code, city=city,
                                                            country="FR", latitude=Decimal(lat), longitude=Decimal(lon)))
        for weekday in OPEN_DAYS:
            services.fleet_save(obj=OpeningHours(centre=centre, weekday=weekday, opens=OPENS, closes=CLOSES))
        for location in locations:
            services.fleet_save(obj=CentreStockLocation(centre=centre, code=location))
        services.fleet_save(obj=DeliveryZone(centre=centre, code=f"{code}-zone", name=f"{name} area", postcode_prefixes=prefixes,
                                             window_start=datetime.time(9), window_end=datetime.time(18), service_minutes=5,
                                             speed_kmh=Decimal("22")))
        self.made["centres"] += 1
        return centre

    def _wide_zone(self, centre) -> None:
        if not DeliveryZone.objects.filter(code="greater-lyon").exists():
            services.fleet_save(obj=DeliveryZone(centre=centre, code="greater-lyon", name="Greater Lyon (30 km)",
                                                 radius_km=Decimal("30"), window_start=datetime.time(10),
                                                 window_end=datetime.time(17), service_minutes=8, speed_kmh=Decimal("45")))

    def _vehicle(self, centre, registration, name, spec) -> Vehicle:
        vehicle = Vehicle.objects.filter(registration=registration).first()
        if vehicle is None:
            vehicle = services.fleet_save(obj=Vehicle(centre=centre, registration=registration, name=name, **spec))
            self.made["vehicles"] += 1
        return vehicle

    def _driver(self, centre, username, first, last) -> Driver:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            self.password = self.password or demo_password()
            user = User.objects.create_user(username, f"{username}@shop.example", self.password, first_name=first,
                                            last_name=last)
        driver = Driver.objects.filter(user=user).first()
        if driver is None:
            driver = services.fleet_save(obj=Driver(user=user, home_centre=centre, licence_class="C1" if username.endswith("-1") else "B"))
            self.made["drivers"] += 1
        return driver

    def _shifts(self, drivers) -> None:
        today = timezone.localdate()
        for offset in range(SHIFT_DAYS):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() not in OPEN_DAYS:
                continue
            for driver in drivers:
                if not DriverShift.objects.filter(driver=driver, date=day).exists():
                    services.fleet_save(obj=DriverShift(driver=driver, date=day, starts=datetime.time(7), ends=datetime.time(19)))
                    self.made["shifts"] += 1

    # --- deliveries on routes ---------------------------------------------------------------------
    def _plan(self, centre) -> None:
        days = sorted(set(selectors.delivery_list(status="scheduled", centre_id=centre.pk).values_list("date", flat=True)))
        for day in days:
            if not selectors.deliveries_to_route(centre_id=centre.pk, date=day).filter(latitude__isnull=False).exists():
                continue  # planned already: a second run changes nothing
            run = day_plan(centre=centre, date=day, time_limit=min(DEMO_PLAN_SECONDS, default_time_limit()))
            if run.status == run.Status.DONE:
                self.made["routes"] += run.routes
                if run.unassigned:
                    self.stdout.write(f"{centre.code} {day}: {len(run.unassigned)} deliveries left out (see the planning run).")
            else:
                self.stdout.write(self.style.WARNING(f"{centre.code} {day}: not planned: {run.error}"))
