"""Centres, zones, vehicles, drivers and their hours, shifts, stock locations and days off: saved
and removed through here (the back office, the demo), each with a ``logistics.fleet.saved`` event.

The rows' rules are the models' (``full_clean``: fields, choices, unique and check constraints),
refused as ``FleetInvalid`` with the fields named; a row still in use (a vehicle with routes) is
refused on removal.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from commerce import telemetry
from commerce.audit.events import record
from commerce.audit.staff_edits import snapshot
from logistics import events
from logistics.errors import FleetInvalid, FleetRecordInUse
from logistics.models import (
    CentreStockLocation,
    DeliveryZone,
    DistributionCentre,
    Driver,
    DriverShift,
    OpeningHours,
    Vehicle,
    VehicleUnavailability,
)

FLEET_MODELS: dict[type[Model], str] = {
    DistributionCentre: "centre", OpeningHours: "opening_hours", CentreStockLocation: "stock_location", DeliveryZone: "zone",
    Vehicle: "vehicle", VehicleUnavailability: "vehicle_unavailability", Driver: "driver", DriverShift: "driver_shift",
}


def _entity(obj: Model) -> str:
    entity = FLEET_MODELS.get(type(obj))
    if entity is None:
        raise TypeError(f"{type(obj).__name__} is not a fleet record")
    return entity


def fleet_save(*, obj: Model) -> Model:
    """Check and save a fleet record (new or changed), recording what it now holds."""
    entity = _entity(obj)
    created = obj.pk is None
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        raise FleetInvalid(" ".join(m for messages in fields.values() for m in messages), fields=fields) from None
    with telemetry.command_span(f"commerce.{entity}.save"), transaction.atomic():
        obj.save()
        record(events.FleetRecordSaved(entity=entity, entity_id=obj.pk, action="created" if created else "changed",
                                       values=snapshot(obj)))
        return obj


def fleet_delete(*, obj: Model) -> None:
    entity = _entity(obj)
    with telemetry.command_span(f"commerce.{entity}.delete"), transaction.atomic():
        values, pk = snapshot(obj), obj.pk
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            raise FleetRecordInUse(f"{obj} is still in use (routes, deliveries or drivers refer to it); deactivate it instead.") from None
        record(events.FleetRecordSaved(entity=entity, entity_id=pk, action="deleted", values=values))
