"""The dispatcher's edits of a day's plan, each in one transaction with its row locks and its event:

- ``stop_move``: a stop to another position of its route, to another route of the same centre and
  day, or a delivery left unassigned onto a route; both routes' arrival times, loads, distance and
  cost are recalculated at once (plan mode, ``logistics.timeline.evaluate``);
- ``stop_remove``: a stop off its route, back among the day's unassigned deliveries;
- ``stop_lock``: pin a stop to its route (or free it) before re-optimising
  (``logistics.dispatch.reoptimise.day_reoptimise``);
- ``failed_reschedule``: a failed delivery on another day (``delivery_schedule``).

Only routes not started (planned or assigned) are edited; started routes are the driver's. Every
edit names the versions of the routes its page showed, and is refused as stale when one moved on.
Figures are worked out before the transaction; inside it the routes are locked, then their
deliveries (the lock order), the versions checked, and the stops rewritten in place.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.locks import Kind, lock
from logistics.dispatch import events
from logistics.dispatch.arrange import (
    check_versions,
    editable,
    position_in,
    read_routes,
    shift_sequences,
    timeline_for,
    write_route,
)
from logistics.dispatch.errors import EditInvalid, PlanStale
from logistics.errors import DeliveryNotFound, DeliveryNotRoutable, RouteNotFound
from logistics.models import Delivery, Route, Stop
from logistics.services.deliveries import delivery_schedule


def _ids(route: Route) -> dict:
    return {"route_id": route.pk, "route_number": route.number, "centre_id": route.centre_id, "date": route.date.isoformat(),
            "version": route.version}


def _figures(route: Route) -> dict:
    return {"distance_km": str(route.distance_km), "duration_minutes": route.duration_minutes,
            "cost_amount": str(route.cost_amount), "currency": route.currency}


def _delivery(delivery_id: int) -> Delivery:
    delivery = Delivery.objects.select_related("zone").filter(pk=delivery_id).first()
    if delivery is None:
        raise DeliveryNotFound("No such delivery.")
    return delivery


def _open_route_id(delivery_id: int) -> int | None:
    return Stop.objects.filter(holds_id=delivery_id).values_list("route_id", flat=True).first()


def stop_move(*, delivery: int, route: int, position: int, versions: dict[int, int] | None = None) -> Route:
    """Put ``delivery`` at ``position`` (1-based) of ``route``: from where it is on that route, from
    another route not started of the same centre and day, or from the day's unassigned deliveries."""
    moved = _delivery(delivery)
    source_id = _open_route_id(moved.pk)
    states = read_routes([route] + ([source_id] if source_id and source_id != route else []))
    if route not in states:
        raise RouteNotFound("No such route.")
    target = states[route].route
    editable(target)
    source = states.get(source_id) if source_id else None
    if source is not None:
        editable(source.route)
        if (source.route.centre_id, source.route.date) != (target.centre_id, target.date):
            raise EditInvalid("A stop moves only between routes of the same centre and day.",
                              fields={"route": ["Another centre or day."]})
    elif (moved.status, moved.date, moved.centre_id) != (Delivery.Status.SCHEDULED, target.date, target.centre_id) or not moved.located:
        raise DeliveryNotRoutable(f"Delivery of {moved.order_number} cannot go on route {target.number}: it is not a located "
                                  f"delivery of that centre waiting for {target.date}.", extra={"delivery_id": moved.pk})
    from_position = source.order.index(moved.pk) + 1 if source is not None else None
    target_order = position_in(states[route].order, moved.pk, position)
    deliveries = {**states[route].deliveries, **(source.deliveries if source else {}), moved.pk: moved}
    plans = {route: timeline_for(target, [deliveries[pk] for pk in target_order])}
    if source is not None and source_id != route:
        plans[source_id] = timeline_for(source.route, [deliveries[pk] for pk in source.order if pk != moved.pk])

    with telemetry.command_span("commerce.dispatch.stop_move", route_id=route), transaction.atomic():
        locked = {r.pk: r for r in lock(Kind.ROUTE, Route.objects.filter(pk__in=list(plans)))}
        check_versions(locked, states, versions)
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=list(deliveries)))
        if _open_route_id(moved.pk) != source_id:
            raise PlanStale(f"Delivery of {moved.order_number} was moved by someone else meanwhile: reload the plan.")
        pins = set().union(*(s.locked for s in states.values()))
        shift_sequences(list(plans))
        written = {pk: write_route(locked[pk], timeline, locked=pins) for pk, timeline in plans.items()}
        route_row = written[route]
        record(events.StopMoved(**_ids(route_row), delivery_id=moved.pk, order_number=moved.order_number, position=position,
                                from_route_id=source_id, from_position=from_position, **_figures(route_row)))
        if source_id in written and source_id != route:
            record(events.StopRemoved(**_ids(written[source_id]), delivery_id=moved.pk, order_number=moved.order_number,
                                      **_figures(written[source_id])))
        return route_row


