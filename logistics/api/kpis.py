"""Logistics KPIs over REST (dispatchers): one query each, read from the KPI read models.

``GET /logistics/kpis/<kpi>/?date_from=&date_to=&centre=``: the days of the deliveries (the last 30
by default, at most 366), optionally one centre. The spec's GetDeliveryPerformance,
GetRouteEfficiency, GetCapacityUtilization, GetDeliveryTimeAnalytics, GetCustomerSatisfaction and
GetLogisticsCostAnalysis.
"""

from __future__ import annotations

import datetime
import functools

from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.schema import answer, documented, error_example, invalid_filter
from commerce.api.serializers import QueryParamsSerializer
from logistics.api.common import DISPATCHERS, MAX_DB_ID
from logistics.kpis import queries
from logistics.models import FailureReason

_staff = functools.partial(documented, tags=["logistics KPIs"], access=schema.STAFF)
RATE = {"max_digits": 6, "decimal_places": 4, "allow_null": True}
AVG = {"max_digits": 12, "decimal_places": 2, "allow_null": True}
KM = {"max_digits": 12, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}


@extend_schema_serializer(component_name="LogisticsKpiFilter")
class PeriodSerializer(QueryParamsSerializer):
    date_from = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); 29 days before date_to by default.")
    date_to = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD); today by default. At most 366 days in all.")
    centre = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, help_text="One distribution centre.")

    def validate(self, attrs):
        date_to = attrs.get("date_to") or timezone.localdate()
        # 29 days back, or as far as the calendar goes (date_to=0001-01-01 was an OverflowError, a 500)
        date_from = attrs.get("date_from") or date_to - datetime.timedelta(days=min(29, (date_to - datetime.date.min).days))
        if date_from > date_to:
            raise serializers.ValidationError({"date_from": ["On or before date_to."]})
        if (date_to - date_from).days >= queries.MAX_DAYS:
            raise serializers.ValidationError({"date_from": [f"At most {queries.MAX_DAYS} days."]})
        return queries.Period(date_from=date_from, date_to=date_to, centre_id=attrs.get("centre"))


