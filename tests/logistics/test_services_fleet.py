"""Centres, zones, vehicles and drivers are saved through one service, checked by the models' rules."""

import datetime
from decimal import Decimal

import pytest

from logistics import services
from logistics.errors import FleetInvalid, FleetRecordInUse
from logistics.models import DeliveryZone, DriverShift, OpeningHours, Vehicle
from tests.factories import events
from tests.logistics.factories import assigned_route, centre

pytestmark = pytest.mark.django_db


def test_saving_records_what_was_added_changed_and_removed():
    made = centre()
    made.name = "Lyon Sud"
    services.fleet_save(obj=made)
    hours = OpeningHours.objects.filter(centre=made).first()
    hours_id = hours.pk
    services.fleet_delete(obj=hours)

    saved = [(e.payload["entity"], e.payload["action"]) for e in events("logistics.fleet.saved")]
    assert saved[0] == ("centre", "created") and ("centre", "changed") in saved and saved[-1] == ("opening_hours", "deleted")
    assert events("logistics.fleet.saved")[-1].stream_id == f"opening_hours:{hours_id}"


@pytest.mark.parametrize("bad", [
    lambda c: OpeningHours(centre=c, weekday=0, opens=datetime.time(18), closes=datetime.time(8)),
    lambda c: OpeningHours(centre=c, weekday=0, opens=datetime.time(8), closes=datetime.time(18)),  # Monday is there already
    lambda c: DeliveryZone(centre=c, code="z", name="Z", window_start=datetime.time(9), window_end=datetime.time(9)),
    lambda c: Vehicle(centre=c, registration="X", capacity_kg=Decimal(0), capacity_l=Decimal(1), capacity_parcels=1,
                      fixed_cost_per_day=Decimal(1), cost_per_km=Decimal(1), cost_per_hour=Decimal(1)),
    lambda c: Vehicle(centre=c, registration="X", capacity_kg=Decimal(1), capacity_l=Decimal(1), capacity_parcels=1,
                      fixed_cost_per_day=Decimal(-1), cost_per_km=Decimal(1), cost_per_hour=Decimal(1)),
])
def test_a_record_breaking_its_rules_is_refused_and_nothing_is_saved(bad):
    made = centre()
    before = len(events("logistics.fleet.saved"))

    with pytest.raises(FleetInvalid):
        services.fleet_save(obj=bad(made))

    assert len(events("logistics.fleet.saved")) == before


def test_a_vehicle_or_driver_with_routes_cannot_be_removed():
    route = assigned_route(count=1)

    with pytest.raises(FleetRecordInUse):
        services.fleet_delete(obj=route.vehicle)
    with pytest.raises(FleetRecordInUse):
        services.fleet_delete(obj=route.driver)
    assert DriverShift.objects.filter(driver=route.driver).exists()
