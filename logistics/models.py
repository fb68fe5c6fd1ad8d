"""Logistics rows: centres and their zones, the fleet and its drivers, deliveries, routes and stops.

States change only through ``logistics.services`` (transitions declared once there). The database
keeps what it can on every backend, MariaDB included (which drops conditional unique constraints):
one delivery per order, one vehicle and one driver per route a day, one stop per sequence number of
a route, and a delivery on at most one open stop (``Stop.holds``, set exactly while the stop is open).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from commerce import private_files
from commerce.money import CURRENCY_CHOICES, Money

COORD = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}
AMOUNT = {"max_digits": 12, "decimal_places": 2}
RATE = {"max_digits": 10, "decimal_places": 4, "validators": [MinValueValidator(0)]}
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


def _coordinates_check(prefix: str) -> models.CheckConstraint:
    """Both coordinates or neither, each within its range."""
    return models.CheckConstraint(
        condition=(Q(latitude__isnull=True, longitude__isnull=True)
                   | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180)),
        name=f"{prefix}_coordinates_valid",
    )


class LicenceClass(models.TextChoices):
    """Driving licence classes, each covering the ones before it (B < C1 < C)."""

    B = "B", "B (up to 3.5 t)"
    C1 = "C1", "C1 (up to 7.5 t)"
    C = "C", "C (over 7.5 t)"


LICENCE_RANK = {LicenceClass.B: 1, LicenceClass.C1: 2, LicenceClass.C: 3}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# --- centres and zones ----------------------------------------------------------------------------
class DistributionCentre(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    zip_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    latitude = models.DecimalField(**COORD, validators=LATITUDE)
    longitude = models.DecimalField(**COORD, validators=LONGITUDE)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [_coordinates_check("logistics_centre")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class DispatchConsole(DistributionCentre):
    """The back office's dispatch console (``logistics/admin/console.py``): a centre's planned day."""

    class Meta:
        proxy = True
        verbose_name = "dispatch console"
        verbose_name_plural = "dispatch console"


class OpeningHours(models.Model):
    """When a centre dispatches on a weekday; a weekday without a row is closed."""

    centre = models.ForeignKey(DistributionCentre, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["centre_id", "weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday"], name="logistics_hours_one_per_weekday"),
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="logistics_hours_open_before_close"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="logistics_hours_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class CentreStockLocation(models.Model):
    """A warehouse code of the catalog's stock batches (``StockBatch.location``) this centre ships
    from; a location belongs to one centre."""

    centre = models.ForeignKey(DistributionCentre, on_delete=models.CASCADE, related_name="stock_locations")
    code = models.CharField(max_length=40, unique=True, help_text="StockBatch.location, e.g. MAIN")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class DeliveryZone(models.Model):
    """A centre's area: addresses whose postcode starts with one of its prefixes, or (failing any
    prefix) within its radius of the centre. Its default window, service time and speed plan the
    deliveries in it."""

    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="zones")
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    postcode_prefixes = models.JSONField(default=list, blank=True, help_text='Postcode prefixes, e.g. ["6900", "69100"].')
    radius_km = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0.01"))],
                                    help_text="Addresses within this distance of the centre (when no prefix matches).")
    window_start = models.TimeField(help_text="Default delivery window: from")
    window_end = models.TimeField(help_text="Default delivery window: to")
    service_minutes = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(240)])
    speed_kmh = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal("25.0"),
                                    validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("130"))],
                                    help_text="Average road speed, for travel times.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["centre_id", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(window_start__lt=F("window_end")), name="logistics_zone_window_valid"),
            models.CheckConstraint(condition=Q(speed_kmh__gt=0), name="logistics_zone_speed_positive"),
            models.CheckConstraint(condition=Q(radius_km__isnull=True) | Q(radius_km__gt=0), name="logistics_zone_radius_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class PostcodeCentroid(models.Model):
    """The offline geocoder's table: where a postcode (or a city) lies, loaded by
    ``manage.py load_postcode_centroids`` from the CSV file we ship."""

    country = models.CharField(max_length=2)
    postcode = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LATITUDE)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LONGITUDE)

    class Meta:
        ordering = ["country", "postcode", "city"]
        constraints = [
            models.UniqueConstraint(fields=["country", "postcode", "city"], name="logistics_centroid_unique"),
            _coordinates_check("logistics_centroid"),
        ]
        indexes = [models.Index(fields=["country", "city"], name="logistics_centroid_city")]

    def __str__(self):
        return f"{self.country}-{self.postcode} {self.city}"


# --- the fleet ------------------------------------------------------------------------------------
class Vehicle(models.Model):
    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="vehicles")
    registration = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=80, blank=True)
    licence_required = models.CharField(max_length=2, choices=LicenceClass.choices, default=LicenceClass.B)
    capacity_kg = models.DecimalField(max_digits=8, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))])
    capacity_l = models.DecimalField(max_digits=9, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))])
    capacity_parcels = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100000)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    fixed_cost_per_day = models.DecimalField(**AMOUNT, validators=[MinValueValidator(0)])
    cost_per_km = models.DecimalField(**RATE)
    cost_per_hour = models.DecimalField(**RATE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["centre_id", "registration"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_kg__gt=0, capacity_l__gt=0, capacity_parcels__gt=0),
                                   name="logistics_vehicle_capacity_positive"),
            models.CheckConstraint(condition=Q(fixed_cost_per_day__gte=0, cost_per_km__gte=0, cost_per_hour__gte=0),
                                   name="logistics_vehicle_costs_not_negative"),
        ]

    def __str__(self):
        return f"{self.registration}{f' {self.name}' if self.name else ''}"


class VehicleUnavailability(models.Model):
    """A day a vehicle cannot be used (service, repair); every other day it is available."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="unavailable_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["vehicle_id", "date"]
        verbose_name_plural = "vehicle unavailabilities"
        constraints = [models.UniqueConstraint(fields=["vehicle", "date"], name="logistics_vehicle_off_once_a_day")]

    def __str__(self):
        return f"{self.vehicle} off on {self.date}"


