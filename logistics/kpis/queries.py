"""The logistics KPI queries (the spec's GetDeliveryPerformance, GetRouteEfficiency,
GetCapacityUtilization, GetDeliveryTimeAnalytics, GetCustomerSatisfaction, GetLogisticsCostAnalysis).

Each reads the read models of ``logistics.kpi_models`` only, over a period (``date_from`` to
``date_to``, days of the deliveries) and optionally one centre, with a fixed number of aggregate
queries whatever the number of rows. Answers are plain dicts (JSON as they are); rates are
fractions of 1 rounded to 4 places, money is a Decimal with its currency.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour

from commerce.money import round_amount
from logistics.kpi_models import DayPlanFact, DeliveryRatingFact, RouteFact, StopFact
from logistics.models import FailureReason

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    date_from: datetime.date
    date_to: datetime.date
    centre_id: int | None = None

    def of(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(date__gte=self.date_from, date__lte=self.date_to)
        return queryset.filter(centre_id=self.centre_id) if self.centre_id else queryset

    def echo(self) -> dict:
        return {"date_from": self.date_from, "date_to": self.date_to, "centre_id": self.centre_id}


def _rate(part, whole) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _avg(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def delivery_performance(period: Period) -> dict:
    """GetDeliveryPerformance: attempts, on-time rate (arrival inside the promised window), failed
    rate by reason, average lateness; and the same per day."""
    facts = period.of(StopFact.objects.all())
    totals = facts.aggregate(
        attempts=Count("id"), delivered=Count("id", filter=Q(outcome="delivered")), failed=Count("id", filter=Q(outcome="failed")),
        windowed=Count("id", filter=Q(on_time__isnull=False)), in_time=Count("id", filter=Q(on_time=True)),
        late=Count("id", filter=Q(lateness_minutes__gt=0)), lateness=Avg("lateness_minutes"),
        late_lateness=Avg("lateness_minutes", filter=Q(lateness_minutes__gt=0)))
    reasons = dict(facts.filter(outcome="failed").values_list("failure_code").annotate(n=Count("id")).order_by())
    days = (facts.values("date").annotate(attempts=Count("id"), failed=Count("id", filter=Q(outcome="failed")),
                                          windowed=Count("id", filter=Q(on_time__isnull=False)),
                                          in_time=Count("id", filter=Q(on_time=True)), lateness=Avg("lateness_minutes"))
            .order_by("date"))
    return {
        **period.echo(),
        "attempts": totals["attempts"], "delivered": totals["delivered"], "failed": totals["failed"],
        "on_time_rate": _rate(totals["in_time"], totals["windowed"]), "failed_rate": _rate(totals["failed"], totals["attempts"]),
        "late": totals["late"], "average_lateness_minutes": _avg(totals["lateness"]),
        "average_lateness_when_late_minutes": _avg(totals["late_lateness"]),
        "failed_by_reason": [{"reason": code, "label": FailureReason(code).label, "count": reasons.get(code, 0),
                              "rate": _rate(reasons.get(code, 0), totals["attempts"])} for code in FailureReason.values],
        "days": [{"date": d["date"], "attempts": d["attempts"], "failed": d["failed"],
                  "on_time_rate": _rate(d["in_time"], d["windowed"]), "average_lateness_minutes": _avg(d["lateness"])}
                 for d in days],
    }


def route_efficiency(period: Period) -> dict:
    """GetRouteEfficiency: distance and time per stop, planned against actual (driven in the order the
    stops were closed; from the start to the completion)."""
    facts = period.of(RouteFact.objects.all())
    t = facts.aggregate(routes=Count("id"), stops=Sum("stops"), planned_km=Sum("planned_distance_km"),
                        driven_km=Sum("driven_distance_km"), planned_minutes=Sum("planned_minutes"),
                        actual_minutes=Sum("actual_minutes"))
    stops = t["stops"] or 0

    def per_stop(value):
        return None if not stops or value is None else (Decimal(value) / stops).quantize(Decimal("0.01"))

    rows = facts.order_by("date", "route_id").values("route_id", "date", "vehicle", "stops", "planned_distance_km",
                                                     "driven_distance_km", "planned_minutes", "actual_minutes")[:200]
    return {
        **period.echo(), "routes": t["routes"], "stops": stops,
        "planned_km": t["planned_km"] or Decimal(0), "driven_km": t["driven_km"] or Decimal(0),
        "planned_km_per_stop": per_stop(t["planned_km"]), "driven_km_per_stop": per_stop(t["driven_km"]),
        "planned_minutes_per_stop": per_stop(t["planned_minutes"]), "actual_minutes_per_stop": per_stop(t["actual_minutes"]),
        "route_list": list(rows),
    }


def capacity_utilization(period: Period) -> dict:
    """GetCapacityUtilization: load against capacity per vehicle and day (the tightest of weight,
    volume and parcels), and route hours against shift hours."""
    facts = period.of(RouteFact.objects.filter(capacity_kg__isnull=False)).order_by("date", "vehicle")
    rows = []
    for f in facts.values("date", "vehicle", "vehicle_id", "load_kg", "load_l", "load_parcels", "capacity_kg", "capacity_l",
                          "capacity_parcels", "actual_minutes", "shift_minutes")[:500]:
        load = max(_rate(f["load_kg"], f["capacity_kg"]) or 0, _rate(f["load_l"], f["capacity_l"]) or 0,
                   _rate(f["load_parcels"], f["capacity_parcels"]) or 0)
        rows.append({"date": f["date"], "vehicle_id": f["vehicle_id"], "vehicle": f["vehicle"], "load_utilization": load,
                     "weight_utilization": _rate(f["load_kg"], f["capacity_kg"]),
                     "volume_utilization": _rate(f["load_l"], f["capacity_l"]),
                     "parcel_utilization": _rate(f["load_parcels"], f["capacity_parcels"]),
                     "hours_utilization": _rate(f["actual_minutes"], f["shift_minutes"])})

    def mean(key):
        values = [r[key] for r in rows if r[key] is not None]
        return (sum(values) / len(values)).quantize(Decimal("0.0001")) if values else None

    return {**period.echo(), "vehicle_days": len(rows), "average_load_utilization": mean("load_utilization"),
            "average_hours_utilization": mean("hours_utilization"), "vehicles": rows}


def delivery_time_analytics(period: Period) -> dict:
    """GetDeliveryTimeAnalytics: when deliveries arrive (by hour), the delay against the plan, the time at the door."""
    facts = period.of(StopFact.objects.all())
    t = facts.aggregate(delay=Avg("delay_minutes"), service=Avg("service_minutes"),
                        early=Count("id", filter=Q(delay_minutes__lt=0)), attempts=Count("id"))
    by_hour = dict(facts.annotate(hour=ExtractHour("arrived_at")).values_list("hour").annotate(n=Count("id")).order_by())
    hours = sorted(by_hour)
    return {**period.echo(), "attempts": t["attempts"], "average_delay_minutes": _avg(t["delay"]),
            "average_service_minutes": _avg(t["service"]), "ahead_of_plan": t["early"],
            "by_hour": [{"hour": h, "attempts": by_hour[h]} for h in range(hours[0], hours[-1] + 1)] if hours else []}


def customer_satisfaction(period: Period) -> dict:
    """GetCustomerSatisfaction: the delivery stars of the reviews, tied to the deliveries that brought
    the products; by centre and by whether the delivery was on time."""
    facts = period.of(DeliveryRatingFact.objects.filter(counted=True, stop_id__isnull=False))
    t = facts.aggregate(ratings=Count("id"), average=Avg("stars"), when_on_time=Avg("stars", filter=Q(on_time=True)),
                        when_late=Avg("stars", filter=Q(on_time=False)))
    stars = dict(facts.values_list("stars").annotate(n=Count("id")).order_by())
    by_driver = facts.values("driver_id").annotate(ratings=Count("id"), average=Avg("stars")).order_by("driver_id")
    return {**period.echo(), "ratings": t["ratings"], "average_stars": _avg(t["average"]),
            "average_when_on_time": _avg(t["when_on_time"]), "average_when_late": _avg(t["when_late"]),
            "distribution": [{"stars": s, "count": stars.get(s, 0)} for s in (1, 2, 3, 4, 5)],
            "by_driver": [{"driver_id": d["driver_id"], "ratings": d["ratings"], "average_stars": _avg(d["average"])}
                          for d in by_driver]}


#: at most this many routes are listed one by one (the totals count them all)
ROUTE_ROWS = 200


def _route_saving(row: dict) -> dict:
    cost, nearest, currency = row["cost_amount"], row["nearest_cost_amount"], row["currency"]
    return {"route_id": row["route_id"], "date": row["date"], "vehicle": row["vehicle"], "stops": row["stops"],
            "delivered": row["delivered"], "currency": currency, "cost": round_amount(cost, currency),
            "distance_km": row["planned_distance_km"], "nearest_neighbour_cost": round_amount(nearest, currency),
            "nearest_neighbour_km": row["nearest_distance_km"], "saving": round_amount(nearest - cost, currency),
            "saving_rate": _rate(nearest - cost, nearest) if nearest else None}


def _saving(cost: Decimal, nearest: Decimal, currency: str) -> dict:
    return {"nearest_neighbour_cost": round_amount(nearest, currency), "saving": round_amount(nearest - cost, currency),
            "saving_rate": _rate(nearest - cost, nearest) if nearest else None}


def day_plans(period: Period) -> tuple[list[dict], list[dict]]:
    """The planned days (the latest ``ROUTE_ROWS``) and their sums per currency: each day's plan against
    the whole day's deliveries handed out to the vehicles nearest-first. Two queries."""
    facts = period.of(DayPlanFact.objects.all())
    days = [{"date": row["date"], "centre_id": row["centre_id"], "run_id": row["run_id"], "currency": row["currency"],
             "routes": row["routes"], "stops": row["stops"], "cost": round_amount(row["cost_amount"], row["currency"]),
             "distance_km": row["distance_km"], "nearest_neighbour_routes": row["nearest_routes"],
             "nearest_neighbour_stops": row["nearest_stops"], "nearest_neighbour_km": row["nearest_distance_km"],
             **_saving(row["cost_amount"], row["nearest_cost_amount"], row["currency"])}
            for row in facts.order_by("-date", "centre_id").values(
                "date", "centre_id", "run_id", "currency", "routes", "stops", "cost_amount", "distance_km", "nearest_routes",
                "nearest_stops", "nearest_cost_amount", "nearest_distance_km")[:ROUTE_ROWS]]
    totals = [{"currency": row["currency"], "days": row["days"], "stops": row["stops"], "nearest_neighbour_stops": row["nearest_stops"],
               "cost": round_amount(row["cost"], row["currency"]), "distance_km": row["km"],
               "nearest_neighbour_km": row["nearest_km"], **_saving(row["cost"], row["nearest"], row["currency"])}
              for row in facts.values("currency").annotate(
                  days=Count("id"), stops=Sum("stops"), nearest_stops=Sum("nearest_stops"), cost=Sum("cost_amount"),
                  nearest=Sum("nearest_cost_amount"), km=Sum("distance_km"), nearest_km=Sum("nearest_distance_km")).order_by("currency")]
    return days, totals


