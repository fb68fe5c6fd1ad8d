"""The logistics app's error codes (``LogisticsError``) and the errors that own them.

Each error's HTTP status is its kind's (``commerce.errors``).
"""

from enum import StrEnum, unique

from commerce.errors import Conflict, NotFound, ValidationError


@unique
class LogisticsError(StrEnum):
    # lookups
    ROUTE_NOT_FOUND = "route_not_found"
    DELIVERY_NOT_FOUND = "delivery_not_found"
    CENTRE_NOT_FOUND = "centre_not_found"
    DRIVER_NOT_FOUND = "driver_not_found"
    VEHICLE_NOT_FOUND = "vehicle_not_found"
    PLANNING_RUN_NOT_FOUND = "planning_run_not_found"
    STOP_NOT_FOUND = "stop_not_found"
    # commands refused
    ROUTE_INVALID = "route_invalid"
    ROUTE_TRANSITION_INVALID = "route_transition_invalid"
    ROUTE_NOT_FINISHED = "route_not_finished"
    ASSIGNMENT_INVALID = "assignment_invalid"
    RESOURCE_BUSY = "resource_busy"
    DELIVERY_INVALID = "delivery_invalid"
    DELIVERY_TRANSITION_INVALID = "delivery_transition_invalid"
    DELIVERY_NOT_ROUTABLE = "delivery_not_routable"
    CENTROIDS_INVALID = "centroids_invalid"
    FLEET_INVALID = "fleet_invalid"
    FLEET_RECORD_IN_USE = "fleet_record_in_use"
    PLANNING_INVALID = "planning_invalid"
    PLANNING_CONFLICT = "planning_conflict"
    # the driver app
    STOP_TRANSITION_INVALID = "stop_transition_invalid"
    ROUTE_NOT_STARTED = "route_not_started"
    PROOF_MISSING = "proof_missing"
    FAILURE_INVALID = "failure_invalid"
    PROOF_POLICY_INVALID = "proof_policy_invalid"


# --- not found ------------------------------------------------------------------------------------
class RouteNotFound(NotFound):
    default_code = LogisticsError.ROUTE_NOT_FOUND


class DeliveryNotFound(NotFound):
    default_code = LogisticsError.DELIVERY_NOT_FOUND


class CentreNotFound(NotFound):
    default_code = LogisticsError.CENTRE_NOT_FOUND


class DriverNotFound(NotFound):
    default_code = LogisticsError.DRIVER_NOT_FOUND


class VehicleNotFound(NotFound):
    default_code = LogisticsError.VEHICLE_NOT_FOUND


class PlanningRunNotFound(NotFound):
    default_code = LogisticsError.PLANNING_RUN_NOT_FOUND


class StopNotFound(NotFound):
    """No stop has this id, or it is on a route of another driver."""

    default_code = LogisticsError.STOP_NOT_FOUND


# --- refused --------------------------------------------------------------------------------------
class RouteInvalid(ValidationError):
    """A route that cannot be made as asked (no stops, a date the centre is closed, a stop twice)."""

    default_code = LogisticsError.ROUTE_INVALID


class RouteTransitionInvalid(Conflict):
    """The route's state does not allow the command now (start a completed route)."""

    default_code = LogisticsError.ROUTE_TRANSITION_INVALID


class RouteNotFinished(Conflict):
    """Completing a route some of whose stops are still open."""

    default_code = LogisticsError.ROUTE_NOT_FINISHED


class AssignmentInvalid(ValidationError):
    """The driver or vehicle cannot take the route (another centre, no shift that day, licence,
    vehicle off that day, capacity)."""

    default_code = LogisticsError.ASSIGNMENT_INVALID


class ResourceBusy(Conflict):
    """The driver or vehicle already has a route that day."""

    default_code = LogisticsError.RESOURCE_BUSY


class DeliveryInvalid(ValidationError):
    """A delivery that cannot be made or scheduled as asked (a window the wrong way round, a past date)."""

    default_code = LogisticsError.DELIVERY_INVALID


class DeliveryTransitionInvalid(Conflict):
    default_code = LogisticsError.DELIVERY_TRANSITION_INVALID


class DeliveryNotRoutable(Conflict):
    """A delivery that cannot go on the route: not scheduled for that day, another centre, on
    another open stop, or not located."""

    default_code = LogisticsError.DELIVERY_NOT_ROUTABLE


class CentroidsInvalid(ValidationError):
    """A centroid file with a row that is not a place (a bad country, postcode or coordinate)."""

    default_code = LogisticsError.CENTROIDS_INVALID


class FleetInvalid(ValidationError):
    """A centre, zone, vehicle, driver, shift or opening hours that break the rules of their fields."""

    default_code = LogisticsError.FLEET_INVALID


class FleetRecordInUse(Conflict):
    """Removing a centre, vehicle or driver that routes or deliveries still refer to."""

    default_code = LogisticsError.FLEET_RECORD_IN_USE


class PlanningInvalid(ValidationError):
    """A planning request that cannot be run (an unknown back end, a time limit out of range, a day the
    centre is closed)."""

    default_code = LogisticsError.PLANNING_INVALID


class PlanningConflict(Conflict):
    """A plan whose day changed while it was solved (another plan or a dispatcher wrote first): not
    written; planning the day again starts from what is there now."""

    default_code = LogisticsError.PLANNING_CONFLICT


# --- the driver app -------------------------------------------------------------------------------
class StopTransitionInvalid(Conflict):
    """The stop is closed already the other way (a delivered stop cannot fail, a failed one cannot be
    delivered), or closed and cannot be arrived at."""

    default_code = LogisticsError.STOP_TRANSITION_INVALID


class RouteNotStarted(Conflict):
    """A stop of a route that is not under way (not started yet, or completed) cannot be arrived at or closed."""

    default_code = LogisticsError.ROUTE_NOT_STARTED


class ProofMissing(ValidationError):
    """The delivery method's proof policy requires a part of the proof that was not sent (``fields`` names it)."""

    default_code = LogisticsError.PROOF_MISSING


class FailureInvalid(ValidationError):
    """A failure without a known reason, or ``other`` without the driver's words."""

    default_code = LogisticsError.FAILURE_INVALID


class ProofPolicyInvalid(ValidationError):
    """A proof policy with an unknown method or requirement."""

    default_code = LogisticsError.PROOF_POLICY_INVALID
