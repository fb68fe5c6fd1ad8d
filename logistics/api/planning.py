"""Planning a centre's day: re-plan on demand (202 with the queued run), a run's progress and
figures, and the day's planned routes ("optimal routes for a day"). Dispatchers only.

The re-plan's solving runs in ``logistics.plan_centre`` on the ``logistics`` queue, for the time limit
the client gives (at most ``LOGISTICS_PLAN_MAX_TIME_LIMIT``; a 400 beyond it) or the configured
``LOGISTICS_PLAN_TIME_LIMIT``; the answer is the run, queued: poll it by id, its ``progress`` shows the
best plan so far while it runs.
"""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.schema import answer, documented, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import MoneyOutputSerializer, QueryParamsSerializer, StrictInputSerializer
from commerce.money import Money
from logistics import selectors, services
from logistics.api.common import DISPATCHERS, RouteOutputSerializer
from logistics.api.schema import ROUTE_ANSWER, ROUTE_EXAMPLE, ROUTE_ID, ROUTE_NOT_FOUND, ROUTE_TRANSITION_INVALID
from logistics.models import PlanningRun
from logistics.planning import BACKENDS
from logistics.services.planning import planning_run_queue

_staff = functools.partial(documented, tags=["logistics"], access=schema.STAFF)

CENTRE_ID = OpenApiParameter("centre_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Distribution centre id.")
RUN_ID = OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Planning run id.")
CENTRE_NOT_FOUND = error_response("No such centre.", error_example("centre_not_found", "No such distribution centre."))
RUN_NOT_FOUND = error_response("No such planning run.", error_example("planning_run_not_found", "No such planning run."))
RUN_EXAMPLE = {
    "id": 7, "centre_id": 1, "date": "2026-12-08", "status": "done", "backend": "", "time_limit": 30.0, "batch": "",
    "created_at": "2026-12-07T14:00:00Z", "started_at": "2026-12-07T14:00:01Z", "finished_at": "2026-12-07T14:00:31Z",
    "solver": "pyvrp", "solver_status": "solved", "routes": 3, "stops": 41,
    "unassigned": [{"delivery_id": 12, "order_number": "7KQ2M-XR4TB", "reason": "capacity",
                    "text": "its demand exceeds the capacity of every vehicle that may serve it"}],
    "cost": {"amount": "412.35", "currency": "EUR"}, "distance_km": "96.210", "wall_time": 30.1, "notes": [], "error": "",
    "progress": {"elapsed": 29.1, "time_limit": 30.0, "best_cost": {"amount": "412.35", "currency": "EUR"}, "served": 41,
                 "stops": 42, "solutions": 17, "updated_at": "2026-12-07T14:00:30Z"},
}
RUNNING_EXAMPLE = {
    **RUN_EXAMPLE, "status": "running", "finished_at": None, "solver": "", "solver_status": "", "routes": 0, "stops": 0,
    "unassigned": [], "cost": {"amount": "0.00", "currency": "EUR"}, "distance_km": "0.000", "wall_time": 0.0,
    "progress": {"elapsed": 3.2, "time_limit": 30.0, "best_cost": {"amount": "431.90", "currency": "EUR"}, "served": 40,
                 "stops": 42, "solutions": 4, "updated_at": "2026-12-07T14:00:04Z"},
}


@extend_schema_serializer(component_name="PlanningUnassigned")
class UnassignedSerializer(serializers.Serializer):
    delivery_id = serializers.IntegerField()
    order_number = serializers.CharField()
    reason = serializers.ChoiceField(choices=["capacity", "no_vehicle", "unreachable", "penalty", "not_located"])
    text = serializers.CharField()


@extend_schema_serializer(component_name="PlanningProgress")
class ProgressSerializer(serializers.Serializer):
    elapsed = serializers.FloatField(help_text="Seconds since the search began.")
    time_limit = serializers.FloatField()
    best_cost = MoneyOutputSerializer(help_text="What the best plan found so far costs.")
    served = serializers.IntegerField(help_text="Deliveries the best plan so far serves.")
    stops = serializers.IntegerField(help_text="Deliveries to plan.")
    solutions = serializers.IntegerField(help_text="Solutions the solver has sent so far.")
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance):
        data = dict(instance)
        data["best_cost"] = Money.of(data["best_cost"], data.pop("currency"))
        return super().to_representation(data)


