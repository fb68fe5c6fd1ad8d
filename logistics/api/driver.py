"""The driver app (mobile clients): today's routes, start, arrive, deliver with proof, fail, complete.

Token authentication as the rest of the API; the user must be a driver (``Driver.user``, active),
else 403. A driver sees and moves only their own routes: another driver's route or stop is 404, as
if it did not exist. Each command calls one service of ``logistics.services.execution``, which
checks the transition (409 ``stop_transition_invalid``, ``route_not_started``,
``route_transition_invalid``, ``route_not_finished``) and answers a retry of a change already made
with the same body and no second event (``Replayed: true`` says so).
"""

from __future__ import annotations

import functools

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.parsers import JSONParser
from commerce.api.schema import documented, error_example, error_response, sent
from commerce.api.serializers import StrictInputSerializer
from logistics import selectors
from logistics.api.common import LocalTimeField, ProofUrlField
from logistics.api.driver_schema import (
    DRIVER_ROUTE_ANSWER,
    DRIVER_STOP_ANSWER,
    FAILURE_INVALID,
    IMAGE_INVALID,
    NOT_A_DRIVER,
    PROOF_MISSING,
    ROUTE_NOT_STARTED,
    STOP_ID,
    STOP_NOT_FOUND,
    STOP_TRANSITION_INVALID,
)
from logistics.api.schema import ROUTE_ID, ROUTE_NOT_FOUND, ROUTE_TRANSITION_INVALID
from logistics.models import DeliveryMethod, FailureReason, ProofPolicy, Route, Stop
from logistics.services import execution
from logistics.services.deliveries import Position

_driver = functools.partial(documented, tags=["driver app"])
REPLAYED = OpenApiParameter("Replayed", OpenApiTypes.BOOL, OpenApiParameter.HEADER, response=True,
                            description="`true` when the request repeated a change already made: nothing changed again.")


class IsDriver(BasePermission):
    """The user drives for the shop (an active driver row)."""

    message = "Only drivers use the driver app."

    def has_permission(self, request, view):
        request.driver = selectors.driver_of(request.user)
        return request.driver is not None


DRIVERS = [IsAuthenticated, IsDriver]


# --- answers --------------------------------------------------------------------------------------
class _ProofSerializer(serializers.Serializer):
    recipient_name = serializers.ChoiceField(choices=ProofPolicy.Requirement.choices)
    photo = serializers.ChoiceField(choices=ProofPolicy.Requirement.choices)
    signature = serializers.ChoiceField(choices=ProofPolicy.Requirement.choices)


