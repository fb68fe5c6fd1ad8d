"""Routes: by id, by date, a driver's; create, assign, start, complete.

Reads: dispatchers see every route, a driver their own (anyone else's is not found). Commands need
``accounts.dispatch_routes``; each calls one service, and a refusal keeps its code (409
``route_transition_invalid`` when the state does not allow it, ``resource_busy`` when the driver or
vehicle has a route that day).
"""

from __future__ import annotations

import functools

from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, documented, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from logistics import selectors, services
from logistics.api.common import DISPATCHERS, MAX_DB_ID, RouteOutputSerializer
from logistics.api.schema import DRIVER_ID, DRIVER_NOT_FOUND, ROUTE_ANSWER, ROUTE_ID, ROUTE_NOT_FOUND, ROUTE_TRANSITION_INVALID
from logistics.models import Route
from logistics.services.routes import MAX_STOPS

_staff = functools.partial(documented, tags=["logistics"], access=schema.STAFF)
_read = functools.partial(documented, tags=["logistics"], access=schema.READ)

FILTER_INVALID = invalid_filter("A filter value is not valid; `fields` names it.", error_example(
    "invalid", "The request is not valid.", {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}))
ROUTE_REFUSED = error_response(
    "A delivery cannot go on this route (not scheduled that day, another centre, on another route), or the driver or "
    "vehicle has another route that day; nothing changed.",
    error_example("delivery_not_routable", "Delivery of 7KQ2M-XR4TB cannot go on this route: it is on another route."),
    error_example("resource_busy", "The driver or the vehicle has another route on 2026-12-08."),
)


def _answer(route_id: int, requester=None) -> dict:
    return RouteOutputSerializer(selectors.route_get(route_id=route_id, requester=requester)).data


