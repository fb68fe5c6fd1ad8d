"""The KPI read models, projected from the events.

- ``logistics.stop.completed`` and ``logistics.delivery.failed``: a ``StopFact`` (the attempt, its
  timing against the window and the plan), synchronously, in the driver's transaction
  (``events_stored``), so the figures never disagree with the event table.
- ``logistics.route.completed``: a ``RouteFact`` (planned against driven, load against capacity,
  hours against the shift, cost against nearest-neighbour dispatch), the same way.
- ``logistics.plan.created`` and ``logistics.plan.reoptimised``: a ``DayPlanFact`` (the day's plan
  against the whole day dispatched nearest-first), from the payload alone; the latest run of a day wins.
- ``recommendations.review.*``: the delivery stars of a review (``DeliveryRatingFact``), read from the
  events' payloads (logistics imports nothing of recommendations) by a bus reaction after the review
  committed, so a KPI can never fail a shopper's review.

Each handler is idempotent (keyed on the stop, route or review), so ``rebuild`` replays the event
table into empty tables and gets the same rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from commerce.audit.models import DomainEvent
from logistics.geography import Point, travel_minutes
from logistics.kpi_models import DayPlanFact, DeliveryRatingFact, RouteFact, StopFact
from logistics.kpis.baseline import nearest_neighbour_km, tour_km
from logistics.models import DriverShift, Route, Stop
from logistics.timeline import DEFAULT_SPEED_KMH, at, route_cost
from orders import selectors as orders

STOP_EVENTS = ("logistics.stop.completed", "logistics.delivery.failed")
ROUTE_EVENTS = ("logistics.route.completed",)
PLAN_EVENTS = ("logistics.plan.created", "logistics.plan.reoptimised")
REVIEW_EVENTS = ("recommendations.review.created", "recommendations.review.updated", "recommendations.review.approved",
                 "recommendations.review.rejected", "recommendations.review.deleted")


def _minutes(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 60)


# --- stops ----------------------------------------------------------------------------------------
def _stop_fact(stop_id: int) -> None:
    stop = Stop.objects.select_related("delivery", "route").filter(pk=stop_id).first()
    if stop is None or stop.state in Stop.OPEN or StopFact.objects.filter(stop_id=stop_id).exists():
        return
    delivery, route = stop.delivery, stop.route
    window_start = at(delivery.date, delivery.window_start) if delivery.window_start and delivery.date else None
    window_end = at(delivery.date, delivery.window_end) if delivery.window_end and delivery.date else None
    arrived = stop.arrived_at or stop.completed_at
    on_time = None if window_start is None else window_start <= arrived <= window_end
    StopFact.objects.create(
        stop_id=stop.pk, delivery_id=delivery.pk, order_id=delivery.order_id, customer_id=delivery.customer_id,
        route_id=route.pk, centre_id=route.centre_id, driver_id=route.driver_id, date=route.date,
        outcome=StopFact.Outcome.DELIVERED if stop.state == Stop.State.DELIVERED else StopFact.Outcome.FAILED,
        failure_code=stop.failure_code, window_start=window_start, window_end=window_end,
        planned_arrival=stop.planned_arrival, arrived_at=arrived, closed_at=stop.completed_at, on_time=on_time,
        lateness_minutes=max(0, _minutes(arrived - window_end)) if window_end else 0,
        delay_minutes=_minutes(arrived - stop.planned_arrival), service_minutes=max(0, _minutes(stop.completed_at - arrived)),
        distance_m=stop.closed_distance_m, latitude=delivery.latitude, longitude=delivery.longitude,
    )


# --- routes ---------------------------------------------------------------------------------------
def _route_fact(route_id: int) -> None:
    route = Route.objects.select_related("centre", "vehicle").filter(pk=route_id).first()
    if route is None or route.state != Route.State.COMPLETED or RouteFact.objects.filter(route_id=route_id).exists():
        return
    stops = list(Stop.objects.filter(route=route).select_related("delivery__zone").order_by("sequence"))
    depot = Point.of(route.centre.latitude, route.centre.longitude)
    located = [s for s in stops if s.delivery.located]
    planned = [Point.of(s.delivery.latitude, s.delivery.longitude) for s in located]
    driven = [Point.of(s.delivery.latitude, s.delivery.longitude)
              for s in sorted(located, key=lambda s: (s.completed_at or route.completed_at, s.sequence))]
    driven_km = tour_km(depot, driven) if depot else route.distance_km
    nearest_km = nearest_neighbour_km(depot, planned) if depot else route.distance_km
    # the nearest-neighbour tour drives a different distance at the zones' speed; its stops' service time is the same
    speed = next((s.delivery.zone.speed_kmh for s in stops if s.delivery.zone_id), DEFAULT_SPEED_KMH)
    extra = travel_minutes(abs(nearest_km - route.distance_km), speed) * (1 if nearest_km >= route.distance_km else -1)
    nearest_minutes = max(0, route.duration_minutes + extra)
    vehicle = route.vehicle
    shift = DriverShift.objects.filter(driver_id=route.driver_id, date=route.date).first() if route.driver_id else None
    first = stops[0] if stops else None
    load = ((first.load_after_kg + first.delivery.weight_kg, first.load_after_l + first.delivery.volume_l,
             first.load_after_parcels + first.delivery.parcels) if first else (Decimal(0), Decimal(0), 0))
    RouteFact.objects.create(
        route_id=route.pk, centre_id=route.centre_id, date=route.date, driver_id=route.driver_id, vehicle_id=route.vehicle_id,
        vehicle=vehicle.registration if vehicle else "", stops=len(stops),
        delivered=sum(s.state == Stop.State.DELIVERED for s in stops), failed=sum(s.state == Stop.State.FAILED for s in stops),
        planned_distance_km=route.distance_km, driven_distance_km=driven_km, planned_minutes=route.duration_minutes,
        actual_minutes=max(0, _minutes(route.completed_at - (route.started_at or route.departs_at))),
        shift_minutes=_minutes(datetime.datetime.combine(route.date, shift.ends) - datetime.datetime.combine(route.date, shift.starts))
        if shift else None,
        load_kg=load[0], load_l=load[1], load_parcels=load[2],
        capacity_kg=vehicle.capacity_kg if vehicle else None, capacity_l=vehicle.capacity_l if vehicle else None,
        capacity_parcels=vehicle.capacity_parcels if vehicle else None, currency=route.currency, cost_amount=route.cost_amount,
        nearest_distance_km=nearest_km,
        nearest_cost_amount=route_cost(vehicle=vehicle, distance_km=nearest_km, duration_minutes=nearest_minutes),
        completed_at=route.completed_at,
    )


# --- planned days ---------------------------------------------------------------------------------
def _day_plan_fact(payload: dict, occurred_at: datetime.datetime) -> None:
    if payload.get("nearest_cost_amount") is None:  # planned before the baseline was kept
        return
    run_id, centre_id = int(payload["run_id"]), int(payload["centre_id"])
    date = datetime.date.fromisoformat(payload["date"])
    if DayPlanFact.objects.filter(centre_id=centre_id, date=date, run_id__gt=run_id).exists():
        return  # a later plan of the day is there already (a replay in event order never sees one)
    routes = payload.get("routes")
    if routes is None:  # logistics.plan.created: the routes made and the started ones kept
        routes = len(payload.get("route_ids", [])) + len(payload.get("kept_route_ids", []))
    DayPlanFact.objects.update_or_create(centre_id=centre_id, date=date, defaults={
        "run_id": run_id, "currency": payload["currency"], "routes": routes,
        "stops": int(payload.get("stops") or 0),
        "cost_amount": Decimal(payload["cost_amount"]), "distance_km": Decimal(payload["distance_km"]),
        "nearest_routes": int(payload.get("nearest_routes") or 0), "nearest_stops": int(payload.get("nearest_stops") or 0),
        "nearest_cost_amount": Decimal(payload["nearest_cost_amount"]),
        "nearest_distance_km": Decimal(payload["nearest_distance_km"]), "planned_at": occurred_at,
    })


# --- delivery ratings -----------------------------------------------------------------------------
def _rating(event_type: str, payload: dict, occurred_at: datetime.datetime) -> None:
    review_id = int(payload["review_id"])
    if event_type == "recommendations.review.deleted":
        DeliveryRatingFact.objects.filter(review_id=review_id).delete()
        return
    if event_type in ("recommendations.review.approved", "recommendations.review.rejected"):
        DeliveryRatingFact.objects.filter(review_id=review_id).update(counted=event_type.endswith("approved"))
        return
    stars = (payload.get("ratings") or {}).get("delivery")
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        return
    customer_id, product_id = int(payload["customer_id"]), int(payload["product_id"])
    order_ids = orders.customer_order_ids_with_product(customer_id=customer_id, product_id=product_id)
    attempt = (StopFact.objects.filter(order_id__in=order_ids, outcome=StopFact.Outcome.DELIVERED, closed_at__lte=occurred_at)
               .order_by("-closed_at").first())
    DeliveryRatingFact.objects.update_or_create(review_id=review_id, defaults={
        "customer_id": customer_id, "product_id": product_id, "stars": stars, "counted": payload.get("status") != "rejected",
        "stop_id": attempt.stop_id if attempt else None, "centre_id": attempt.centre_id if attempt else None,
        "driver_id": attempt.driver_id if attempt else None, "date": attempt.date if attempt else None,
        "on_time": attempt.on_time if attempt else None, "rated_at": occurred_at,
    })


# --- entry points ---------------------------------------------------------------------------------
def project(rows) -> None:
    """``events_stored`` receiver: the logistics events of this transaction, into their facts."""
    for row in rows:
        if row.event_type in STOP_EVENTS:
            _stop_fact(int(row.payload["stop_id"]))
        elif row.event_type in ROUTE_EVENTS:
            _route_fact(int(row.payload["route_id"]))
        elif row.event_type in PLAN_EVENTS:
            _day_plan_fact(row.payload, row.occurred_at)


def review_changed(event) -> None:
    """Bus reaction to a review's events (after they committed): its delivery stars."""
    with transaction.atomic():
        _rating(event.event_type, event.payload, event.occurred_at)


def rebuild() -> dict:
    """Empty the KPI tables and replay the event table into them, in event order: ``{kind: rows}``."""
    with transaction.atomic():
        for model in (StopFact, RouteFact, DayPlanFact, DeliveryRatingFact):
            model.objects.all().delete()
        for row in DomainEvent.objects.filter(event_type__in=(*STOP_EVENTS, *ROUTE_EVENTS, *PLAN_EVENTS, *REVIEW_EVENTS)).order_by("id").iterator():
            if row.event_type in REVIEW_EVENTS:
                _rating(row.event_type, row.payload, row.occurred_at)
            else:
                project([row])
        return {"stops": StopFact.objects.count(), "routes": RouteFact.objects.count(), "days": DayPlanFact.objects.count(),
                "ratings": DeliveryRatingFact.objects.count()}