class _PeriodOut(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    centre_id = serializers.IntegerField(allow_null=True)


class _ReasonOut(serializers.Serializer):
    reason = serializers.ChoiceField(choices=FailureReason.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    rate = serializers.DecimalField(**RATE)


class _PerformanceDayOut(serializers.Serializer):
    date = serializers.DateField()
    attempts = serializers.IntegerField()
    failed = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(**RATE)
    average_lateness_minutes = serializers.DecimalField(**AVG)


@extend_schema_serializer(component_name="DeliveryPerformance")
class PerformanceOut(_PeriodOut):
    attempts = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(**RATE, help_text="Arrivals inside the promised window, of those with a window.")
    failed_rate = serializers.DecimalField(**RATE)
    late = serializers.IntegerField()
    average_lateness_minutes = serializers.DecimalField(**AVG, help_text="Minutes after the window's end, 0 when in time.")
    average_lateness_when_late_minutes = serializers.DecimalField(**AVG)
    failed_by_reason = _ReasonOut(many=True)
    days = _PerformanceDayOut(many=True)


class _RouteRowOut(serializers.Serializer):
    route_id = serializers.IntegerField()
    date = serializers.DateField()
    vehicle = serializers.CharField()
    stops = serializers.IntegerField()
    planned_distance_km = serializers.DecimalField(**KM)
    driven_distance_km = serializers.DecimalField(**KM)
    planned_minutes = serializers.IntegerField()
    actual_minutes = serializers.IntegerField()


@extend_schema_serializer(component_name="RouteEfficiency")
class EfficiencyOut(_PeriodOut):
    routes = serializers.IntegerField()
    stops = serializers.IntegerField()
    planned_km = serializers.DecimalField(**KM)
    driven_km = serializers.DecimalField(**KM, help_text="The stops in the order they were closed, centre to centre.")
    planned_km_per_stop = serializers.DecimalField(**AVG)
    driven_km_per_stop = serializers.DecimalField(**AVG)
    planned_minutes_per_stop = serializers.DecimalField(**AVG)
    actual_minutes_per_stop = serializers.DecimalField(**AVG)
    route_list = _RouteRowOut(many=True, help_text="The routes, at most 200.")


class _VehicleDayOut(serializers.Serializer):
    date = serializers.DateField()
    vehicle_id = serializers.IntegerField(allow_null=True)
    vehicle = serializers.CharField()
    load_utilization = serializers.DecimalField(**RATE, help_text="The tightest of weight, volume and parcels.")
    weight_utilization = serializers.DecimalField(**RATE)
    volume_utilization = serializers.DecimalField(**RATE)
    parcel_utilization = serializers.DecimalField(**RATE)
    hours_utilization = serializers.DecimalField(**RATE, help_text="Route hours against the driver's shift hours.")


@extend_schema_serializer(component_name="CapacityUtilization")
class CapacityOut(_PeriodOut):
    vehicle_days = serializers.IntegerField()
    average_load_utilization = serializers.DecimalField(**RATE)
    average_hours_utilization = serializers.DecimalField(**RATE)
    vehicles = _VehicleDayOut(many=True)


class _HourOut(serializers.Serializer):
    hour = serializers.IntegerField()
    attempts = serializers.IntegerField()


@extend_schema_serializer(component_name="DeliveryTimeAnalytics")
class TimesOut(_PeriodOut):
    attempts = serializers.IntegerField()
    average_delay_minutes = serializers.DecimalField(**AVG, help_text="Arrival against the planned arrival.")
    average_service_minutes = serializers.DecimalField(**AVG, help_text="From arrival to closing the stop.")
    ahead_of_plan = serializers.IntegerField()
    by_hour = _HourOut(many=True)


class _StarsOut(serializers.Serializer):
    stars = serializers.IntegerField()
    count = serializers.IntegerField()


class _DriverStarsOut(serializers.Serializer):
    driver_id = serializers.IntegerField(allow_null=True)
    ratings = serializers.IntegerField()
    average_stars = serializers.DecimalField(**AVG)


@extend_schema_serializer(component_name="CustomerSatisfaction")
class SatisfactionOut(_PeriodOut):
    ratings = serializers.IntegerField()
    average_stars = serializers.DecimalField(**AVG)
    average_when_on_time = serializers.DecimalField(**AVG)
    average_when_late = serializers.DecimalField(**AVG)
    distribution = _StarsOut(many=True)
    by_driver = _DriverStarsOut(many=True)


# What each cost row below says against the nearest-first dispatch of the same work (a comment, not a
# docstring: the rows' schema components would take it as their description).
class _SavingOut(serializers.Serializer):
    currency = serializers.CharField()
    cost = serializers.DecimalField(**MONEY)
    distance_km = serializers.DecimalField(**KM)
    nearest_neighbour_cost = serializers.DecimalField(**MONEY)
    nearest_neighbour_km = serializers.DecimalField(**KM)
    saving = serializers.DecimalField(**MONEY, help_text="Nearest-neighbour cost less this cost (negative: it did better).")
    saving_rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)


class _CurrencyCostOut(_SavingOut):
    routes = serializers.IntegerField()
    deliveries = serializers.IntegerField()
    stops = serializers.IntegerField()
    cost_per_delivery = serializers.DecimalField(**MONEY, allow_null=True)
    cost_per_km = serializers.DecimalField(**MONEY, allow_null=True)


class _RouteCostOut(_SavingOut):
    route_id = serializers.IntegerField()
    date = serializers.DateField()
    vehicle = serializers.CharField()
    stops = serializers.IntegerField()
    delivered = serializers.IntegerField()
    nearest_neighbour_cost = serializers.DecimalField(**MONEY, help_text="The same stops driven nearest first, centre to centre.")


class _DayPlanOut(_SavingOut):
    date = serializers.DateField()
    centre_id = serializers.IntegerField()
    run_id = serializers.IntegerField(help_text="The planning run that planned the day last.")
    routes = serializers.IntegerField()
    stops = serializers.IntegerField()
    cost = serializers.DecimalField(**MONEY, help_text="The plan's routes, as planned.")
    nearest_neighbour_routes = serializers.IntegerField()
    nearest_neighbour_stops = serializers.IntegerField(help_text="Stops the nearest-first dispatch could serve.")
    nearest_neighbour_cost = serializers.DecimalField(**MONEY, help_text=(
        "The day's deliveries handed out to the same vehicles nearest-first, one vehicle after another."))


class _DayTotalOut(_SavingOut):
    days = serializers.IntegerField()
    stops = serializers.IntegerField()
    nearest_neighbour_stops = serializers.IntegerField()


@extend_schema_serializer(component_name="LogisticsCostAnalysis")
class CostOut(_PeriodOut):
    currencies = _CurrencyCostOut(many=True)
    routes = _RouteCostOut(many=True, help_text="Each completed route's saving, the latest first (at most 200).")
    day_totals = _DayTotalOut(many=True, help_text="The planned days summed per currency.")
    days = _DayPlanOut(many=True, help_text=(
        "Each planned day (its latest plan) against the whole day dispatched nearest-first, the latest first (at most 200)."))


FILTER_INVALID = invalid_filter("A filter value is not valid; `fields` names it.",
                                error_example("invalid", "The request is not valid.", {"date_from": ["At most 366 days."]}))
PERIOD = {"date_from": "2026-11-08", "date_to": "2026-12-07", "centre_id": None}


def _kpi_view(name: str, operation_id: str, summary: str, description: str, output, example: dict):
    query = queries.QUERIES[name]

    class KpiApi(APIView):
        permission_classes = DISPATCHERS

        @_staff(operation_id, summary, description=description, ok=output, parameters=[PeriodSerializer],
                errors=FILTER_INVALID, examples=[answer(summary, {**PERIOD, **example})])
        def get(self, request):
            period = PeriodSerializer(data=request.query_params)
            period.is_valid(raise_exception=True)
            return Response(output(query(period.validated_data)).data)

    KpiApi.__name__ = KpiApi.__qualname__ = "".join(part.title() for part in name.split("-")) + "Api"
    return KpiApi


DeliveryPerformanceApi = _kpi_view(
    "delivery-performance", "logistics_kpis_delivery_performance", "Delivery performance",
    "GetDeliveryPerformance: on-time rate (arrival inside the promised window), failed rate by reason, average lateness.",
    PerformanceOut, {"attempts": 40, "delivered": 37, "failed": 3, "on_time_rate": "0.9250", "failed_rate": "0.0750", "late": 3,
                     "average_lateness_minutes": "1.20", "average_lateness_when_late_minutes": "16.00",
                     "failed_by_reason": [{"reason": "not_at_home", "label": "Nobody at home", "count": 3, "rate": "0.0750"}],
                     "days": [{"date": "2026-12-07", "attempts": 40, "failed": 3, "on_time_rate": "0.9250",
                               "average_lateness_minutes": "1.20"}]})
RouteEfficiencyApi = _kpi_view(
    "route-efficiency", "logistics_kpis_route_efficiency", "Route efficiency",
    "GetRouteEfficiency: distance and time per stop, planned against actual.",
    EfficiencyOut, {"routes": 2, "stops": 40, "planned_km": "82.400", "driven_km": "88.100", "planned_km_per_stop": "2.06",
                    "driven_km_per_stop": "2.20", "planned_minutes_per_stop": "11.50", "actual_minutes_per_stop": "12.10",
                    "route_list": []})
CapacityUtilizationApi = _kpi_view(
    "capacity-utilization", "logistics_kpis_capacity_utilization", "Capacity utilisation",
    "GetCapacityUtilization: load against capacity per vehicle and day; route hours against shift hours.",
    CapacityOut, {"vehicle_days": 2, "average_load_utilization": "0.6400", "average_hours_utilization": "0.7100", "vehicles": []})
DeliveryTimeAnalyticsApi = _kpi_view(
    "delivery-time-analytics", "logistics_kpis_delivery_time_analytics", "Delivery time analytics",
    "GetDeliveryTimeAnalytics: arrivals by hour, delay against the plan, time at the door.",
    TimesOut, {"attempts": 40, "average_delay_minutes": "4.30", "average_service_minutes": "3.10", "ahead_of_plan": 6,
               "by_hour": [{"hour": 9, "attempts": 12}, {"hour": 10, "attempts": 28}]})
CustomerSatisfactionApi = _kpi_view(
    "customer-satisfaction", "logistics_kpis_customer_satisfaction", "Customer satisfaction with deliveries",
    "GetCustomerSatisfaction: the delivery stars of the reviews, tied to the deliveries that brought the products.",
    SatisfactionOut, {"ratings": 5, "average_stars": "4.20", "average_when_on_time": "4.50", "average_when_late": "3.00",
                      "distribution": [{"stars": s, "count": n} for s, n in ((1, 0), (2, 0), (3, 1), (4, 2), (5, 2))],
                      "by_driver": [{"driver_id": 2, "ratings": 5, "average_stars": "4.20"}]})
LogisticsCostAnalysisApi = _kpi_view(
    "cost-analysis", "logistics_kpis_cost_analysis", "Logistics cost analysis",
    "GetLogisticsCostAnalysis: cost per delivery and per km, and the saving against naive nearest-neighbour dispatch: "
    "per completed route (its own stops nearest-first) summed per currency, and per planned day (the day's deliveries "
    "handed out to the vehicles nearest-first).",
    CostOut, {"currencies": [{"currency": "EUR", "routes": 2, "deliveries": 37, "stops": 40, "cost": "311.20",
                              "distance_km": "82.400", "cost_per_delivery": "8.41", "cost_per_km": "3.78",
                              "nearest_neighbour_cost": "344.90", "nearest_neighbour_km": "101.300", "saving": "33.70",
                              "saving_rate": "0.0977"}],
              "routes": [{"route_id": 9, "date": "2026-12-07", "vehicle": "GA-123-LY", "stops": 21, "delivered": 20,
                          "currency": "EUR", "cost": "160.40", "distance_km": "41.200", "nearest_neighbour_cost": "181.10",
                          "nearest_neighbour_km": "52.900", "saving": "20.70", "saving_rate": "0.1143"}],
              "day_totals": [{"currency": "EUR", "days": 1, "stops": 40, "nearest_neighbour_stops": 40, "cost": "318.60",
                              "distance_km": "84.100", "nearest_neighbour_cost": "402.30", "nearest_neighbour_km": "129.700",
                              "saving": "83.70", "saving_rate": "0.2081"}],
              "days": [{"date": "2026-12-07", "centre_id": 1, "run_id": 12, "currency": "EUR", "routes": 2, "stops": 40,
                        "cost": "318.60", "distance_km": "84.100", "nearest_neighbour_routes": 3, "nearest_neighbour_stops": 40,
                        "nearest_neighbour_cost": "402.30", "nearest_neighbour_km": "129.700", "saving": "83.70",
                        "saving_rate": "0.2081"}]})

KPI_VIEWS = {"delivery-performance": DeliveryPerformanceApi, "route-efficiency": RouteEfficiencyApi,
             "capacity-utilization": CapacityUtilizationApi, "delivery-time-analytics": DeliveryTimeAnalyticsApi,
             "customer-satisfaction": CustomerSatisfactionApi, "cost-analysis": LogisticsCostAnalysisApi}
