"""What every console edit shares: reading routes as they stand, working out their figures for a new
order (before any transaction: distances may be slow), and writing a new arrangement of stops
in place under the routes' locks, refusing what someone else changed meanwhile.

A route's version (``Route.version``) is bumped by each write here. The console sends the versions
its page showed; a write whose route has moved on since is refused (``PlanStale``), and so is one
whose route changed between this process's own read and its locks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F

from logistics.dispatch.errors import EditInvalid, PlanStale, RouteNotEditable
from logistics.models import Delivery, OpeningHours, Route, Stop
from logistics.timeline import RouteTimeline, evaluate, route_cost

EDITABLE = (Route.State.PLANNED, Route.State.ASSIGNED)
#: sequences are moved past this while a route is rewritten, so no two stops of a route share one meanwhile
SEQUENCE_SHIFT = 1000


@dataclass
class RouteState:
    """A route as read before the transaction: its open stops in order and those locked."""

    route: Route
    order: list[int] = field(default_factory=list)  # delivery ids
    locked: set[int] = field(default_factory=set)
    deliveries: dict[int, Delivery] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.route.version


def editable(route: Route) -> None:
    if route.state not in EDITABLE:
        raise RouteNotEditable(f"Route {route.number} is {route.get_state_display().lower()}: its stops are no longer planned "
                               "here.", extra={"route_id": route.pk, "state": route.state})


def read_routes(route_ids: list[int]) -> dict[int, RouteState]:
    """The routes with their open stops (deliveries and zones loaded), in two queries."""
    routes = {r.pk: r for r in Route.objects.select_related("centre", "vehicle", "driver").filter(pk__in=route_ids)}
    states = {pk: RouteState(route) for pk, route in routes.items()}
    stops = Stop.objects.filter(route_id__in=list(routes), holds__isnull=False).select_related("delivery__zone").order_by("route_id", "sequence")
    for stop in stops:
        state = states[stop.route_id]
        state.order.append(stop.delivery_id)
        state.deliveries[stop.delivery_id] = stop.delivery
        if stop.locked:
            state.locked.add(stop.delivery_id)
    return states


def departs(route: Route) -> datetime.time:
    """When the route may leave: the centre's opening, or its driver's shift start when later."""
    hours = OpeningHours.objects.filter(centre_id=route.centre_id, weekday=route.date.weekday()).first()
    opens = hours.opens if hours is not None else datetime.time(0)
    if route.driver_id is not None:
        shift = route.driver.shifts.filter(date=route.date).first()
        if shift is not None and shift.starts > opens:
            return shift.starts
    return opens


def timeline_for(route: Route, deliveries: list[Delivery]) -> RouteTimeline:
    """Plan mode: arrival times, loads and distance of visiting ``deliveries`` in this order."""
    return evaluate(centre=route.centre, date=route.date, departs=departs(route), deliveries=deliveries)


def check_versions(locked: dict[int, Route], read: dict[int, RouteState], expected: dict[int, int] | None) -> None:
    """Refuse the write when a route moved on: since the dispatcher's page (``expected``), or since this
    command read it; and when a route is no longer editable."""
    for pk, route in sorted(locked.items()):
        editable(route)
        seen = (expected or {}).get(pk, read[pk].version if pk in read else route.version)
        if route.version != seen or (pk in read and read[pk].version != route.version):
            raise PlanStale(f"Route {route.number} was changed by someone else since you loaded it (version {seen}, now "
                            f"{route.version}): reload the plan and make your change again.",
                            extra={"route_id": pk, "expected_version": seen, "version": route.version})


def write_route(route: Route, timeline: RouteTimeline, *, locked: set[int]) -> Route:
    """Give ``route`` (locked, sequences already shifted) the stops of ``timeline`` in its order, with
    the figures of each. The deliveries' open stops (on this route, or on another not started that is
    being rewritten in the same command) are replaced by new rows: one DELETE and one INSERT, where
    updating each row would cost a statement or a CASE per field and stop. Only routes not started
    are rewritten, so these stops are all pending: nothing but their place and figures is lost."""
    ids = [f.delivery_id for f in timeline.stops]
    Stop.objects.filter(holds_id__in=ids).delete()
    Stop.objects.bulk_create([
        Stop(route_id=route.pk, delivery_id=figures.delivery_id, holds_id=figures.delivery_id, sequence=sequence,
             planned_arrival=figures.planned_arrival, distance_from_previous_km=figures.distance_from_previous_km,
             load_after_kg=figures.load_after_kg, load_after_l=figures.load_after_l, load_after_parcels=figures.load_after_parcels,
             locked=figures.delivery_id in locked)
        for sequence, figures in enumerate(timeline.stops, start=1)
    ])
    route.departs_at, route.returns_at = timeline.departs_at, timeline.returns_at
    route.distance_km, route.duration_minutes = timeline.distance_km, timeline.duration_minutes
    route.cost_amount = route_cost(vehicle=route.vehicle, distance_km=timeline.distance_km, duration_minutes=timeline.duration_minutes)
    route.version += 1
    route.save(update_fields=["departs_at", "returns_at", "distance_km", "duration_minutes", "cost_amount", "version", "updated_at"])
    return route


def shift_sequences(route_ids: list[int]) -> None:
    """Move the routes' stops past ``SEQUENCE_SHIFT`` (one statement), so rewriting them never collides."""
    Stop.objects.filter(route_id__in=route_ids).update(sequence=F("sequence") + SEQUENCE_SHIFT)


def position_in(order: list[int], delivery_id: int, position: int) -> list[int]:
    """``order`` with ``delivery_id`` at ``position`` (1-based; taken out of ``order`` first when there)."""
    rest = [pk for pk in order if pk != delivery_id]
    if not 1 <= position <= len(rest) + 1:
        raise EditInvalid(f"Choose a position from 1 to {len(rest) + 1}.", fields={"position": [f"1 to {len(rest) + 1}."]})
    return [*rest[:position - 1], delivery_id, *rest[position - 1:]]
