"""The dispatch console's edits over REST, for dispatchers (``accounts.dispatch_routes``), as the
admin console makes them: move a stop (within its route, to another route, or from the day's
unassigned deliveries), take one off its route, lock or free stops, re-optimise a centre's day around
the locked ones. Assigning, starting and completing routes are ``routes/<id>/assign|start|complete/``;
a failed delivery is rescheduled with ``deliveries/<id>/schedule/``; the day as the console shows it
(routes with their ``version`` and locked stops, the run's unassigned deliveries and why) is
``centres/<id>/plan/?date=``.

Every edit may send the ``versions`` of the routes it was made against (as read from the day): a
route changed since is refused with 409 ``plan_stale`` and nothing changes. Routes under way are
the driver's: 409 ``route_not_editable``.
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.schema import answer, documented, error_example, error_response, sent
from commerce.api.serializers import StrictInputSerializer
from logistics import selectors
from logistics.api.common import DISPATCHERS, MAX_DB_ID, RouteOutputSerializer
from logistics.api.planning import CENTRE_ID, CENTRE_NOT_FOUND, RUN_EXAMPLE, PlanningRunOutputSerializer
from logistics.api.schema import DELIVERY_NOT_FOUND, ROUTE_ANSWER, ROUTE_EXAMPLE
from logistics.dispatch import services as dispatch
from logistics.dispatch.reoptimise import DEFAULT_TIME_LIMIT, day_reoptimise
from logistics.services.routes import MAX_STOPS

_staff = functools.partial(documented, tags=["dispatch"], access=schema.STAFF)

STALE = error_example("plan_stale", "Route R261208-LYON-3F2A1C was changed by someone else since you loaded it (version 2, "
                                    "now 3): reload the plan and make your change again.",)
NOT_EDITABLE = error_example("route_not_editable", "Route R261208-LYON-3F2A1C is in progress: its stops are the driver's now.")
CONFLICT = error_response("A route changed since the versions sent, or is under way; nothing changed.", STALE, NOT_EDITABLE)


@extend_schema_serializer(component_name="RouteVersion")
class VersionSerializer(StrictInputSerializer):
    route_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


def _versions_field():
    return VersionSerializer(many=True, required=False, max_length=MAX_STOPS, help_text=(
        "The routes' versions as read (from the day's plan): a route changed since refuses the edit (409 plan_stale). "
        "Left out: checked against the routes as this request reads them."))


def _versions(data: dict) -> dict[int, int] | None:
    pairs = data.get("versions")
    return None if pairs is None else {pair["route_id"]: pair["version"] for pair in pairs}


def _route(route) -> dict:
    return RouteOutputSerializer(selectors.route_get(route_id=route.pk)).data


class StopMoveApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="StopMoveInput")
    class InputSerializer(StrictInputSerializer):
        delivery_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
        route_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, help_text="The route to put it on.")
        position = serializers.IntegerField(min_value=1, max_value=MAX_STOPS, help_text="1 for the first stop.")
        versions = _versions_field()

    @_staff(
        "dispatch_stops_move", "Move a stop",
        description=("Puts the delivery at `position` of the route: from elsewhere on that route, from another route not "
                     "started of the same centre and day, or from the day's unassigned deliveries. Both routes' arrival "
                     "times, loads, distance and cost are recalculated at once. Answers with the route it is on now."),
        ok=RouteOutputSerializer, request=InputSerializer,
        invalid=[error_example("dispatch_edit_invalid", "Choose a position from 1 to 4.", {"position": ["1 to 4."]})],
        errors={404: error_response("No such delivery or route.", *DELIVERY_NOT_FOUND.examples,
                                    error_example("route_not_found", "No such route.")),
                409: error_response("A route changed since, is under way, or the delivery cannot go on it; nothing changed.",
                                    STALE, NOT_EDITABLE, error_example(
                                        "delivery_not_routable", "Delivery of 7KQ2M-XR4TB cannot go on route "
                                        "R261208-LYON-3F2A1C: it is not a located delivery of that centre waiting for 2026-12-08."))},
        examples=[sent("Second stop of route 3", {"delivery_id": 12, "route_id": 3, "position": 2,
                                                  "versions": [{"route_id": 3, "version": 2}]}), ROUTE_ANSWER],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        route = dispatch.stop_move(delivery=data["delivery_id"], route=data["route_id"], position=data["position"],
                                   versions=_versions(data))
        return Response(_route(route))


class StopRemoveApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="StopRemoveInput")
    class InputSerializer(StrictInputSerializer):
        delivery_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
        versions = _versions_field()

    @_staff(
        "dispatch_stops_remove", "Take a stop off its route",
        description="The delivery waits among the day's unassigned ones; the route's times and cost are recalculated. "
                    "Answers with the route it left.",
        ok=RouteOutputSerializer, request=InputSerializer,
        invalid=[error_example("dispatch_edit_invalid", "Delivery of 7KQ2M-XR4TB is on no route.")],
        errors={404: DELIVERY_NOT_FOUND, 409: CONFLICT},
        examples=[sent("Off route 3", {"delivery_id": 12, "versions": [{"route_id": 3, "version": 2}]}), ROUTE_ANSWER],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return Response(_route(dispatch.stop_remove(delivery=data["delivery_id"], versions=_versions(data))))


class StopsLockApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="StopsLockInput")
    class InputSerializer(StrictInputSerializer):
        delivery_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID), min_length=1,
                                             max_length=MAX_STOPS, help_text="Deliveries on routes not started.")
        locked = serializers.BooleanField(help_text="true pins them to their routes; false frees them.")
        versions = _versions_field()

    @_staff(
        "dispatch_stops_lock", "Lock or free stops",
        description="Pins the deliveries' stops to their routes (or frees them): re-optimising the day keeps a pinned stop "
                    "on its route, and a route whose stops are all pinned exactly as it is. Answers with the routes touched.",
        ok=RouteOutputSerializer(many=True), request=InputSerializer,
        invalid=[error_example("dispatch_edit_invalid", "Delivery 12 is on no route.")],
        errors={409: CONFLICT},
        examples=[sent("Pin two stops", {"delivery_ids": [12, 13], "locked": True}), answer("The routes", [ROUTE_EXAMPLE])],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        routes = dispatch.stops_lock(delivery_ids=list(dict.fromkeys(data["delivery_ids"])), locked=data["locked"],
                                     versions=_versions(data))
        return Response([_route(route) for route in sorted(routes, key=lambda r: r.pk)])


class DayReoptimiseApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="DayReoptimiseInput")
    class InputSerializer(StrictInputSerializer):
        date = serializers.DateField(help_text="The day (YYYY-MM-DD).")
        time_limit = serializers.FloatField(required=False, min_value=0.1, help_text=(
            f"Seconds the solver may search: from 0.1 to LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT (10); {DEFAULT_TIME_LIMIT} "
            "when left out. The answer comes when it is done."))
        versions = _versions_field()

    @_staff(
        "dispatch_day_reoptimise", "Re-optimise a centre's day around the locked stops",
        description=("Plans the day again now: the routes not started are rewritten in place (numbers, drivers and vehicles "
                     "kept), locked stops stay on their routes, free vehicles with drivers on shift may get new routes, "
                     "emptied routes are cancelled; started routes are never touched. Answers with the planning run (its "
                     "figures and the deliveries left unassigned, with why). 409 when a route changed since the versions "
                     "sent: the run is marked failed and nothing changed."),
        ok=PlanningRunOutputSerializer, parameters=[CENTRE_ID], request=InputSerializer,
        invalid=[error_example("planning_invalid", "The time limit is out of range.", {"time_limit": ["From 0.1 to 10 seconds."]})],
        errors={404: CENTRE_NOT_FOUND, 409: CONFLICT},
        examples=[sent("Tomorrow", {"date": "2026-12-08", "versions": [{"route_id": 3, "version": 2}]}),
                  answer("Re-optimised", {**RUN_EXAMPLE, "solver": "pyvrp (re-optimised)", "time_limit": DEFAULT_TIME_LIMIT})],
    )
    def post(self, request, centre_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = day_reoptimise(centre=centre_id, date=data["date"], versions=_versions(data),
                             time_limit=data.get("time_limit", DEFAULT_TIME_LIMIT), requested_by=request.user)
        return Response(PlanningRunOutputSerializer(run).data)