class Driver(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="driver")
    home_centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="drivers")
    licence_class = models.CharField(max_length=2, choices=LicenceClass.choices, default=LicenceClass.B)
    phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["home_centre_id", "id"]

    def __str__(self):
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.licence_class})"

    def may_drive(self, vehicle: Vehicle) -> bool:
        return LICENCE_RANK[LicenceClass(self.licence_class)] >= LICENCE_RANK[LicenceClass(vehicle.licence_required)]


class DriverShift(models.Model):
    """When a driver works on a date; a date without a shift is a day off."""

    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["driver_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "date"], name="logistics_shift_one_a_day"),
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="logistics_shift_starts_before_end"),
        ]

    def __str__(self):
        return f"{self.date} {self.starts:%H:%M}-{self.ends:%H:%M}"


# --- deliveries -----------------------------------------------------------------------------------
class DeliveryMethod(models.TextChoices):
    """How an order is handed over, which decides the proof the driver must bring back (``ProofPolicy``)."""

    STANDARD = "standard", "Standard (paid online)"
    CASH_ON_DELIVERY = "cash_on_delivery", "Cash on delivery"


class FailureReason(models.TextChoices):
    """Why a stop failed, as the driver app offers it (``other`` comes with the driver's words)."""

    NOT_AT_HOME = "not_at_home", "Nobody at home"
    REFUSED = "refused", "Refused by the recipient"
    ADDRESS_NOT_FOUND = "address_not_found", "Address not found"
    DAMAGED = "damaged", "Parcel damaged"
    OTHER = "other", "Other"


