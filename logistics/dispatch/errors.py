"""The dispatch console's error codes (``DispatchError``) and the errors that own them."""

from enum import StrEnum, unique

from commerce.errors import Conflict, ValidationError


@unique
class DispatchError(StrEnum):
    PLAN_STALE = "plan_stale"
    ROUTE_NOT_EDITABLE = "route_not_editable"
    EDIT_INVALID = "dispatch_edit_invalid"


class PlanStale(Conflict):
    """Someone else changed the route since the dispatcher's page read it: reload and edit again."""

    default_code = DispatchError.PLAN_STALE


class RouteNotEditable(Conflict):
    """The route is under way, completed or cancelled: its stops are the driver's now."""

    default_code = DispatchError.ROUTE_NOT_EDITABLE


class EditInvalid(ValidationError):
    """An edit that cannot be made as asked (a position past the end, a route of another day)."""

    default_code = DispatchError.EDIT_INVALID
