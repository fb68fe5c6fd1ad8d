"""The dispatch console's events: a dispatcher's edits of a day's routes, on the ``route`` stream
(the day's re-optimisation on its planning run's stream, as the planner's own)."""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class _ConsoleRouteEvent(DomainEventData):
    stream_type: ClassVar[str] = "route"
    route_id: int
    route_number: str
    centre_id: int
    date: str
    version: int  # the route's version after the edit

    @property
    def stream_id(self):
        return str(self.route_id)


@dataclass(frozen=True, kw_only=True)
class StopMoved(_ConsoleRouteEvent):
    """A stop put at ``position`` of this route by hand (from ``from_route_id``, or from the day's
    unassigned deliveries when None); the figures are those recalculated for the new order."""

    event_type: ClassVar[str] = "logistics.stop.moved"
    delivery_id: int
    order_number: str
    position: int
    from_route_id: int | None
    from_position: int | None
    distance_km: str
    duration_minutes: int
    cost_amount: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class StopRemoved(_ConsoleRouteEvent):
    """A stop taken off the route by hand: its delivery waits among the day's unassigned ones."""

    event_type: ClassVar[str] = "logistics.stop.removed"
    delivery_id: int
    order_number: str
    distance_km: str
    duration_minutes: int
    cost_amount: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class StopLockChanged(_ConsoleRouteEvent):
    event_type: ClassVar[str] = "logistics.stop.lock_changed"
    delivery_id: int
    order_number: str
    locked: bool


@dataclass(frozen=True, kw_only=True)
class DayReoptimised(DomainEventData):
    """A centre's day planned again around the stops the dispatchers locked: the routes not started
    rewritten in place (their numbers, drivers and vehicles kept), new ones made, emptied ones cancelled."""

    stream_type: ClassVar[str] = "planning_run"
    event_type: ClassVar[str] = "logistics.plan.reoptimised"
    run_id: int
    centre_id: int
    date: str
    route_ids: list
    created_route_ids: list
    cancelled_route_ids: list
    locked_delivery_ids: list
    unassigned: list
    cost_amount: str
    currency: str
    distance_km: str
    solver: str
    wall_time: float
    routes: int  # every route of the day after it (rewritten, created, kept, started)
    stops: int
    nearest_cost_amount: str  # the day dispatched nearest-first, as on ``logistics.plan.created``
    nearest_distance_km: str
    nearest_stops: int
    nearest_routes: int

    @property
    def stream_id(self):
        return str(self.run_id)