class Delivery(models.Model):
    """One order's delivery: where (an address snapshot with coordinates), what (weight, volume,
    parcels from the products), when (a day and window, the zone's default unless chosen)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (no day yet)"
        SCHEDULED = "scheduled", "Scheduled"
        OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
        ARRIVED = "arrived", "Driver at the address"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class GeocodedBy(models.TextChoices):
        ADDRESS = "address", "The address's own coordinates"
        GEOCODER = "geocoder", "The geocoder"
        NONE = "none", "Not located"

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="+")
    order_number = models.CharField(max_length=11, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text="None: a guest's order.")
    contact_email = models.EmailField(blank=True, help_text="Where its mails go: the customer's or the guest's address, from the order.")
    centre = models.ForeignKey(DistributionCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    zone = models.ForeignKey(DeliveryZone, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    latitude = models.DecimalField(**COORD, validators=LATITUDE)
    longitude = models.DecimalField(**COORD, validators=LONGITUDE)
    geocoded_by = models.CharField(max_length=8, choices=GeocodedBy.choices)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=3, validators=[MinValueValidator(0)])
    volume_l = models.DecimalField(max_digits=11, decimal_places=3, validators=[MinValueValidator(0)])
    parcels = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    date = models.DateField(null=True, blank=True, help_text="The day it is delivered (none while pending).")
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    service_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(240)])
    method = models.CharField(max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.STANDARD)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            _coordinates_check("logistics_delivery"),
            models.CheckConstraint(condition=Q(weight_kg__gte=0, volume_l__gte=0, parcels__gte=1),
                                   name="logistics_delivery_load_valid"),
            models.CheckConstraint(
                condition=(Q(window_start__isnull=True, window_end__isnull=True)
                           | Q(window_start__isnull=False, window_end__isnull=False, window_start__lt=F("window_end"))),
                name="logistics_delivery_window_valid",
            ),
            models.CheckConstraint(condition=Q(status="pending") | Q(status="cancelled") | Q(date__isnull=False),
                                   name="logistics_delivery_dated_once_scheduled"),
        ]
        indexes = [models.Index(fields=["status", "date"], name="logistics_delivery_status_date")]

    def __str__(self):
        return f"Delivery of {self.order_number}"

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# --- routes and stops -----------------------------------------------------------------------------
class Route(models.Model):
    """The spec's DeliveryRoute: a vehicle's day from one centre, its stops in order."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        ASSIGNED = "assigned", "Assigned (driver and vehicle)"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=40, unique=True)
    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="routes")
    date = models.DateField()
    driver = models.ForeignKey(Driver, null=True, blank=True, on_delete=models.PROTECT, related_name="routes")
    vehicle = models.ForeignKey(Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="routes")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    departs_at = models.DateTimeField(help_text="When it leaves the centre.")
    returns_at = models.DateTimeField(help_text="When it is back at the centre (planned).")
    distance_km = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    duration_minutes = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    cost_amount = models.DecimalField(**AMOUNT, default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every dispatcher's edit of its stops (``logistics.dispatch``): an edit made on an
    # older version is refused as stale, never written over the newer one.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "centre_id", "id"]
        constraints = [
            # NULLs are distinct on every backend: routes without a vehicle or driver yet do not clash.
            models.UniqueConstraint(fields=["vehicle", "date"], name="logistics_route_vehicle_once_a_day"),
            models.UniqueConstraint(fields=["driver", "date"], name="logistics_route_driver_once_a_day"),
            models.CheckConstraint(condition=Q(distance_km__gte=0, cost_amount__gte=0), name="logistics_route_figures_valid"),
            models.CheckConstraint(condition=Q(departs_at__lte=F("returns_at")), name="logistics_route_returns_after_departure"),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "cancelled"]) | Q(driver__isnull=False, vehicle__isnull=False),
                name="logistics_route_assigned_has_driver_and_vehicle",
            ),
        ]
        indexes = [models.Index(fields=["date", "state"], name="logistics_route_date_state")]

    def __str__(self):
        return self.number

    @property
    def cost(self) -> Money:
        return Money.of(self.cost_amount, self.currency)


class Stop(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ARRIVED = "arrived", "Arrived"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    OPEN = (State.PENDING, State.ARRIVED)

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="stops")
    # The delivery while the stop is open (pending or arrived), NULL once closed: unique, so a
    # delivery is on at most one open stop on every backend (a conditional unique would be dropped).
    holds = models.OneToOneField(Delivery, null=True, blank=True, editable=False, on_delete=models.PROTECT,
                                 related_name="open_stop")
    sequence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    planned_arrival = models.DateTimeField()
    distance_from_previous_km = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    load_after_kg = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    load_after_l = models.DecimalField(max_digits=11, decimal_places=3, default=0)
    load_after_parcels = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    arrived_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    # Pinned by a dispatcher: re-optimising keeps it on its route (``logistics.dispatch``).
    locked = models.BooleanField(default=False)
    # What the driver brought back (``logistics.services.execution``): the proof of delivery, and
    # where the phone was when the stop closed, with its distance from the address for the dispatcher.
    recipient_name = models.CharField(max_length=120, blank=True)
    # In the private storage: served only by the access-checked proof views (``logistics.proofs``).
    proof_photo = models.FileField(upload_to="logistics/proofs/%Y/%m/", max_length=200, blank=True, storage=private_files.storage)
    proof_signature = models.FileField(upload_to="logistics/proofs/%Y/%m/", max_length=200, blank=True,
                                       storage=private_files.storage)
    closed_latitude = models.DecimalField(**COORD, validators=LATITUDE)
    closed_longitude = models.DecimalField(**COORD, validators=LONGITUDE)
    closed_distance_m = models.PositiveIntegerField(null=True, blank=True, help_text="How far from the address the stop was closed.")
    estimated_arrival = models.DateTimeField(null=True, blank=True,
                                             help_text="Recalculated from the driver's progress once the route is under way.")

    class Meta:
        ordering = ["route_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["route", "sequence"], name="logistics_stop_sequence_unique"),
            models.UniqueConstraint(fields=["route", "delivery"], name="logistics_stop_delivery_once_per_route"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="logistics_stop_sequence_positive"),
            models.CheckConstraint(
                condition=(Q(state__in=["pending", "arrived"], holds__isnull=False, holds=F("delivery"))
                           | Q(state__in=["delivered", "failed"], holds__isnull=True)),
                name="logistics_stop_holds_its_delivery_while_open",
            ),
            models.CheckConstraint(condition=Q(load_after_kg__gte=0, load_after_l__gte=0, distance_from_previous_km__gte=0),
                                   name="logistics_stop_figures_valid"),
            models.CheckConstraint(
                condition=(Q(closed_latitude__isnull=True, closed_longitude__isnull=True)
                           | Q(closed_latitude__gte=-90, closed_latitude__lte=90, closed_longitude__gte=-180,
                               closed_longitude__lte=180)),
                name="logistics_stop_closed_position_valid",
            ),
        ]

    def __str__(self):
        return f"{self.route_id} #{self.sequence}"


