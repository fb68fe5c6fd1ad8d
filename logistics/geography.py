"""Geography without outside services: where an address is, how far apart two places are, how
long the drive takes, and which delivery zone an address falls in.

- ``Point`` and ``Address`` are values (the spec's ``Address`` with ``getDeliveryZone`` and
  ``calculateDistanceTo``: ``Address.delivery_zone()`` and ``Address.distance_to()``).
- A geocoder (``Geocoder``) turns an address into a point. The offline one, ``CentroidGeocoder``,
  reads the postcode and city centroid table (``PostcodeCentroid``, loaded from the CSV file we
  ship by ``manage.py load_postcode_centroids``). ``settings.LOGISTICS_GEOCODER`` names the class
  to use: a real geocoder with the same method replaces it there.
- A distance matrix (``DistanceMatrix``) gives road distances between points. The offline one,
  ``HaversineMatrix``, is the great-circle distance times ``settings.LOGISTICS_ROAD_FACTOR``.
  ``distance_matrix()`` caches whole matrices in the Django cache (shared by every worker with
  Redis), keyed by the points; ``settings.LOGISTICS_DISTANCE_MATRIX`` names the provider.
- Travel time is distance over the zone's speed (``travel_minutes``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from logistics.planning.model import great_circle_metres

MICRO = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position; coordinates are Decimals with six places (about 0.1 m), as stored."""

    latitude: Decimal
    longitude: Decimal

    def __post_init__(self):
        lat, lon = Decimal(self.latitude).quantize(MICRO), Decimal(self.longitude).quantize(MICRO)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"Not a position on Earth: {lat}, {lon}")
        object.__setattr__(self, "latitude", lat)
        object.__setattr__(self, "longitude", lon)

    @classmethod
    def of(cls, latitude, longitude) -> Point | None:
        """A point from a row's or a snapshot's coordinates, None when either is missing."""
        if latitude in (None, "") or longitude in (None, ""):
            return None
        return cls(Decimal(str(latitude)), Decimal(str(longitude)))

    def key(self) -> str:
        return f"{self.latitude},{self.longitude}"


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points, in kilometres (``planning.model.great_circle_metres``)."""
    return float(great_circle_metres(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))) / 1000


def km(value: float) -> Decimal:
    """A distance as stored: kilometres to the metre."""
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def travel_minutes(distance_km, speed_kmh) -> int:
    """Whole minutes (rounded up) to drive ``distance_km`` at ``speed_kmh``."""
    distance, speed = Decimal(str(distance_km)), Decimal(str(speed_kmh))
    if distance <= 0:
        return 0
    return int((distance * 60 / speed).to_integral_value(rounding="ROUND_CEILING"))


# --- addresses ------------------------------------------------------------------------------------
def normalise_postcode(value: str) -> str:
    """Postcodes compared without spaces or dashes, upper-case (``sw1a 1aa`` -> ``SW1A1AA``)."""
    return "".join(ch for ch in (value or "").upper() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True, slots=True)
class Address:
    """The spec's Address value object: where a delivery or a centre is."""

    street: str
    city: str
    zip_code: str
    country: str
    state: str = ""
    coordinates: Point | None = None

    @classmethod
    def from_snapshot(cls, data: dict) -> Address:
        """An order's address snapshot (``accounts.Address.as_value()``)."""
        return cls(
            street=str(data.get("street") or ""), city=str(data.get("city") or ""), zip_code=str(data.get("zip_code") or ""),
            country=str(data.get("country") or ""), state=str(data.get("state") or ""),
            coordinates=_point_or_none(data.get("latitude"), data.get("longitude")),
        )

    @classmethod
    def of_row(cls, row) -> Address:
        """A row with street, city, zip_code, country, latitude and longitude (a centre, a delivery)."""
        return cls(street=row.street, city=row.city, zip_code=row.zip_code, country=row.country,
                   state=getattr(row, "state", ""), coordinates=Point.of(row.latitude, row.longitude))

    def located(self) -> Address:
        """This address with coordinates: its own, else the geocoder's (unchanged when it knows none)."""
        if self.coordinates is not None:
            return self
        point = geocoder().geocode(self)
        return self if point is None else Address(self.street, self.city, self.zip_code, self.country, self.state, point)

    def delivery_zone(self):
        """The delivery zone this address falls in (``DeliveryZone`` or None): see ``zone_for``."""
        from logistics.selectors import zone_for

        return zone_for(address=self.located())

    def distance_to(self, other: Address) -> Decimal | None:
        """Road distance in km (by the configured distance matrix), None when either cannot be located."""
        a, b = self.located().coordinates, other.located().coordinates
        if a is None or b is None:
            return None
        return km(distance_matrix([a, b])[0][1])


