"""The offline geocoder's table, loaded from a CSV file (``country,postcode,city,latitude,longitude``)."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record
from logistics import events
from logistics.errors import CentroidsInvalid
from logistics.geography import normalise_postcode
from logistics.models import PostcodeCentroid

SHIPPED_FILE = Path(__file__).resolve().parents[1] / "data" / "postcode_centroids_lyon.csv"
COLUMNS = ("country", "postcode", "city", "latitude", "longitude")
MAX_ROWS = 200_000


def _coordinate(text: str, bound: int) -> Decimal | None:
    if not (text.isascii() and text.replace("-", "", 1).replace(".", "", 1).isdigit()):
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None
    return value if -bound <= value <= bound else None


def read_centroids(lines) -> list[dict]:
    """The rows of a centroid CSV, checked; ``CentroidsInvalid`` names the first bad line."""
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise CentroidsInvalid(f"The header must be {','.join(COLUMNS)}.")
    rows, seen = [], set()
    for line, raw in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            raise CentroidsInvalid(f"At most {MAX_ROWS} rows.")
        country = (raw["country"] or "").strip().upper()
        postcode = normalise_postcode(raw["postcode"] or "")
        city = (raw["city"] or "").strip()
        lat, lon = _coordinate((raw["latitude"] or "").strip(), 90), _coordinate((raw["longitude"] or "").strip(), 180)
        if len(country) != 2 or not country.isascii() or not country.isalpha() or not postcode or len(postcode) > 20 \
                or not city or len(city) > 100 or lat is None or lon is None:
            raise CentroidsInvalid(f"Line {line} is not a place: {','.join(str(raw[c]) for c in COLUMNS)[:120]}")
        key = (country, postcode, city.casefold())
        if key in seen:
            raise CentroidsInvalid(f"Line {line} repeats {country} {postcode} {city}.")
        seen.add(key)
        rows.append({"country": country, "postcode": postcode, "city": city, "latitude": lat, "longitude": lon})
    return rows


def centroids_load(*, path: Path = SHIPPED_FILE) -> dict:
    """Insert the file's places and update moved ones (idempotent): ``{created, updated, unchanged}``;
    one ``logistics.centroids.loaded`` event when anything changed."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = read_centroids(handle)
    with telemetry.command_span("commerce.centroids.load"), transaction.atomic():
        existing = {(c.country, c.postcode, c.city.casefold()): c for c in PostcodeCentroid.objects.all()}
        created, updated = [], []
        for row in rows:
            found = existing.get((row["country"], row["postcode"], row["city"].casefold()))
            if found is None:
                created.append(PostcodeCentroid(**row))
            elif (found.latitude, found.longitude, found.city) != (row["latitude"], row["longitude"], row["city"]):
                found.latitude, found.longitude, found.city = row["latitude"], row["longitude"], row["city"]
                updated.append(found)
        PostcodeCentroid.objects.bulk_create(created, batch_size=1000)
        PostcodeCentroid.objects.bulk_update(updated, ["latitude", "longitude", "city"], batch_size=1000)
        counts = {"created": len(created), "updated": len(updated), "unchanged": len(rows) - len(created) - len(updated)}
        if created or updated:  # a file that changes nothing records nothing
            record(events.CentroidsLoaded(source=path.name, **counts))
        return counts
