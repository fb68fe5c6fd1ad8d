"""What the dispatch console reads: a centre's day (routes with their stops in order, figures, load
and utilisation; deliveries left unassigned and why; the basemap's postcode places) and the
failed-deliveries queue. Its queries do not grow with the routes or stops (``console_day``: 9)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from logistics.dispatch.arrange import EDITABLE
from logistics.models import Delivery, DistributionCentre, Driver, PlanningRun, PostcodeCentroid, Route, Stop, Vehicle

#: route colours on the map and in the list (colour-blind-safe first: Okabe-Ito, then Tableau)
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF")
#: how far around the centre the basemap's postcode places are drawn (degrees)
PLACES_MARGIN = Decimal("0.25")


@dataclass
class ConsoleRoute:
    route: Route
    colour: str
    stops: list[Stop]
    load_kg: Decimal
    load_l: Decimal
    load_parcels: int
    utilisation: dict[str, int] = field(default_factory=dict)  # per dimension, percent of the vehicle's capacity

    @property
    def editable(self) -> bool:
        return self.route.state in EDITABLE

    @property
    def fullest(self) -> int:
        return max(self.utilisation.values(), default=0)


@dataclass
class ConsoleDay:
    centre: DistributionCentre
    date: datetime.date
    routes: list[ConsoleRoute]
    unassigned: list[dict]  # {"delivery": Delivery, "reason": text}
    run: PlanningRun | None
    places: list[PostcodeCentroid]
    drivers: list[Driver]
    vehicles: list[Vehicle]

    @property
    def versions(self) -> dict[int, int]:
        return {r.route.pk: r.route.version for r in self.routes}

    @property
    def totals(self) -> dict:
        routes = [r.route for r in self.routes]
        return {"routes": len(routes), "stops": sum(len(r.stops) for r in self.routes),
                "distance_km": sum((r.distance_km for r in routes), Decimal(0)),
                "duration_minutes": sum(r.duration_minutes for r in routes),
                "cost_amount": sum((r.cost_amount for r in routes), Decimal("0.00")),
                "currency": routes[0].currency if routes else "EUR", "unassigned": len(self.unassigned)}


def _percent(value: Decimal | int, capacity: Decimal | int) -> int:
    return int(round(Decimal(value) * 100 / Decimal(capacity))) if capacity else 0


def console_day(*, centre: DistributionCentre, date: datetime.date) -> ConsoleDay:
    stops = Stop.objects.select_related("delivery").order_by("sequence")
    routes = list(Route.objects.filter(centre=centre, date=date).exclude(state=Route.State.CANCELLED)
                  .select_related("driver__user", "vehicle").prefetch_related(Prefetch("stops", queryset=stops)).order_by("id"))
    shown = []
    for index, route in enumerate(routes):
        rows = list(route.stops.all())
        kg = sum((s.delivery.weight_kg for s in rows), Decimal(0))
        litres = sum((s.delivery.volume_l for s in rows), Decimal(0))
        parcels = sum(s.delivery.parcels for s in rows)
        item = ConsoleRoute(route, COLOURS[index % len(COLOURS)], rows, kg, litres, parcels)
        if route.vehicle is not None:
            v = route.vehicle
            item.utilisation = {"kg": _percent(kg, v.capacity_kg), "l": _percent(litres, v.capacity_l),
                                "parcels": _percent(parcels, v.capacity_parcels)}
        shown.append(item)
    run = PlanningRun.objects.filter(centre=centre, date=date, status=PlanningRun.Status.DONE).order_by("-finished_at", "-id").first()
    reasons = {u["delivery_id"]: u["text"] for u in (run.unassigned if run else [])}
    waiting = Delivery.objects.filter(centre=centre, date=date, status=Delivery.Status.SCHEDULED, open_stop__isnull=True).order_by("id")
    unassigned = []
    for delivery in waiting:
        if not delivery.located:
            reason = "its address is not located"
        else:
            reason = reasons.get(delivery.pk) or ("scheduled after the last planning" if run is None or delivery.updated_at > run.finished_at
                                                  else "taken off its route by hand")
        unassigned.append({"delivery": delivery, "reason": reason})
    lat, lon = centre.latitude or Decimal(0), centre.longitude or Decimal(0)
    places = list(PostcodeCentroid.objects.filter(latitude__range=(lat - PLACES_MARGIN, lat + PLACES_MARGIN),
                                                  longitude__range=(lon - PLACES_MARGIN, lon + PLACES_MARGIN))[:400])
    drivers = list(Driver.objects.filter(home_centre=centre, is_active=True, shifts__date=date).select_related("user").distinct())
    vehicles = list(Vehicle.objects.filter(centre=centre, is_active=True).exclude(unavailable_days__date=date))
    return ConsoleDay(centre, date, shown, unassigned, run, places, drivers, vehicles)


def console_map(day: ConsoleDay) -> dict:
    """The map's data (JSON in the page): the centre, each route's stops in order, the places."""
    def point(lat, lon):
        return [float(lat), float(lon)] if lat is not None and lon is not None else None

    return {
        "centre": {"name": day.centre.name, "at": point(day.centre.latitude, day.centre.longitude)},
        "routes": [{
            "id": r.route.pk, "number": r.route.number, "colour": r.colour, "editable": r.editable, "version": r.route.version,
            "stops": [{"delivery": s.delivery_id, "sequence": s.sequence, "order": s.delivery.order_number, "locked": s.locked,
                       "state": s.state, "arrival": s.planned_arrival.isoformat(), "at": point(s.delivery.latitude, s.delivery.longitude)}
                      for s in r.stops],
        } for r in day.routes],
        "unassigned": [{"delivery": u["delivery"].pk, "order": u["delivery"].order_number,
                        "at": point(u["delivery"].latitude, u["delivery"].longitude), "reason": u["reason"]} for u in day.unassigned],
        "places": [{"name": f"{p.postcode} {p.city}", "at": point(p.latitude, p.longitude)} for p in day.places],
    }


def failed_queue(*, centre: DistributionCentre | None = None, limit: int = 200) -> list[Delivery]:
    """Failed deliveries waiting to be tried again, oldest day first."""
    rows = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related("centre").order_by("date", "id")
    if centre is not None:
        rows = rows.filter(centre=centre)
    return list(rows[:limit])


def console_days(*, centre: DistributionCentre, around: datetime.date, span: int = 7) -> list[datetime.date]:
    """The days near ``around`` that have routes (the console's day picker)."""
    days = (Route.objects.filter(centre=centre, date__range=(around - datetime.timedelta(days=span), around + datetime.timedelta(days=span)))
            .exclude(state=Route.State.CANCELLED).values_list("date", flat=True).distinct().order_by("date"))
    return list(days)
