"""Logistics queries: routes (by id, by date, a driver's), deliveries, and zone lookup.

Who may see what: dispatchers (``accounts.dispatch_routes``) see every route and delivery; a
driver sees their own routes only. A route someone may not see is "not found", like a missing one.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet

from commerce.accounts import access
from logistics.errors import CentreNotFound, DeliveryNotFound, DriverNotFound, PlanningRunNotFound, RouteNotFound, StopNotFound
from logistics.geography import Address, Point, haversine_km, normalise_postcode
from logistics.models import Delivery, DeliveryZone, DistributionCentre, Driver, PlanningRun, Route, Stop

DISPATCH = "accounts.dispatch_routes"


def can_dispatch(user) -> bool:
    return access.has_permission(user, DISPATCH)


def driver_of(user) -> Driver | None:
    """The user's driver row, None for a user who drives for nobody."""
    if user is None or not user.is_authenticated:
        return None
    return Driver.objects.filter(user=user, is_active=True).first()


# --- routes ---------------------------------------------------------------------------------------
def _routes() -> QuerySet[Route]:
    stops = Stop.objects.select_related("delivery").order_by("sequence")
    return Route.objects.select_related("centre", "driver__user", "vehicle").prefetch_related(Prefetch("stops", queryset=stops))


def route_visible_to(user) -> QuerySet[Route]:
    if can_dispatch(user):
        return _routes()
    driver = driver_of(user)
    return _routes().filter(driver=driver) if driver is not None else Route.objects.none()


def route_get(*, route_id: int, requester=None) -> Route:
    """One route with its stops in order; ``requester`` None: no access check (services, tasks)."""
    routes = _routes() if requester is None else route_visible_to(requester)
    route = routes.filter(pk=route_id).first()
    if route is None:
        raise RouteNotFound("No such route.")
    return route


def route_list(*, requester, date: datetime.date | None = None, centre_id: int | None = None,
               state: str | None = None) -> QuerySet[Route]:
    """Routes the requester may see, by date, centre and state, in date and centre order."""
    routes = route_visible_to(requester)
    if date is not None:
        routes = routes.filter(date=date)
    if centre_id is not None:
        routes = routes.filter(centre_id=centre_id)
    if state:
        routes = routes.filter(state=state)
    return routes.order_by("date", "centre_id", "id")


def driver_get(*, driver_id: int) -> Driver:
    driver = Driver.objects.select_related("user", "home_centre").filter(pk=driver_id).first()
    if driver is None:
        raise DriverNotFound("No such driver.")
    return driver


def driver_routes(*, driver_id: int, requester, date_from: datetime.date | None = None,
                  date_to: datetime.date | None = None) -> QuerySet[Route]:
    """A driver's routes, for dispatchers and for the driver themselves (anyone else: not found)."""
    own = driver_of(requester)
    if not can_dispatch(requester) and (own is None or own.pk != driver_id):
        raise DriverNotFound("No such driver.")
    driver_get(driver_id=driver_id)
    routes = _routes().filter(driver_id=driver_id)
    if date_from is not None:
        routes = routes.filter(date__gte=date_from)
    if date_to is not None:
        routes = routes.filter(date__lte=date_to)
    return routes.order_by("date", "id")


# --- deliveries -----------------------------------------------------------------------------------
def _deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("centre", "zone", "open_stop")


def delivery_get(*, delivery_id: int) -> Delivery:
    delivery = _deliveries().filter(pk=delivery_id).first()
    if delivery is None:
        raise DeliveryNotFound("No such delivery.")
    return delivery


def delivery_list(*, status: str | None = None, date: datetime.date | None = None, centre_id: int | None = None,
                  order_number: str | None = None) -> QuerySet[Delivery]:
    deliveries = _deliveries()
    if status:
        deliveries = deliveries.filter(status=status)
    if date is not None:
        deliveries = deliveries.filter(date=date)
    if centre_id is not None:
        deliveries = deliveries.filter(centre_id=centre_id)
    if order_number:
        deliveries = deliveries.filter(order_number=order_number.strip().upper())
    return deliveries.order_by("date", "window_start", "id")


def deliveries_to_route(*, centre_id: int, date: datetime.date) -> QuerySet[Delivery]:
    """Scheduled deliveries of a centre's day that are on no open stop yet: what a plan takes."""
    return (Delivery.objects.filter(centre_id=centre_id, date=date, status=Delivery.Status.SCHEDULED, open_stop__isnull=True)
            .order_by("window_start", "id"))


# --- zones ----------------------------------------------------------------------------------------
def zone_for(*, address: Address) -> DeliveryZone | None:
    """The zone of an address: the one whose postcode prefix matches the longest part of its
    postcode (active zones of active centres); failing that, among zones with a radius that covers
    its coordinates, the one whose centre is nearest. None when no zone serves it."""
    zones = list(DeliveryZone.objects.filter(is_active=True, centre__is_active=True).select_related("centre").order_by("id"))
    postcode = normalise_postcode(address.zip_code)
    best, best_length = None, 0
    for zone in zones:
        for prefix in zone.postcode_prefixes or []:
            prefix = normalise_postcode(str(prefix))
            if prefix and postcode.startswith(prefix) and len(prefix) > best_length:
                best, best_length = zone, len(prefix)
    if best is not None:
        return best
    point = address.coordinates
    if point is None:
        return None
    nearest, nearest_km = None, None
    for zone in zones:
        centre_point = Point.of(zone.centre.latitude, zone.centre.longitude)
        if zone.radius_km is None or centre_point is None:
            continue
        distance = haversine_km(point, centre_point)
        if distance <= float(zone.radius_km) and (nearest_km is None or distance < nearest_km):
            nearest, nearest_km = zone, distance
    return nearest