@extend_schema_serializer(component_name="DriverStop")
class DriverStopOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    route_id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Stop.State.choices)
    order_number = serializers.CharField(source="delivery.order_number")
    recipient = serializers.CharField(source="delivery.recipient")
    address = serializers.SerializerMethodField()
    latitude = serializers.DecimalField(source="delivery.latitude", max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(source="delivery.longitude", max_digits=9, decimal_places=6, allow_null=True)
    parcels = serializers.IntegerField(source="delivery.parcels")
    method = serializers.ChoiceField(source="delivery.method", choices=DeliveryMethod.choices)
    proof = serializers.SerializerMethodField(help_text="What this delivery's proof asks for (the method's policy).")
    window_start = LocalTimeField(source="delivery.window_start", allow_null=True)
    window_end = LocalTimeField(source="delivery.window_end", allow_null=True)
    planned_arrival = serializers.DateTimeField()
    estimated_arrival = serializers.DateTimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    failure_code = serializers.ChoiceField(choices=[("", "None"), *FailureReason.choices])
    failure_reason = serializers.CharField()
    recipient_name = serializers.CharField()
    photo = ProofUrlField(kind="photo")
    signature = ProofUrlField(kind="signature")
    distance_m = serializers.IntegerField(source="closed_distance_m", allow_null=True,
                                          help_text="How far from the address the stop was closed.")

    def get_address(self, stop) -> str:
        d = stop.delivery
        return f"{d.street}, {d.zip_code} {d.city}, {d.country}"

    @extend_schema_field(_ProofSerializer)
    def get_proof(self, stop) -> dict:
        requirements = self.context["proof"][stop.delivery.method]
        return {part: requirements.of(part) for part in execution.PROOF_PARTS}


@extend_schema_serializer(component_name="DriverRoute")
class DriverRouteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    date = serializers.DateField()
    state = serializers.ChoiceField(choices=Route.State.choices)
    centre = serializers.CharField(source="centre.name")
    vehicle = serializers.CharField(source="vehicle.registration", allow_null=True, default=None)
    departs_at = serializers.DateTimeField()
    returns_at = serializers.DateTimeField()
    distance_km = serializers.DecimalField(max_digits=9, decimal_places=3)
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    stops = DriverStopOutputSerializer(many=True, source="stops.all")


def _context(request) -> dict:
    return {"proof": execution.proof_requirements(), "request": request}


def _route_answer(request, route_id: int, replayed: bool) -> Response:
    route = selectors.driver_route_get(driver=request.driver, route_id=route_id)
    return Response(DriverRouteOutputSerializer(route, context=_context(request)).data, headers={"Replayed": str(replayed).lower()})


def _stop_answer(request, stop_id: int, replayed: bool) -> Response:
    stop = selectors.driver_stop_get(driver=request.driver, stop_id=stop_id)
    return Response(DriverStopOutputSerializer(stop, context=_context(request)).data, headers={"Replayed": str(replayed).lower()})


class _PositionInput(StrictInputSerializer):
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
                                        help_text="Where the phone is, with longitude (both or neither).")
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError({"longitude": ["Send latitude and longitude together, or neither."]})
        return attrs


def _position(data) -> Position | None:
    if data.get("latitude") is None:
        return None
    return Position(latitude=data["latitude"], longitude=data["longitude"])


_POSITION_INVALID = error_example("invalid", "The request is not valid.",
                                  {"longitude": ["Send latitude and longitude together, or neither."]})


# --- views ----------------------------------------------------------------------------------------
class DriverTodayApi(APIView):
    permission_classes = DRIVERS

    @_driver("driver_routes_today", "My routes today", ok=DriverRouteOutputSerializer(many=True),
             description="The driver's routes of today (the shop's time zone), with their stops in order, each with the "
                         "proof its delivery method asks for and its estimated arrival once the route is under way.",
             errors={403: NOT_A_DRIVER}, examples=[DRIVER_ROUTE_ANSWER])
    def get(self, request):
        routes = selectors.driver_routes_on(driver=request.driver, date=timezone.localdate())
        return Response(DriverRouteOutputSerializer(routes, many=True, context=_context(request)).data)


def _route_command(operation_id: str, summary: str, description: str, *refusals):
    return _driver(operation_id, summary, description=description, ok=DriverRouteOutputSerializer,
                   parameters=[ROUTE_ID, REPLAYED], request=None,
                   errors={403: NOT_A_DRIVER, 404: ROUTE_NOT_FOUND,
                           409: error_response("Not now: the route's state (or its open stops) do not allow it; nothing changed.",
                                               *ROUTE_TRANSITION_INVALID.examples, *refusals)},
                   examples=[DRIVER_ROUTE_ANSWER])


class DriverRouteStartApi(APIView):
    permission_classes = DRIVERS

    @_route_command("driver_routes_start", "Start my route",
                    "assigned → in progress: its deliveries go out, their orders are shipped, the shoppers are told. "
                    "Again on a route under way: the same answer, nothing changed.")
    def post(self, request, route_id: int):
        outcome = execution.driver_route_start(driver=request.driver, route_id=route_id)
        return _route_answer(request, route_id, outcome.replayed)


class DriverRouteCompleteApi(APIView):
    permission_classes = DRIVERS

    @_route_command("driver_routes_complete", "Complete my route",
                    "in progress → completed, once every stop is delivered or failed. Again on a completed route: the same answer.",
                    error_example("route_not_finished", "Route R261208-LYON-3F2A1C has 2 stop(s) still open."))
    def post(self, request, route_id: int):
        outcome = execution.driver_route_complete(driver=request.driver, route_id=route_id)
        return _route_answer(request, route_id, outcome.replayed)


