"""Estimated arrivals of a route under way, recalculated from where the driver actually is.

Called inside the command that moved the route along (its start, an arrival, a stop delivered or
failed), under the route's lock, so the estimate is written in the same transaction as the change
that caused it and the shopper's page reads it, never works it out per request.

Where the driver is: the stop they reached or closed last (by time, not by sequence: a driver who
skips ahead to stop 5 is at stop 5), else the centre. From there the open stops are visited in their
planned sequence, at the zone's speed over the offline road distance, waiting for a window that has
not opened, serving each for its service time. A driver out of order therefore moves every estimate
after the stop they jumped to, and the stops they left behind come after it.

Distances are the offline great-circle estimate times the road factor (``HaversineMatrix``), pure
arithmetic: no matrix provider is asked while the route is locked.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from logistics.geography import HaversineMatrix, Point, travel_minutes
from logistics.models import Route, Stop
from logistics.timeline import DEFAULT_SPEED_KMH, at


def _speed(delivery):
    return delivery.zone.speed_kmh if delivery.zone_id else DEFAULT_SPEED_KMH


def estimate(route: Route, stops: list[Stop], *, now: datetime.datetime) -> dict[int, datetime.datetime]:
    """Stop id -> estimated arrival for the open stops of ``route`` (stops with their deliveries and
    zones, in sequence order). Pure: reads nothing more, writes nothing."""
    reached = [s for s in stops if s.arrived_at or s.completed_at]
    clock = max(now, route.started_at or route.departs_at, route.departs_at)
    origin = Point.of(route.centre.latitude, route.centre.longitude)
    if reached:
        last = max(reached, key=lambda s: (max(t for t in (s.arrived_at, s.completed_at) if t), s.sequence))
        origin = Point.of(last.delivery.latitude, last.delivery.longitude) or origin
        if last.state == Stop.State.ARRIVED:  # still at the door: the service time is not over
            clock = max(clock, last.arrived_at + datetime.timedelta(minutes=last.delivery.service_minutes))
    pending = [s for s in stops if s.state == Stop.State.PENDING]
    matrix = HaversineMatrix()
    estimates = {}
    for stop in pending:
        point = Point.of(stop.delivery.latitude, stop.delivery.longitude)
        if origin is not None and point is not None:
            leg = matrix.distances([origin, point])[0][1]
            clock += datetime.timedelta(minutes=travel_minutes(leg, _speed(stop.delivery)))
        delivery = stop.delivery
        if delivery.window_start is not None:
            clock = max(clock, at(delivery.date or route.date, delivery.window_start))
        estimates[stop.pk] = clock
        clock += datetime.timedelta(minutes=delivery.service_minutes)
        origin = point or origin
    return estimates


def route_reestimate(*, route: Route) -> dict[int, datetime.datetime]:
    """Write the estimated arrival of each open stop of ``route`` (locked by the caller, under way);
    closed stops keep none. Runs inside the caller's transaction; returns what it wrote."""
    stops = list(Stop.objects.filter(route_id=route.pk).select_related("delivery__zone").order_by("sequence"))
    estimates = estimate(route, stops, now=timezone.now()) if route.state == Route.State.IN_PROGRESS else {}
    changed = []
    for stop in stops:
        value = estimates.get(stop.pk)
        if stop.estimated_arrival != value:
            stop.estimated_arrival = value
            changed.append(stop)
    Stop.objects.bulk_update(changed, ["estimated_arrival"])
    return estimates