def logistics_cost_analysis(period: Period) -> dict:
    """GetLogisticsCostAnalysis: cost per delivery and per km, and the saving against naive
    nearest-neighbour dispatch at two levels: per route (each completed route against the
    nearest-first tour of its own stops, the latest ``ROUTE_ROWS`` routes, summed per currency), and
    per planned day (``days``, ``day_totals``: the day's plan against all its deliveries handed out to
    the vehicles nearest-first, as the issue's "naive nearest-neighbour dispatch" reads)."""
    facts = period.of(RouteFact.objects.all())
    routes = [_route_saving(row) for row in facts.order_by("-date", "-route_id").values(
        "route_id", "date", "vehicle", "stops", "delivered", "currency", "cost_amount", "planned_distance_km",
        "nearest_cost_amount", "nearest_distance_km")[:ROUTE_ROWS]]
    per_currency = defaultdict(dict)
    for row in (facts.values("currency").annotate(routes=Count("id"), cost=Sum("cost_amount"), nearest=Sum("nearest_cost_amount"),
                                                  km=Sum("planned_distance_km"), nearest_km=Sum("nearest_distance_km"),
                                                  delivered=Sum("delivered"), stops=Sum("stops")).order_by("currency")):
        cost, nearest = row["cost"] or Decimal(0), row["nearest"] or Decimal(0)
        per_currency[row["currency"]] = {
            "currency": row["currency"], "routes": row["routes"], "deliveries": row["delivered"], "stops": row["stops"],
            "cost": round_amount(cost, row["currency"]), "distance_km": row["km"],
            "cost_per_delivery": round_amount(cost / row["delivered"], row["currency"]) if row["delivered"] else None,
            "cost_per_km": round_amount(cost / row["km"], row["currency"]) if row["km"] else None,
            "nearest_neighbour_cost": round_amount(nearest, row["currency"]), "nearest_neighbour_km": row["nearest_km"],
            "saving": round_amount(nearest - cost, row["currency"]),
            "saving_rate": _rate(nearest - cost, nearest) if nearest else None,
        }
    days, day_totals = day_plans(period)
    return {**period.echo(), "currencies": list(per_currency.values()), "routes": routes, "day_totals": day_totals, "days": days}


QUERIES = {
    "delivery-performance": delivery_performance,
    "route-efficiency": route_efficiency,
    "capacity-utilization": capacity_utilization,
    "delivery-time-analytics": delivery_time_analytics,
    "customer-satisfaction": customer_satisfaction,
    "cost-analysis": logistics_cost_analysis,
}
__all__ = ["MAX_DAYS", "Period", "QUERIES", *(f.__name__ for f in QUERIES.values())]
