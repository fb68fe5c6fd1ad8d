"""The logistics app's domain events (past tense): routes on the ``route`` stream, deliveries on the
``delivery`` stream."""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class _RouteEvent(DomainEventData):
    stream_type: ClassVar[str] = "route"
    route_id: int
    route_number: str
    centre_id: int
    date: str

    @property
    def stream_id(self):
        return str(self.route_id)


@dataclass(frozen=True, kw_only=True)
class RoutePlanned(_RouteEvent):
    """A route planned with its stops in order: made (by the planner, a dispatcher's re-optimisation or
    by hand; ``replanned`` False), or its stops rewritten in place when a dispatcher re-optimised the
    day (``replanned`` True: the same route, number, driver and vehicle, another stop list)."""

    event_type: ClassVar[str] = "logistics.route.planned"
    replanned: bool
    version: int
    delivery_ids: list
    distance_km: str
    duration_minutes: int
    cost_amount: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class RouteOptimised(_RouteEvent):
    """The route's stops put in the best order found (``route_optimise``); the same deliveries, driver and vehicle."""

    event_type: ClassVar[str] = "logistics.route.optimised"
    delivery_ids: list
    previous_distance_km: str
    distance_km: str
    duration_minutes: int
    cost_amount: str
    currency: str
    solver: str


@dataclass(frozen=True, kw_only=True)
class RouteAssigned(_RouteEvent):
    event_type: ClassVar[str] = "logistics.route.assigned"
    driver_id: int
    vehicle_id: int
    previous_driver_id: int | None
    previous_vehicle_id: int | None


@dataclass(frozen=True, kw_only=True)
class RouteStarted(_RouteEvent):
    event_type: ClassVar[str] = "logistics.route.started"
    driver_id: int
    vehicle_id: int
    started_at: str
    order_ids: list


@dataclass(frozen=True, kw_only=True)
class RouteCompleted(_RouteEvent):
    event_type: ClassVar[str] = "logistics.route.completed"
    completed_at: str
    delivered: int
    failed: int


@dataclass(frozen=True, kw_only=True)
class RouteCancelled(_RouteEvent):
    event_type: ClassVar[str] = "logistics.route.cancelled"
    reason: str
    delivery_ids: list


@dataclass(frozen=True, kw_only=True)
class _DeliveryEvent(DomainEventData):
    stream_type: ClassVar[str] = "delivery"
    delivery_id: int
    order_id: int
    order_number: str
    customer_id: int | None  # None: a guest's order

    @property
    def stream_id(self):
        return str(self.delivery_id)


@dataclass(frozen=True, kw_only=True)
class DeliveryCreated(_DeliveryEvent):
    """A delivery made from an order ready to ship (by the event reaction or the sweep)."""

    event_type: ClassVar[str] = "logistics.delivery.created"
    status: str
    date: str | None
    window_start: str | None
    window_end: str | None
    centre_id: int | None
    zone_id: int | None
    geocoded_by: str
    weight_kg: str
    volume_l: str
    parcels: int


@dataclass(frozen=True, kw_only=True)
class DeliveryScheduled(_DeliveryEvent):
    event_type: ClassVar[str] = "logistics.delivery.scheduled"
    date: str
    window_start: str
    window_end: str
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class DeliveryStatusChanged(_DeliveryEvent):
    event_type: ClassVar[str] = "logistics.delivery.status_changed"
    status: str
    previous_status: str
    route_id: int | None


@dataclass(frozen=True, kw_only=True)
class StopArrived(_DeliveryEvent):
    """The driver is at the address (the delivery's stream: its stop is where it is on the route)."""

    event_type: ClassVar[str] = "logistics.stop.arrived"
    route_id: int
    stop_id: int
    sequence: int
    arrived_at: str
    planned_arrival: str
    window_start: str | None
    window_end: str | None
    latitude: str | None
    longitude: str | None


