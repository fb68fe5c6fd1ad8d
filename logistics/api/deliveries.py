"""Deliveries for dispatchers: list, read, schedule, update the status, complete, fail.

Every endpoint needs ``accounts.dispatch_routes``; each command calls one service. A delivery is
made from its order when the order is ready to ship (no endpoint makes one).
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, documented, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from logistics import selectors, services
from logistics.api.common import DISPATCHERS, MAX_DB_ID, DeliveryOutputSerializer, LocalTimeField
from logistics.api.schema import DELIVERY_ANSWER, DELIVERY_ID, DELIVERY_NOT_FOUND, DELIVERY_TRANSITION_INVALID
from logistics.models import Delivery
from logistics.services.deliveries import STATUS_UPDATES

_staff = functools.partial(documented, tags=["logistics"], access=schema.STAFF)


def _answer(delivery_id: int) -> dict:
    return DeliveryOutputSerializer(selectors.delivery_get(delivery_id=delivery_id)).data


class DeliveryListApi(APIView):
    permission_classes = DISPATCHERS
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="DeliveryListFilter")
    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)
        date = serializers.DateField(required=False, help_text="Deliveries of this day (YYYY-MM-DD).")
        centre = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, help_text="Distribution centre id.")
        order_number = serializers.CharField(max_length=11, required=False)

    @_staff("logistics_deliveries_list", "Deliveries", description="By day and window.", ok=DeliveryOutputSerializer(many=True),
            parameters=[FilterSerializer], examples=[DELIVERY_ANSWER],
            errors={**invalid_filter("A filter value is not valid; `fields` names it.", error_example(
                "invalid", "The request is not valid.", {"status": ['"lost" is not a valid choice.']})), 404: PAGE_NOT_FOUND})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        deliveries = selectors.delivery_list(status=data.get("status"), date=data.get("date"), centre_id=data.get("centre"),
                                             order_number=data.get("order_number"))
        return paginated_response(queryset=deliveries, serializer_class=DeliveryOutputSerializer, request=request, view=self)


class DeliveryDetailApi(APIView):
    permission_classes = DISPATCHERS

    @_staff("logistics_deliveries_retrieve", "One delivery", ok=DeliveryOutputSerializer, parameters=[DELIVERY_ID],
            errors={404: DELIVERY_NOT_FOUND}, examples=[DELIVERY_ANSWER])
    def get(self, request, delivery_id: int):
        return Response(_answer(delivery_id))


class DeliveryScheduleApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="DeliveryScheduleInput")
    class InputSerializer(StrictInputSerializer):
        date = serializers.DateField(help_text="From today to 60 days ahead, a day the centre dispatches.")
        window_start = LocalTimeField(required=False, help_text="With window_end; without both, the zone's window.")
        window_end = LocalTimeField(required=False, help_text="After window_start.")

    @_staff(
        "logistics_deliveries_schedule",
        "Schedule a delivery",
        description="pending, scheduled or failed → scheduled on the day and window given (the zone's window by default); "
                    "not while it is on a route.",
        ok=DeliveryOutputSerializer,
        parameters=[DELIVERY_ID],
        request=InputSerializer,
        invalid=[error_example("delivery_invalid", "Choose a day from today to 60 days ahead.", {"date": ["Out of range."]})],
        errors={404: DELIVERY_NOT_FOUND, 409: DELIVERY_TRANSITION_INVALID},
        examples=[sent("Tomorrow afternoon", {"date": "2026-12-08", "window_start": "14:00", "window_end": "18:00"}),
                  DELIVERY_ANSWER],
    )
    def post(self, request, delivery_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.delivery_schedule(delivery=selectors.delivery_get(delivery_id=delivery_id).pk, **serializer.validated_data)
        return Response(_answer(delivery_id))


class DeliveryStatusApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="DeliveryStatusInput")
    class InputSerializer(StrictInputSerializer):
        status = serializers.ChoiceField(choices=[(s, Delivery.Status(s).label) for s in STATUS_UPDATES],
                                         help_text="`arrived`: the driver is at the address; `cancelled`: not on a route.")

    @_staff(
        "logistics_deliveries_update_status",
        "Update a delivery's status",
        description="out for delivery → arrived (its route under way); pending, scheduled or failed → cancelled.",
        ok=DeliveryOutputSerializer,
        parameters=[DELIVERY_ID],
        request=InputSerializer,
        errors={404: DELIVERY_NOT_FOUND, 409: DELIVERY_TRANSITION_INVALID},
        examples=[sent("At the door", {"status": "arrived"}), DELIVERY_ANSWER],
    )
    def post(self, request, delivery_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.delivery_update_status(delivery=selectors.delivery_get(delivery_id=delivery_id).pk,
                                        status=serializer.validated_data["status"])
        return Response(_answer(delivery_id))


class DeliveryCompleteApi(APIView):
    permission_classes = DISPATCHERS

    @_staff("logistics_deliveries_complete", "Complete a delivery",
            description="out for delivery or arrived → delivered: its stop closes and its order is delivered.",
            ok=DeliveryOutputSerializer, parameters=[DELIVERY_ID], request=None,
            errors={404: DELIVERY_NOT_FOUND, 409: DELIVERY_TRANSITION_INVALID}, examples=[DELIVERY_ANSWER])
    def post(self, request, delivery_id: int):
        services.delivery_complete(delivery=selectors.delivery_get(delivery_id=delivery_id).pk)
        return Response(_answer(delivery_id))


class DeliveryFailApi(APIView):
    permission_classes = DISPATCHERS

    @extend_schema_serializer(component_name="DeliveryFailInput")
    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(max_length=200, help_text="Why (nobody home, refused, no access).")

    @_staff(
        "logistics_deliveries_fail",
        "Fail a delivery",
        description="out for delivery or arrived → failed, with the reason; it may be scheduled again.",
        ok=DeliveryOutputSerializer,
        parameters=[DELIVERY_ID],
        request=InputSerializer,
        invalid=[error_example("delivery_invalid", "Say why it failed, in at most 200 characters.",
                               {"reason": ["Required, at most 200 characters."]})],
        errors={404: DELIVERY_NOT_FOUND,
                409: error_response("Not now: the delivery is not out, or its route is not under way.",
                                    *DELIVERY_TRANSITION_INVALID.examples)},
        examples=[sent("Nobody home", {"reason": "Nobody home, card left"}), DELIVERY_ANSWER],
    )
    def post(self, request, delivery_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.delivery_fail(delivery=selectors.delivery_get(delivery_id=delivery_id).pk,
                               reason=serializer.validated_data["reason"])
        return Response(_answer(delivery_id))