def centre_list() -> QuerySet[DistributionCentre]:
    return DistributionCentre.objects.prefetch_related("opening_hours", "stock_locations", "zones").order_by("code")


# --- planning -------------------------------------------------------------------------------------
def planning_run_get(*, run_id: int) -> PlanningRun:
    run = PlanningRun.objects.select_related("centre").filter(pk=run_id).first()
    if run is None:
        raise PlanningRunNotFound("No such planning run.")
    return run


def day_planned(*, centre_id: int, date: datetime.date) -> tuple[PlanningRun | None, QuerySet[Route]]:
    """A centre's day as planned: its last finished planning run (None before any) and its routes
    (cancelled ones left out), with their stops in order. A centre that does not exist is not found."""
    if not DistributionCentre.objects.filter(pk=centre_id).exists():
        raise CentreNotFound("No such distribution centre.")
    run = (PlanningRun.objects.select_related("centre").filter(centre_id=centre_id, date=date,
                                                               status__in=[PlanningRun.Status.DONE, PlanningRun.Status.FAILED])
           .order_by("-finished_at", "-id").first())
    routes = _routes().filter(centre_id=centre_id, date=date).exclude(state=Route.State.CANCELLED).order_by("id")
    return run, routes


# --- the driver app -------------------------------------------------------------------------------
def _driver_stops() -> QuerySet[Stop]:
    return Stop.objects.select_related("delivery", "route").order_by("sequence")


def driver_routes_on(*, driver: Driver, date: datetime.date) -> QuerySet[Route]:
    """The driver's routes of a day (cancelled ones left out), stops in order: the app's "today"."""
    stops = Prefetch("stops", queryset=Stop.objects.select_related("delivery").order_by("sequence"))
    return (Route.objects.select_related("centre", "vehicle").prefetch_related(stops)
            .filter(driver=driver, date=date).exclude(state=Route.State.CANCELLED).order_by("departs_at", "id"))


def driver_route_get(*, driver: Driver, route_id: int) -> Route:
    """One of the driver's routes; anyone else's is not found."""
    stops = Prefetch("stops", queryset=Stop.objects.select_related("delivery").order_by("sequence"))
    route = (Route.objects.select_related("centre", "vehicle").prefetch_related(stops)
             .filter(driver=driver, pk=route_id).first())
    if route is None:
        raise RouteNotFound("No such route.")
    return route


def driver_stop_get(*, driver: Driver, stop_id: int) -> Stop:
    """One stop of the driver's routes; anyone else's is not found."""
    stop = _driver_stops().filter(pk=stop_id, route__driver=driver).first()
    if stop is None:
        raise StopNotFound("No such stop.")
    return stop


# --- proofs of delivery ---------------------------------------------------------------------------
#: the proof files of a closed stop, by the name their URLs use
PROOF_FILES = {"photo": "proof_photo", "signature": "proof_signature"}


def may_see_proof(user, stop: Stop) -> bool:
    """The customer of the delivery, the driver of its route, and staff who dispatch (or may view
    stops) see a stop's proof of delivery; nobody else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if stop.delivery.customer_id is not None and stop.delivery.customer_id == user.pk:
        return True
    if stop.route.driver_id is not None and stop.route.driver.user_id == user.pk:
        return True
    return user.is_staff and (can_dispatch(user) or access.has_permission(user, "logistics.view_stop"))


def stop_proof_file(*, user, stop_id: int, kind: str) -> str:
    """The stored name of a stop's proof ``kind`` ("photo" or "signature") for ``user``; a stop they may
    not see, or without that proof, is ``StopNotFound`` (a stranger learns nothing of it)."""
    field = PROOF_FILES.get(kind)
    stop = Stop.objects.select_related("delivery", "route__driver").filter(pk=stop_id).first() if field else None
    if stop is None or not may_see_proof(user, stop) or not getattr(stop, field):
        raise StopNotFound("No such proof of delivery.")
    return getattr(stop, field).name


def delivery_proof_file(*, order_number: str, kind: str) -> str:
    """The proof ``kind`` of the order's delivered stop, for whoever holds the order's tracking link
    (its authority is the signed token); ``StopNotFound`` when there is none."""
    field = PROOF_FILES.get(kind)
    stop = (Stop.objects.filter(delivery__order_number=order_number, state=Stop.State.DELIVERED)
            .order_by("-completed_at", "-id").first() if field else None)
    if stop is None or not getattr(stop, field):
        raise StopNotFound("No such proof of delivery.")
    return getattr(stop, field).name