def _point_or_none(latitude, longitude) -> Point | None:
    try:
        return Point.of(latitude, longitude)
    except (ArithmeticError, ValueError):  # a snapshot written by hand: treat as not located
        return None


# --- geocoding ------------------------------------------------------------------------------------
class Geocoder(Protocol):
    def geocode(self, address: Address) -> Point | None:
        """Where the address is, or None when it cannot tell."""


class CentroidGeocoder:
    """Offline: the centroid of the address's postcode (and city, when several places share one),
    else of its city; None for a place the table does not hold."""

    def geocode(self, address: Address) -> Point | None:
        from logistics.models import PostcodeCentroid

        country = (address.country or "").upper()[:2]
        postcode, city = normalise_postcode(address.zip_code), (address.city or "").strip()
        rows = PostcodeCentroid.objects.filter(country=country)
        if postcode:
            by_postcode = list(rows.filter(postcode=postcode).values_list("city", "latitude", "longitude"))
            for row_city, lat, lon in by_postcode:
                if row_city.casefold() == city.casefold():
                    return Point(lat, lon)
            if by_postcode:
                return Point(by_postcode[0][1], by_postcode[0][2])
        if city:
            found = rows.filter(city__iexact=city).order_by("postcode").values_list("latitude", "longitude").first()
            if found:
                return Point(*found)
        return None


@lru_cache(maxsize=4)
def _provider(path: str):
    return import_string(path)()


def geocoder() -> Geocoder:
    """The configured geocoder (``settings.LOGISTICS_GEOCODER``)."""
    return _provider(settings.LOGISTICS_GEOCODER)


# --- distances ------------------------------------------------------------------------------------
class DistanceMatrix(Protocol):
    def distances(self, points: list[Point]) -> list[list[float]]:
        """Road distances in km, ``result[i][j]`` from ``points[i]`` to ``points[j]``."""


class HaversineMatrix:
    """Offline: the great-circle distance times the road factor (``settings.LOGISTICS_ROAD_FACTOR``),
    the whole matrix at once in numpy."""

    def distances(self, points: list[Point]) -> list[list[float]]:
        factor = float(Decimal(str(settings.LOGISTICS_ROAD_FACTOR)))
        lat = np.array([float(p.latitude) for p in points])
        lon = np.array([float(p.longitude) for p in points])
        metres = great_circle_metres(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        return (metres * (factor / 1000)).tolist()


def matrix_provider() -> DistanceMatrix:
    return _provider(settings.LOGISTICS_DISTANCE_MATRIX)


def _matrix_key(points: list[Point]) -> str:
    digest = hashlib.sha256("|".join(p.key() for p in points).encode()).hexdigest()
    provider = settings.LOGISTICS_DISTANCE_MATRIX.rsplit(".", 1)[-1]
    return f"logistics:matrix:{provider}:{settings.LOGISTICS_ROAD_FACTOR}:{digest}"


def distance_matrix(points: list[Point]) -> list[list[float]]:
    """Road distances (km) between ``points``, from the cache when these points were asked before."""
    if not points:
        return []
    key = _matrix_key(points)
    found = cache.get(key)
    if found is not None:
        return found
    rows = matrix_provider().distances(points)
    cache.set(key, rows, settings.LOGISTICS_MATRIX_CACHE_SECONDS)
    return rows


def provider_reset() -> None:
    """Forget the providers built so far (after the settings that name them changed: tests)."""
    _provider.cache_clear()