class ProofPolicy(models.Model):
    """What proof of delivery a delivery method asks of the driver: recipient's name, photo and
    signature, each required, optional or off (edited in the admin; a method without a row uses
    ``logistics.services.execution.DEFAULT_PROOF``)."""

    class Requirement(models.TextChoices):
        REQUIRED = "required", "Required"
        OPTIONAL = "optional", "Optional"
        OFF = "off", "Off"

    method = models.CharField(max_length=16, choices=DeliveryMethod.choices, unique=True)
    recipient_name = models.CharField(max_length=8, choices=Requirement.choices, default=Requirement.REQUIRED)
    photo = models.CharField(max_length=8, choices=Requirement.choices, default=Requirement.OPTIONAL)
    signature = models.CharField(max_length=8, choices=Requirement.choices, default=Requirement.OFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["method"]
        verbose_name_plural = "proof policies"

    def __str__(self):
        return f"Proof for {self.get_method_display().lower()}"


# --- planning runs --------------------------------------------------------------------------------
class PlanningRun(models.Model):
    """One planning of a centre's day (``logistics.services.planning``): queued, running, then done
    (its figures below) or failed (``error``; nothing written). Nightly runs share a ``batch``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="planning_runs")
    date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(max_length=10, blank=True, help_text="pyvrp, ortools or nearest; blank: the default.")
    time_limit = models.FloatField(help_text="Seconds the solver may search.")
    batch = models.CharField(max_length=40, blank=True, help_text="The nightly planning this run belongs to.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    solver = models.CharField(max_length=30, blank=True)
    solver_status = models.CharField(max_length=12, blank=True)
    routes = models.PositiveIntegerField(default=0)
    stops = models.PositiveIntegerField(default=0)
    unassigned = models.JSONField(default=list, blank=True, help_text="Deliveries left out, each with its reason.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    cost_amount = models.DecimalField(**AMOUNT, default=0)
    distance_km = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    wall_time = models.FloatField(default=0, help_text="Seconds the solver took.")
    nearest_cost_amount = models.DecimalField(**AMOUNT, null=True, blank=True, help_text=(
        "The day's deliveries dispatched nearest-first instead, in the run's currency (None: not planned yet)."))
    nearest_distance_km = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    nearest_stops = models.PositiveIntegerField(null=True, blank=True, help_text="Stops the nearest-first dispatch served.")
    notes = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    progress = models.JSONField(default=dict, blank=True, help_text=(
        "While it runs: the best plan so far (cost, stops served) and the seconds elapsed, updated as the solver finds better."))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["centre", "date"], name="logistics_run_centre_date")]

    def __str__(self):
        return f"Planning of {self.date} for centre {self.centre_id} ({self.status})"

    @property
    def cost(self) -> Money:
        return Money.of(self.cost_amount, self.currency)

    @property
    def nearest_cost(self) -> Money | None:
        """The day's deliveries dispatched nearest-first instead (None: not planned yet)."""
        return None if self.nearest_cost_amount is None else Money.of(self.nearest_cost_amount, self.currency)

    @property
    def nearest_saving(self) -> Money | None:
        """What the plan saves against nearest-first dispatch of the day (negative: it cost more)."""
        return None if self.nearest_cost_amount is None else Money.of(self.nearest_cost_amount - self.cost_amount, self.currency)

    @property
    def progress_text(self) -> str:
        """The live progress in words (admin): "best 412.35 EUR, 41 of 44 stops served, after 3.2 of 30 s"."""
        p = self.progress or {}
        if not p:
            return "-" if self.status != self.Status.RUNNING else "searching, no plan yet"
        return (f"best {p['best_cost']} {p['currency']}, {p['served']} of {p['stops']} stops served, "
                f"after {p['elapsed']:.1f} of {p['time_limit']:g} s ({p['solutions']} solutions)")


# The KPIs' read models live in their own module; imported here so Django registers them with the app.
from logistics.kpi_models import DayPlanFact, DeliveryRatingFact, RouteFact, StopFact  # noqa: E402,F401