def _stop_command(operation_id: str, summary: str, description: str, *, request, invalid=(), conflicts=(), sample=None):
    return _driver(operation_id, summary, description=description, ok=DriverStopOutputSerializer, request=request,
                   parameters=[STOP_ID, REPLAYED], invalid=invalid,
                   errors={403: NOT_A_DRIVER, 404: STOP_NOT_FOUND,
                           409: error_response("The stop is closed the other way, or its route is not under way; nothing changed.",
                                               *STOP_TRANSITION_INVALID.examples, *ROUTE_NOT_STARTED.examples, *conflicts)},
                   examples=[*([sample] if sample else []), DRIVER_STOP_ANSWER])


class DriverStopArriveApi(APIView):
    permission_classes = DRIVERS

    @extend_schema_serializer(component_name="DriverStopArriveInput")
    class InputSerializer(_PositionInput):
        pass

    @_stop_command("driver_stops_arrive", "Arrive at a stop", "pending → arrived; the estimates of the stops after it follow.",
                   request=InputSerializer, invalid=[_POSITION_INVALID],
                   sample=sent("At the door", {"latitude": "45.760012", "longitude": "4.859990"}))
    def post(self, request, stop_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = execution.stop_arrive(driver=request.driver, stop_id=stop_id, position=_position(data.validated_data))
        return _stop_answer(request, stop_id, outcome.replayed)


class DriverStopCompleteApi(APIView):
    permission_classes = DRIVERS
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="DriverStopCompleteInput")
    class InputSerializer(_PositionInput):
        recipient_name = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                               help_text="Who took it; required or ignored as the method's proof says.")
        photo = serializers.FileField(required=False, help_text="A JPEG, PNG or WebP picture of the parcel handed over.")
        signature = serializers.FileField(required=False, help_text="The recipient's signature, as a PNG (or JPEG, WebP) picture.")

    @_stop_command(
        "driver_stops_complete",
        "Deliver a stop, with its proof",
        "pending or arrived → delivered; its order becomes delivered. The proof its delivery method asks for (the stop's "
        "`proof`) must come with it: 400 `proof_missing` names what is missing. Pictures are checked and cleaned of "
        "metadata. The position sent is kept and its distance from the address shown to the dispatcher. Again on a "
        "delivered stop: the same answer, nothing stored again.",
        request={"multipart/form-data": InputSerializer},
        invalid=[PROOF_MISSING, IMAGE_INVALID, _POSITION_INVALID],
    )
    def post(self, request, stop_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        outcome = execution.stop_complete(driver=request.driver, stop_id=stop_id, recipient_name=values.get("recipient_name", ""),
                                          photo=values.get("photo"), signature=values.get("signature"),
                                          position=_position(values))
        return _stop_answer(request, stop_id, outcome.replayed)


class DriverStopFailApi(APIView):
    permission_classes = DRIVERS
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="DriverStopFailInput")
    class InputSerializer(_PositionInput):
        reason = serializers.ChoiceField(choices=FailureReason.choices)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                     help_text="The driver's words; required with `other`.")

    @_stop_command(
        "driver_stops_fail",
        "Fail a stop, with its reason",
        "pending or arrived → failed, with a reason (`other` with a note); the delivery waits for a dispatcher to schedule "
        "it again and the shopper is told. A delivered stop cannot fail (409). Again with the same reason: the same answer.",
        request=InputSerializer,
        invalid=[FAILURE_INVALID, _POSITION_INVALID],
        sample=sent("Nobody home", {"reason": "not_at_home", "note": "Card left in the letterbox"}),
    )
    def post(self, request, stop_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        outcome = execution.stop_fail(driver=request.driver, stop_id=stop_id, code=values["reason"], note=values.get("note", ""),
                                      position=_position(values))
        return _stop_answer(request, stop_id, outcome.replayed)
