"""A route's figures for a fixed order of stops: arrival at each stop, the load left after it, the
distance driven, the duration and the cost.

This is the arithmetic of a route whose order is given (by a dispatcher, or by the planner): it
waits for a window that has not opened, serves each stop for its service time, and drives back to
the centre. It does not choose an order (that is the planner's job, ``logistics.planning``); a plan
from the planner comes with its own timeline, in this same shape, and ``route_create`` stores it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from logistics.geography import Point, distance_matrix, km, travel_minutes

DEFAULT_SPEED_KMH = Decimal("25")


@dataclass(frozen=True)
class StopFigures:
    delivery_id: int
    planned_arrival: datetime.datetime
    distance_from_previous_km: Decimal
    load_after_kg: Decimal
    load_after_l: Decimal
    load_after_parcels: int


@dataclass(frozen=True)
class RouteTimeline:
    departs_at: datetime.datetime
    returns_at: datetime.datetime
    distance_km: Decimal
    stops: tuple[StopFigures, ...]
    load_kg: Decimal  # what the vehicle leaves the centre with
    load_l: Decimal
    load_parcels: int

    @property
    def duration_minutes(self) -> int:
        return max(0, int((self.returns_at - self.departs_at).total_seconds() // 60))


def at(date: datetime.date, time: datetime.time) -> datetime.datetime:
    """A local wall-clock time on a date, as an aware datetime in the shop's time zone."""
    return timezone.make_aware(datetime.datetime.combine(date, time))


def evaluate(*, centre, date: datetime.date, departs: datetime.time, deliveries: list) -> RouteTimeline:
    """The timeline of visiting ``deliveries`` (rows with coordinates, window, service minutes,
    load and zone) in the order given, leaving ``centre`` on ``date`` at ``departs`` (its opening),
    or later when that is enough to reach the first stop as its window opens."""
    depot = Point.of(centre.latitude, centre.longitude)
    points = [depot, *(Point.of(d.latitude, d.longitude) for d in deliveries)]
    legs = distance_matrix(points)
    total_kg = sum((d.weight_kg for d in deliveries), Decimal(0))
    total_l = sum((d.volume_l for d in deliveries), Decimal(0))
    total_parcels = sum(d.parcels for d in deliveries)
    left_kg, left_l, left_parcels = total_kg, total_l, total_parcels
    departs_at = at(date, departs)
    if deliveries and deliveries[0].window_start is not None:  # leave no earlier than needed to meet the first window
        first = deliveries[0]
        drive = travel_minutes(km(legs[0][1]), first.zone.speed_kmh if first.zone_id else DEFAULT_SPEED_KMH)
        departs_at = max(departs_at, at(first.date or date, first.window_start) - datetime.timedelta(minutes=drive))
    clock = departs_at
    distance, figures, previous = Decimal(0), [], 0
    for index, delivery in enumerate(deliveries, start=1):
        leg = km(legs[previous][index])
        speed = delivery.zone.speed_kmh if delivery.zone_id else DEFAULT_SPEED_KMH
        arrival = clock + datetime.timedelta(minutes=travel_minutes(leg, speed))
        if delivery.window_start is not None:
            arrival = max(arrival, at(delivery.date or date, delivery.window_start))
        left_kg, left_l, left_parcels = left_kg - delivery.weight_kg, left_l - delivery.volume_l, left_parcels - delivery.parcels
        figures.append(StopFigures(delivery.pk, arrival, leg, left_kg, left_l, left_parcels))
        distance += leg
        clock = arrival + datetime.timedelta(minutes=delivery.service_minutes)
        previous = index
    back = km(legs[previous][0]) if deliveries else Decimal(0)
    last = deliveries[-1] if deliveries else None
    speed = last.zone.speed_kmh if last is not None and last.zone_id else DEFAULT_SPEED_KMH
    returns_at = clock + datetime.timedelta(minutes=travel_minutes(back, speed))
    return RouteTimeline(departs_at, returns_at, distance + back, tuple(figures), total_kg, total_l, total_parcels)


def route_cost(*, vehicle, distance_km: Decimal, duration_minutes: int) -> Decimal:
    """Fixed cost of the day plus distance and time at the vehicle's rates (0 without a vehicle)."""
    if vehicle is None:
        return Decimal("0.00")
    cost = vehicle.fixed_cost_per_day + distance_km * vehicle.cost_per_km + Decimal(duration_minutes) / 60 * vehicle.cost_per_hour
    return cost.quantize(Decimal("0.01"))