@dataclass(frozen=True, kw_only=True)
class StopCompleted(_DeliveryEvent):
    """Delivered at its stop, with the proof brought back and where the phone was."""

    event_type: ClassVar[str] = "logistics.stop.completed"
    route_id: int
    stop_id: int
    sequence: int
    delivered_at: str
    arrived_at: str
    planned_arrival: str
    window_start: str | None
    window_end: str | None
    recipient_name: str
    photo: str
    signed: bool  # a signature picture was kept (its name is on the stop; "signature" keys are masked in the audit)
    latitude: str | None
    longitude: str | None
    distance_m: int | None


@dataclass(frozen=True, kw_only=True)
class DeliveryFailed(_DeliveryEvent):
    event_type: ClassVar[str] = "logistics.delivery.failed"
    route_id: int
    stop_id: int
    code: str
    reason: str
    failed_at: str
    latitude: str | None
    longitude: str | None
    distance_m: int | None


@dataclass(frozen=True, kw_only=True)
class ProofPolicyChanged(DomainEventData):
    """The proof a delivery method asks of the driver was changed (admin)."""

    event_type: ClassVar[str] = "logistics.proof_policy.changed"
    stream_type: ClassVar[str] = "proof_policy"
    method: str
    recipient_name: str
    photo: str
    signature: str

    @property
    def stream_id(self):
        return self.method


@dataclass(frozen=True, kw_only=True)
class CentroidsLoaded(DomainEventData):
    """The offline geocoder's table was loaded from a file."""

    event_type: ClassVar[str] = "logistics.centroids.loaded"
    stream_type: ClassVar[str] = "centroids"
    source: str
    created: int
    updated: int
    unchanged: int

    @property
    def stream_id(self):
        return "centroids"


@dataclass(frozen=True, kw_only=True)
class FleetRecordSaved(DomainEventData):
    """A centre, zone, vehicle, driver (or one of their hours, shifts, locations, days off) was
    added, changed or removed, in the back office or by the demo."""

    event_type: ClassVar[str] = "logistics.fleet.saved"
    stream_type: ClassVar[str] = "fleet"
    entity: str
    entity_id: int
    action: str  # created, changed, deleted
    values: dict

    @property
    def stream_id(self):
        return f"{self.entity}:{self.entity_id}"


@dataclass(frozen=True, kw_only=True)
class _PlanEvent(DomainEventData):
    stream_type: ClassVar[str] = "planning_run"
    run_id: int
    centre_id: int
    date: str

    @property
    def stream_id(self):
        return str(self.run_id)


@dataclass(frozen=True, kw_only=True)
class PlanRequested(_PlanEvent):
    """A centre's day was queued for planning (nightly, the admin, or the API)."""

    event_type: ClassVar[str] = "logistics.plan.requested"
    backend: str
    time_limit: float
    batch: str


@dataclass(frozen=True, kw_only=True)
class PlanCreated(_PlanEvent):
    """A plan was written: the routes not started were replaced by ``route_ids``; every delivery of the
    day is on a route or in ``unassigned`` with its reason."""

    event_type: ClassVar[str] = "logistics.plan.created"
    route_ids: list
    replaced_route_ids: list
    kept_route_ids: list
    stops: int
    unassigned: list
    cost_amount: str
    currency: str
    distance_km: str
    solver: str
    solver_status: str
    wall_time: float
    # the whole day dispatched nearest-first (``services.planning.nearest_baseline``)
    nearest_cost_amount: str
    nearest_distance_km: str
    nearest_stops: int
    nearest_routes: int


@dataclass(frozen=True, kw_only=True)
class PlanFailed(_PlanEvent):
    """Planning failed; nothing of the day changed."""

    event_type: ClassVar[str] = "logistics.plan.failed"
    error: str


@dataclass(frozen=True, kw_only=True)
class NightPlanned(DomainEventData):
    """The nightly planning of a day finished: every centre's run, gathered."""

    event_type: ClassVar[str] = "logistics.plan.night_finished"
    stream_type: ClassVar[str] = "planning_night"
    batch: str
    date: str
    runs: list
    done: int
    failed: int
    routes: int
    stops: int
    unassigned: int

    @property
    def stream_id(self):
        return self.batch