@extend_schema_serializer(component_name="PlanningRun")
class PlanningRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    centre_id = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=PlanningRun.Status.choices)
    backend = serializers.CharField(help_text="Blank: the default back end for the problem.")
    time_limit = serializers.FloatField()
    batch = serializers.CharField(help_text="The nightly planning it belongs to (blank: on demand).")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    solver = serializers.CharField()
    solver_status = serializers.CharField()
    routes = serializers.IntegerField()
    stops = serializers.IntegerField()
    unassigned = UnassignedSerializer(many=True, help_text="Every delivery left out, with its reason.")
    cost = MoneyOutputSerializer()
    distance_km = serializers.DecimalField(max_digits=10, decimal_places=3)
    wall_time = serializers.FloatField(help_text="Seconds the solver took.")
    nearest_neighbour_cost = MoneyOutputSerializer(source="nearest_cost", allow_null=True, help_text=(
        "The day's deliveries handed out to the same vehicles nearest-first instead (null until planned)."))
    nearest_neighbour_km = serializers.DecimalField(source="nearest_distance_km", max_digits=10, decimal_places=3, allow_null=True)
    nearest_neighbour_stops = serializers.IntegerField(source="nearest_stops", allow_null=True,
                                                       help_text="Stops the nearest-first dispatch could serve.")
    saving = MoneyOutputSerializer(source="nearest_saving", allow_null=True,
                                   help_text="Nearest-neighbour cost less the plan's (negative: the plan cost more).")
    notes = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField(help_text="Why it failed (nothing of the day changed then).")
    progress = serializers.SerializerMethodField(help_text=(
        "The search as it goes (null before the solver sent its first plan): the best plan so far and the time spent."))

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, run):
        return ProgressSerializer(run.progress).data if run.progress else None


@extend_schema_serializer(component_name="PlannedDay")
class PlannedDaySerializer(serializers.Serializer):
    centre_id = serializers.IntegerField()
    date = serializers.DateField()
    run = PlanningRunOutputSerializer(allow_null=True, help_text="The last planning of the day that finished.")
    routes = RouteOutputSerializer(many=True)


