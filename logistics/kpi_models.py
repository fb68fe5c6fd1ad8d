"""The logistics KPIs' read models: one row per closed stop, per completed route, per planned day, per delivery rating.

Written only by ``logistics.kpis.projection`` from the events (a stop closed, a route completed, a
day planned, a review's delivery stars), never aggregated per request: the KPI queries (``logistics.kpis.queries``)
read these rows alone. ``manage.py logistics_kpis_rebuild`` replays the event table into them and
gives the same rows.
"""

from __future__ import annotations

from django.db import models

from logistics.models import COORD

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class StopFact(models.Model):
    """A delivery attempt: its stop closed, delivered or failed, with its timing against the promise."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    stop_id = models.BigIntegerField(unique=True)
    delivery_id = models.BigIntegerField(db_index=True)
    order_id = models.BigIntegerField(db_index=True)
    customer_id = models.BigIntegerField(db_index=True, null=True, help_text="None: a guest's order.")
    route_id = models.BigIntegerField(db_index=True)
    centre_id = models.BigIntegerField()
    driver_id = models.BigIntegerField(null=True)
    date = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    failure_code = models.CharField(max_length=20, blank=True)
    window_start = models.DateTimeField(null=True)
    window_end = models.DateTimeField(null=True)
    planned_arrival = models.DateTimeField()
    arrived_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    on_time = models.BooleanField(null=True, help_text="Arrived inside the promised window (None: no window).")
    lateness_minutes = models.IntegerField(default=0, help_text="Minutes after the window's end (0 when in time).")
    delay_minutes = models.IntegerField(default=0, help_text="Arrival against the planned arrival, in minutes (may be negative).")
    service_minutes = models.IntegerField(default=0, help_text="From arrival to closing the stop.")
    distance_m = models.PositiveIntegerField(null=True)
    latitude = models.DecimalField(**COORD)
    longitude = models.DecimalField(**COORD)

    class Meta:
        ordering = ["date", "closed_at"]
        indexes = [models.Index(fields=["date", "centre_id"], name="logistics_stopfact_day_centre")]

    def __str__(self):
        return f"Stop {self.stop_id} {self.outcome} on {self.date}"


class RouteFact(models.Model):
    """A completed route: what was planned against what was driven, its load and cost, and what naive
    nearest-neighbour dispatch of the same stops would have cost."""

    route_id = models.BigIntegerField(unique=True)
    centre_id = models.BigIntegerField()
    date = models.DateField()
    driver_id = models.BigIntegerField(null=True)
    vehicle_id = models.BigIntegerField(null=True)
    vehicle = models.CharField(max_length=40, blank=True)
    stops = models.PositiveIntegerField()
    delivered = models.PositiveIntegerField()
    failed = models.PositiveIntegerField()
    planned_distance_km = models.DecimalField(max_digits=9, decimal_places=3)
    driven_distance_km = models.DecimalField(max_digits=9, decimal_places=3,
                                             help_text="The stops in the order they were closed, centre to centre.")
    planned_minutes = models.PositiveIntegerField()
    actual_minutes = models.PositiveIntegerField(help_text="From the start to the completion.")
    shift_minutes = models.PositiveIntegerField(null=True, help_text="The driver's shift that day.")
    load_kg = models.DecimalField(max_digits=10, decimal_places=3)
    load_l = models.DecimalField(max_digits=11, decimal_places=3)
    load_parcels = models.PositiveIntegerField()
    capacity_kg = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    capacity_l = models.DecimalField(max_digits=9, decimal_places=1, null=True)
    capacity_parcels = models.PositiveIntegerField(null=True)
    currency = models.CharField(max_length=3)
    cost_amount = models.DecimalField(**AMOUNT)
    nearest_distance_km = models.DecimalField(max_digits=9, decimal_places=3)
    nearest_cost_amount = models.DecimalField(**AMOUNT)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "route_id"]
        indexes = [models.Index(fields=["date", "centre_id"], name="logistics_routefact_day_centre")]

    def __str__(self):
        return f"Route {self.route_id} on {self.date}"


class DayPlanFact(models.Model):
    """A centre's day as last planned (``logistics.plan.created`` or ``…plan.reoptimised``): the plan's
    cost against the whole day's deliveries handed out to the vehicles nearest-first. A later plan of
    the day replaces the row (the latest run wins)."""

    centre_id = models.BigIntegerField()
    date = models.DateField()
    run_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    routes = models.PositiveIntegerField()
    stops = models.PositiveIntegerField()
    cost_amount = models.DecimalField(**AMOUNT)
    distance_km = models.DecimalField(max_digits=10, decimal_places=3)
    nearest_routes = models.PositiveIntegerField()
    nearest_stops = models.PositiveIntegerField(help_text="Stops the nearest-first dispatch served.")
    nearest_cost_amount = models.DecimalField(**AMOUNT)
    nearest_distance_km = models.DecimalField(max_digits=10, decimal_places=3)
    planned_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "centre_id"]
        constraints = [models.UniqueConstraint(fields=["centre_id", "date"], name="logistics_dayplanfact_one_per_day")]

    def __str__(self):
        return f"Centre {self.centre_id} planned for {self.date}"


class DeliveryRatingFact(models.Model):
    """The delivery stars of a review, tied to the delivery that brought the product (the customer's
    latest delivered attempt of an order holding it, before the review)."""

    review_id = models.BigIntegerField(unique=True)
    customer_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    stars = models.PositiveSmallIntegerField()
    counted = models.BooleanField(default=True, help_text="False while the review is rejected.")
    stop_id = models.BigIntegerField(null=True)
    centre_id = models.BigIntegerField(null=True)
    driver_id = models.BigIntegerField(null=True)
    date = models.DateField(null=True, help_text="The delivery's day.")
    on_time = models.BooleanField(null=True)
    rated_at = models.DateTimeField()

    class Meta:
        ordering = ["rated_at"]

    def __str__(self):
        return f"Review {self.review_id}: {self.stars} delivery stars"
