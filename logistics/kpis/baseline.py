"""What a naive dispatcher would have driven: the same stops, nearest first, from the centre and back.

Pure arithmetic over coordinates (the offline road distance: great circle times the road factor),
used by the route projection to put a route's cost beside its nearest-neighbour cost.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from logistics.geography import Point, haversine_km, km


def _road(a: Point, b: Point) -> float:
    return haversine_km(a, b) * float(Decimal(str(settings.LOGISTICS_ROAD_FACTOR)))


def tour_km(depot: Point, points: list[Point]) -> Decimal:
    """Centre, the points in the order given, back to the centre."""
    total, here = 0.0, depot
    for point in points:
        total += _road(here, point)
        here = point
    return km(total + (_road(here, depot) if points else 0.0))


def nearest_neighbour_km(depot: Point, points: list[Point]) -> Decimal:
    """Centre, then always the nearest point not visited yet, back to the centre."""
    left, here, order = list(points), depot, []
    while left:
        nearest = min(range(len(left)), key=lambda i: _road(here, left[i]))
        here = left.pop(nearest)
        order.append(here)
    return tour_km(depot, order)