class RouteListApi(APIView):
    """Routes by date (and centre, state): the spec's GetRoutesByDate."""

    permission_classes = DISPATCHERS
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="RouteListFilter")
    class FilterSerializer(QueryParamsSerializer):
        date = serializers.DateField(required=False, help_text="Routes of this day (YYYY-MM-DD).")
        centre = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, help_text="Distribution centre id.")
        state = serializers.ChoiceField(choices=Route.State.choices, required=False)

    @extend_schema_serializer(component_name="RouteCreateInput")
    class InputSerializer(StrictInputSerializer):
        centre_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
        date = serializers.DateField()
        delivery_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID),
                                             min_length=1, max_length=MAX_STOPS, help_text="The deliveries, in the order visited.")

    @_staff("logistics_routes_list", "Routes by date", ok=RouteOutputSerializer(many=True), parameters=[FilterSerializer],
            errors={**FILTER_INVALID, 404: PAGE_NOT_FOUND}, examples=[ROUTE_ANSWER])
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        routes = selectors.route_list(requester=request.user, date=data.get("date"), centre_id=data.get("centre"),
                                      state=data.get("state"))
        return paginated_response(queryset=routes, serializer_class=RouteOutputSerializer, request=request, view=self)

    @_staff(
        "logistics_routes_create",
        "Create a route",
        description=("A planned route of the centre on the day, visiting the scheduled deliveries in the order given; "
                     "arrivals, loads, distance and duration are worked out (leaving when the centre opens, or later to reach the "
                     "first stop as its window opens)."),
        ok=RouteOutputSerializer,
        status=201,
        request=InputSerializer,
        invalid=[error_example("route_invalid", "Lyon Gerland does not dispatch on Sundays.", {"date": ["The centre is closed that day."]})],
        errors={404: error_response("No such centre.", error_example("centre_not_found", "No such distribution centre.")),
                409: ROUTE_REFUSED},
        examples=[sent("Three stops", {"centre_id": 1, "date": "2026-12-08", "delivery_ids": [12, 15, 11]}), ROUTE_ANSWER],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        route = services.route_create(centre=data["centre_id"], date=data["date"], delivery_ids=data["delivery_ids"])
        return Response(_answer(route.pk), status=status.HTTP_201_CREATED)


class RouteDetailApi(APIView):
    """One route with its stops: the spec's GetRouteById (a driver: their own only)."""

    permission_classes = [IsAuthenticated]

    @_read("logistics_routes_retrieve", "One route", ok=RouteOutputSerializer, parameters=[ROUTE_ID],
           errors={404: ROUTE_NOT_FOUND}, examples=[ROUTE_ANSWER])
    def get(self, request, route_id: int):
        return Response(_answer(route_id, request.user))


class DriverRouteListApi(APIView):
    """A driver's routes, from a day to a day: the spec's GetDriverRoutes (dispatchers, or the driver)."""

    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="DriverRouteFilter")
    class FilterSerializer(QueryParamsSerializer):
        date_from = serializers.DateField(required=False, help_text="On or after this day (YYYY-MM-DD).")
        date_to = serializers.DateField(required=False, help_text="On or before this day (YYYY-MM-DD).")

    @_read("logistics_driver_routes", "A driver's routes", ok=RouteOutputSerializer(many=True),
           parameters=[DRIVER_ID, FilterSerializer], errors={**FILTER_INVALID, 404: DRIVER_NOT_FOUND}, examples=[ROUTE_ANSWER])
    def get(self, request, driver_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        routes = selectors.driver_routes(driver_id=driver_id, requester=request.user, **filters.validated_data)
        return paginated_response(queryset=routes, serializer_class=RouteOutputSerializer, request=request, view=self)


class MyRouteListApi(APIView):
    """The logged-in driver's routes from today on (none for someone who does not drive)."""

    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @_read("logistics_my_routes", "My routes", ok=RouteOutputSerializer(many=True), errors={404: PAGE_NOT_FOUND},
           examples=[ROUTE_ANSWER])
    def get(self, request):
        driver = selectors.driver_of(request.user)
        routes = (selectors.driver_routes(driver_id=driver.pk, requester=request.user, date_from=timezone.localdate())
                  if driver is not None else Route.objects.none())
        return paginated_response(queryset=routes, serializer_class=RouteOutputSerializer, request=request, view=self)


class RouteAssignApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="RouteAssignInput")
    class InputSerializer(StrictInputSerializer):
        driver_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
        vehicle_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)

    @_staff(
        "logistics_routes_assign",
        "Assign a driver and a vehicle",
        description=("planned or assigned → assigned. The driver works from the route's centre with a shift covering it and "
                     "a licence for the vehicle; the vehicle is the centre's, available that day, and holds the load. "
                     "The cost is worked out with the vehicle's rates."),
        ok=RouteOutputSerializer,
        parameters=[ROUTE_ID],
        request=InputSerializer,
        invalid=[error_example("assignment_invalid", "This driver has no shift on 2026-12-08.",
                               {"driver_id": ["This driver has no shift on 2026-12-08."]})],
        errors={404: error_response("No such route, driver or vehicle.", error_example("route_not_found", "No such route."),
                                    error_example("driver_not_found", "No such driver."),
                                    error_example("vehicle_not_found", "No such vehicle.")),
                409: error_response("Not now: the route is under way, or the driver or vehicle is busy that day.",
                                    *ROUTE_TRANSITION_INVALID.examples, *ROUTE_REFUSED.examples[1:])},
        examples=[sent("Louis in van 4", {"driver_id": 2, "vehicle_id": 4}), ROUTE_ANSWER],
    )
    def post(self, request, route_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.route_assign(route=route_id, driver=serializer.validated_data["driver_id"],
                              vehicle=serializer.validated_data["vehicle_id"])
        return Response(_answer(route_id))


def _transition(operation_id: str, summary: str, description: str, *, refusals=()):
    conflict = error_response("The route's state (or its stops) do not allow this now; nothing changed.",
                              *ROUTE_TRANSITION_INVALID.examples, *refusals)
    return _staff(operation_id, summary, description=description, ok=RouteOutputSerializer, parameters=[ROUTE_ID],
                  request=None, errors={404: ROUTE_NOT_FOUND, 409: conflict}, examples=[ROUTE_ANSWER])


class RouteStartApi(APIView):
    permission_classes = DISPATCHERS

    @_transition("logistics_routes_start", "Start a route",
                 "assigned → in progress: its deliveries go out for delivery and their orders are shipped.",
                 refusals=[error_example("delivery_not_routable", "Delivery of 7KQ2M-XR4TB is cancelled.")])
    def post(self, request, route_id: int):
        services.route_start(route=route_id)
        return Response(_answer(route_id))


class RouteCompleteApi(APIView):
    permission_classes = DISPATCHERS

    @_transition("logistics_routes_complete", "Complete a route", "in progress → completed, once every stop is delivered or failed.",
                 refusals=[error_example("route_not_finished", "Route R261208-LYON-3F2A1C has 2 stop(s) still open.")])
    def post(self, request, route_id: int):
        services.route_complete(route=route_id)
        return Response(_answer(route_id))


class RouteCancelApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="RouteCancelInput")
    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(max_length=200, help_text="Why (re-planned, no driver).")

    @_staff(
        "logistics_routes_cancel",
        "Cancel a route",
        description="planned or assigned → cancelled: its stops are removed (the deliveries are free for another route), "
                    "the driver and vehicle free that day.",
        ok=RouteOutputSerializer,
        parameters=[ROUTE_ID],
        request=InputSerializer,
        invalid=[error_example("route_invalid", "Say why the route is cancelled, in at most 200 characters.",
                               {"reason": ["Required, at most 200 characters."]})],
        errors={404: ROUTE_NOT_FOUND, 409: ROUTE_TRANSITION_INVALID},
        examples=[sent("Re-planned", {"reason": "Re-planned with the new orders"}), ROUTE_ANSWER],
    )
    def post(self, request, route_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.route_cancel(route=route_id, reason=serializer.validated_data["reason"])
        return Response(_answer(route_id))