def stop_remove(*, delivery: int, versions: dict[int, int] | None = None) -> Route:
    """Take ``delivery`` off its route (not started): it waits among the day's unassigned deliveries."""
    moved = _delivery(delivery)
    route_id = _open_route_id(moved.pk)
    if route_id is None:
        raise EditInvalid(f"Delivery of {moved.order_number} is on no route.")
    states = read_routes([route_id])
    state = states[route_id]
    editable(state.route)
    timeline = timeline_for(state.route, [state.deliveries[pk] for pk in state.order if pk != moved.pk])
    with telemetry.command_span("commerce.dispatch.stop_remove", route_id=route_id), transaction.atomic():
        locked = {r.pk: r for r in lock(Kind.ROUTE, Route.objects.filter(pk=route_id))}
        check_versions(locked, states, versions)
        lock(Kind.DELIVERY, Delivery.objects.filter(pk__in=state.order))
        if _open_route_id(moved.pk) != route_id:
            raise PlanStale(f"Delivery of {moved.order_number} was moved by someone else meanwhile: reload the plan.")
        Stop.objects.filter(route_id=route_id, holds_id=moved.pk).delete()
        shift_sequences([route_id])
        route = write_route(locked[route_id], timeline, locked=state.locked)
        record(events.StopRemoved(**_ids(route), delivery_id=moved.pk, order_number=moved.order_number, **_figures(route)))
        return route


def stop_lock(*, delivery: int, locked: bool, versions: dict[int, int] | None = None) -> Route:
    """Pin the delivery's stop to its route (``locked``) or free it; re-optimising keeps pinned stops
    on their routes, and a route all of whose stops are pinned exactly as it is."""
    found = _delivery(delivery)
    route_id = _open_route_id(found.pk)
    if route_id is None:
        raise EditInvalid(f"Delivery of {found.order_number} is on no route: put it on one first.")
    states = read_routes([route_id])
    with telemetry.command_span("commerce.dispatch.stop_lock", route_id=route_id), transaction.atomic():
        rows = {r.pk: r for r in lock(Kind.ROUTE, Route.objects.filter(pk=route_id))}
        check_versions(rows, states, versions)
        route = rows[route_id]
        Stop.objects.filter(route_id=route_id, holds_id=found.pk).update(locked=locked)
        route.version += 1
        route.save(update_fields=["version", "updated_at"])
        record(events.StopLockChanged(**_ids(route), delivery_id=found.pk, order_number=found.order_number, locked=locked))
        return route


def stops_lock(*, delivery_ids: list[int], locked: bool, versions: dict[int, int] | None = None) -> list[Route]:
    """Pin (or free) several stops at once, route by route under one transaction."""
    routes = dict(Stop.objects.filter(holds_id__in=delivery_ids).values_list("holds_id", "route_id"))
    missing = [pk for pk in delivery_ids if pk not in routes]
    if missing:
        raise EditInvalid(f"Delivery {missing[0]} is on no route.")
    states = read_routes(sorted(set(routes.values())))
    with telemetry.command_span("commerce.dispatch.stops_lock"), transaction.atomic():
        rows = {r.pk: r for r in lock(Kind.ROUTE, Route.objects.filter(pk__in=list(states)))}
        check_versions(rows, states, versions)
        Stop.objects.filter(holds_id__in=delivery_ids).update(locked=locked)
        changed = []
        for route in rows.values():
            route.version += 1
            route.save(update_fields=["version", "updated_at"])
        numbers = dict(Delivery.objects.filter(pk__in=delivery_ids).values_list("pk", "order_number"))
        for pk in delivery_ids:
            route = rows[routes[pk]]
            changed.append(events.StopLockChanged(**_ids(route), delivery_id=pk, order_number=numbers[pk], locked=locked))
        record_many(changed)
        return list(rows.values())


def failed_reschedule(*, delivery: int, date: datetime.date) -> Delivery:
    """A failed delivery tried again on ``date`` (its zone's window): it waits for that day's plan."""
    found = _delivery(delivery)
    if found.status != Delivery.Status.FAILED:
        raise EditInvalid(f"Delivery of {found.order_number} is {found.get_status_display().lower()}, not failed.")
    return delivery_schedule(delivery=found.pk, date=date)
