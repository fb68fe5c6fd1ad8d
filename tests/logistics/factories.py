"""Centres, zones, fleet, orders ready to ship and their deliveries, built through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from logistics import services
from logistics.models import (
    DeliveryZone,
    DistributionCentre,
    Driver,
    DriverShift,
    OpeningHours,
    Vehicle,
)
from orders.services.lifecycle import order_allocate, order_mark_ready
from tests.factories import StaffFactory, customer_with_address
from tests.orders.factories import paid_order, stocked_product

LYON = (Decimal("45.750000"), Decimal("4.850000"))


def centre(code="lyon", *, latitude=LYON[0], longitude=LYON[1], opens=datetime.time(7), closes=datetime.time(20),
           weekdays=range(7), prefixes=("69",), radius_km=None, speed_kmh=Decimal("30")) -> DistributionCentre:
    """A centre open every day (by default), with one zone covering the postcodes given."""
    made = services.fleet_save(obj=DistributionCentre(code=code, name=f"Centre {code}", street="1 Quai", city="Lyon",
                                                      zip_code="69007", country="FR", latitude=latitude, longitude=longitude))
    for weekday in weekdays:
        services.fleet_save(obj=OpeningHours(centre=made, weekday=weekday, opens=opens, closes=closes))
    services.fleet_save(obj=DeliveryZone(centre=made, code=f"{code}-zone", name=f"Zone {code}", postcode_prefixes=list(prefixes),
                                         radius_km=radius_km, window_start=datetime.time(9), window_end=datetime.time(17),
                                         service_minutes=6, speed_kmh=speed_kmh))
    return made


def vehicle(centre, registration=None, **kwargs) -> Vehicle:
    values = {"capacity_kg": Decimal("800"), "capacity_l": Decimal("6000"), "capacity_parcels": 120,
              "fixed_cost_per_day": Decimal("60.00"), "cost_per_km": Decimal("0.3500"), "cost_per_hour": Decimal("22.0000"),
              **kwargs}
    registration = registration or f"AA-{Vehicle.objects.count() + 100:03d}-ZZ"
    return services.fleet_save(obj=Vehicle(centre=centre, registration=registration, name="Van", **values))


def driver(centre, *, username=None, date=None, starts=datetime.time(6), ends=datetime.time(22), licence="B") -> Driver:
    user = StaffFactory(**({"username": username} if username else {}))
    made = services.fleet_save(obj=Driver(user=user, home_centre=centre, licence_class=licence))
    if date is not None:
        services.fleet_save(obj=DriverShift(driver=made, date=date, starts=starts, ends=ends))
    return made


def ready_order(*, zip_code="69003", latitude=Decimal("45.760000"), longitude=Decimal("4.860000"), weight="2.000",
                volume="3.000", quantity=2):
    """An order ready to ship to an address in Lyon, of ``quantity`` units of a product weighing ``weight`` kg."""
    customer, _ = customer_with_address()
    from commerce.accounts.services import address_create

    address = address_create(customer=customer, recipient="Camille", street="5 Rue Garibaldi", city="Lyon", zip_code=zip_code,
                             country="FR", latitude=latitude, longitude=longitude)
    product = stocked_product(quantity=50, weight_kg=Decimal(weight), volume_l=Decimal(volume))
    order = paid_order([(product, quantity)], customer=customer, address=address)
    order_allocate(order=order)
    return order_mark_ready(order=order)


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def scheduled_deliveries(count=3, **kwargs):
    """Deliveries made from ``count`` orders ready to ship (scheduled tomorrow when a zone serves them)."""
    made = []
    for i in range(count):
        order = ready_order(latitude=Decimal("45.760000") + Decimal(i) / 100, **kwargs)
        delivery, _ = services.delivery_create_from_order(order_id=order.pk)
        made.append(delivery)
    return made


def assigned_route(*, count=2):
    """A centre's route for tomorrow with ``count`` stops, assigned a driver (on shift) and a vehicle."""
    made = centre()
    deliveries = scheduled_deliveries(count)
    route = services.route_create(centre=made, date=tomorrow(), delivery_ids=[d.pk for d in deliveries])
    return services.route_assign(route=route, driver=driver(made, date=tomorrow()), vehicle=vehicle(made))