class CentrePlanApi(APIView):
    """A centre's day: its planned routes (GET), or planned again now (POST)."""

    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="PlannedDayFilter")
    class FilterSerializer(QueryParamsSerializer):
        date = serializers.DateField(help_text="The day (YYYY-MM-DD).")

    @extend_schema_serializer(component_name="PlanDayInput")
    class InputSerializer(StrictInputSerializer):
        date = serializers.DateField(help_text="The day to plan (YYYY-MM-DD).")
        backend = serializers.ChoiceField(choices=list(BACKENDS), required=False, allow_blank=True,
                                          help_text="pyvrp, ortools or nearest; the default for the problem when left out.")
        time_limit = serializers.FloatField(required=False, help_text=(
            "Seconds the solver may search: from 0.1 to LOGISTICS_PLAN_MAX_TIME_LIMIT (300 by default); "
            "LOGISTICS_PLAN_TIME_LIMIT (30) when left out."))

    @_staff(
        "logistics_plan_retrieve", "A centre's planned day",
        description="The optimal routes of the day as planned (cancelled ones left out), and the last planning run's figures.",
        ok=PlannedDaySerializer, parameters=[CENTRE_ID, FilterSerializer],
        errors={**invalid_filter("The date is missing or not a date.", error_example(
            "invalid", "The request is not valid.", {"date": ["This field is required."]})), 404: CENTRE_NOT_FOUND},
        examples=[answer("A planned day", {"centre_id": 1, "date": "2026-12-08", "run": RUN_EXAMPLE, "routes": [ROUTE_EXAMPLE]})],
    )
    def get(self, request, centre_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        date = filters.validated_data["date"]
        run, routes = selectors.day_planned(centre_id=centre_id, date=date)
        return Response(PlannedDaySerializer({"centre_id": centre_id, "date": date, "run": run, "routes": routes}).data)

    @_staff(
        "logistics_plan_create", "Plan a centre's day again",
        description=("Queues a planning run of the day: the routes not started are replaced, the started ones kept, every "
                     "delivery put on a route or listed unassigned with its reason. Answers at once with the run (queued); "
                     "poll it by id."),
        ok=PlanningRunOutputSerializer, status=202, request=InputSerializer, parameters=[CENTRE_ID],
        invalid=[error_example("invalid", "The request is not valid.", {"backend": ['"magic" is not a valid choice.']}),
                 error_example("planning_invalid", "The planning request is not valid.",
                               {"time_limit": ["From 0.1 to 300 seconds."]})],
        errors={404: CENTRE_NOT_FOUND},
        examples=[sent("Tomorrow", {"date": "2026-12-08"}), sent("A minute's search", {"date": "2026-12-08", "time_limit": 60}),
                  answer("Queued", {**RUN_EXAMPLE, "status": "queued", "progress": None}, "202")],
    )
    def post(self, request, centre_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = planning_run_queue(centre=centre_id, date=data["date"], backend=data.get("backend", ""),
                                 time_limit=data.get("time_limit"), requested_by=request.user)
        return Response(PlanningRunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PlanningRunDetailApi(APIView):
    """One planning run: its progress (queued, running, done, failed) and figures."""

    permission_classes = DISPATCHERS

    @_staff("logistics_planning_runs_retrieve", "A planning run", ok=PlanningRunOutputSerializer, parameters=[RUN_ID],
            description="Its state, and while it runs its progress: the best plan so far, its cost, the seconds spent.",
            errors={404: RUN_NOT_FOUND}, examples=[answer("Running", RUNNING_EXAMPLE), answer("Done", RUN_EXAMPLE)])
    def get(self, request, run_id: int):
        return Response(PlanningRunOutputSerializer(selectors.planning_run_get(run_id=run_id)).data)


class RouteOptimiseApi(APIView):
    """The spec's OptimizeRoute: one route's stops in the best order found (its deliveries, driver and vehicle kept)."""

    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="RouteOptimiseInput")
    class InputSerializer(StrictInputSerializer):
        time_limit = serializers.FloatField(required=False, help_text=(
            "Seconds the solver may search: from 0.1 to LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT (10); 2 (or "
            "LOGISTICS_PLAN_TIME_LIMIT when lower) when left out. The answer comes when it is done."))
        backend = serializers.ChoiceField(choices=list(BACKENDS), required=False, allow_blank=True,
                                          help_text="pyvrp, ortools or nearest; the default when left out.")

    @_staff(
        "logistics_routes_optimise", "Optimise a route's order",
        description=("Searches the best order of a route not started for its vehicle and its driver's shift, from the "
                     "current order, and writes it: the stops' planned arrivals, loads and distances, the route's "
                     "departure, return, distance and cost. An order no better than the current one leaves the route "
                     "as it is. Refused (400) when no order keeps every stop within its window and the shift; 409 when "
                     "the route is under way or changed meanwhile."),
        ok=RouteOutputSerializer, parameters=[ROUTE_ID], request=InputSerializer,
        invalid=[error_example("planning_invalid", "No order of route R261208-LYON-3F2A1C's stops keeps every one within "
                                                   "its window and the shift; the route is kept as it is.")],
        errors={404: ROUTE_NOT_FOUND, 409: error_response(
            "The route is under way, or changed while it was optimised; nothing changed.", *ROUTE_TRANSITION_INVALID.examples,
            error_example("planning_conflict", "Route R261208-LYON-3F2A1C changed while it was optimised: nothing was "
                                               "written; try again."))},
        examples=[sent("Two seconds' search", {"time_limit": 2}), ROUTE_ANSWER],
    )
    def post(self, request, route_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.route_optimise(route=route_id, time_limit=data.get("time_limit"), backend=data.get("backend") or None)
        return Response(RouteOutputSerializer(selectors.route_get(route_id=route_id)).data)
