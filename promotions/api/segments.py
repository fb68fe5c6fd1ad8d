"""Customer segments for the back office: list, read, create, change, refresh, set the members of a
hand-picked segment, and the promotions that target a segment.

Every endpoint needs ``accounts.manage_promotions``; each write calls one service. Group, sales
region and new-customer segments are evaluated live; lifetime-value and RFM segments are computed
from purchase history (on refresh, and by Celery beat).
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, answer, error_example, sent
from commerce.api.serializers import DecimalStringField, StrictInputSerializer
from promotions import selectors, services
from promotions.api.common import MAX_DB_ID, STAFF, PromotionListOutputSerializer, staff_schema
from promotions.api.schema import (
    PROMOTION_SUMMARY_EXAMPLE,
    SEGMENT_ANSWER,
    SEGMENT_ID,
    SEGMENT_INVALID,
    SEGMENT_NOT_FOUND,
)
from promotions.models import Segment

_schema = functools.partial(staff_schema, tags=["segments"])


@extend_schema_serializer(component_name="Segment")
class SegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=Segment.Kind.choices)
    is_dynamic = serializers.BooleanField(help_text="Computed from purchase history on refresh (lifetime value, RFM).")
    group = serializers.IntegerField(source="group_id", allow_null=True)
    sales_region = serializers.IntegerField(source="sales_region_id", allow_null=True)
    min_lifetime_value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    rfm_label = serializers.CharField(help_text="new, active, lapsing or vip (RFM segments).")
    member_count = serializers.IntegerField(help_text="Members at the last refresh.")
    refreshed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class SegmentInputSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=60, help_text="Letters, digits, `-` and `_`; unique.")
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Segment.Kind.choices, help_text="Fixed once created.")
    description = serializers.CharField(required=False, allow_blank=True)
    group = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_ID,
                                     help_text="Group id (group segments).")
    sales_region = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_ID,
                                            help_text="Sales region id (sales region segments).")
    min_lifetime_value = DecimalStringField(required=False, allow_null=True, help_text="Lifetime value segments.")
    rfm_label = serializers.ChoiceField(choices=Segment.RfmLabel.choices, required=False, allow_blank=True,
                                       help_text="RFM segments.")


def _answer(segment_id: int) -> dict:
    return SegmentOutputSerializer(selectors.segment_get(segment_id=segment_id)).data


class SegmentListApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="SegmentCreateInput")
    class InputSerializer(SegmentInputSerializer):
        pass

    @_schema("segments_list", "Segments", ok=SegmentOutputSerializer(many=True), errors={404: PAGE_NOT_FOUND},
             examples=[SEGMENT_ANSWER])
    def get(self, request):
        return paginated_response(queryset=selectors.segment_list(), serializer_class=SegmentOutputSerializer,
                                  request=request, view=self)

    @_schema(
        "segments_create",
        "Create a segment",
        description="Lifetime-value and RFM segments are computed by a background task right after.",
        ok=SegmentOutputSerializer,
        status=201,
        request=InputSerializer,
        invalid=[SEGMENT_INVALID],
        examples=[
            sent("Lyon customers", {"code": "lyon", "name": "Lyon customers", "kind": "sales_region", "sales_region": 2}),
            SEGMENT_ANSWER,
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = services.segment_create(**serializer.validated_data)
        return Response(_answer(segment.pk), status=status.HTTP_201_CREATED)


class SegmentDetailApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="SegmentUpdateInput")
    class InputSerializer(SegmentInputSerializer):
        pass

    @_schema("segments_retrieve", "One segment", ok=SegmentOutputSerializer, parameters=[SEGMENT_ID],
             errors={404: SEGMENT_NOT_FOUND}, examples=[SEGMENT_ANSWER])
    def get(self, request, segment_id: int):
        return Response(_answer(segment_id))

    @_schema(
        "segments_update",
        "Change a segment",
        description="Send only the fields to change; its kind cannot change (400 `segment_invalid`).",
        ok=SegmentOutputSerializer,
        parameters=[SEGMENT_ID],
        request=InputSerializer(partial=True),
        invalid=[
            SEGMENT_INVALID,
            error_example("segment_invalid", "A segment's kind cannot change; create a new segment.", {"kind": ["Cannot change."]},
                          name="kind"),
        ],
        errors={404: SEGMENT_NOT_FOUND},
        examples=[sent("Renamed", {"name": "Our VIPs"}), SEGMENT_ANSWER],
    )
    def patch(self, request, segment_id: int):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.segment_update(segment=segment_id, data=dict(serializer.validated_data))
        return Response(_answer(segment_id))


class SegmentRefreshApi(APIView):
    permission_classes = STAFF

    @_schema(
        "segments_refresh",
        "Refresh now",
        description="Recomputes a lifetime-value or RFM segment from purchase history; recounts the others.",
        ok=SegmentOutputSerializer,
        parameters=[SEGMENT_ID],
        request=None,
        errors={404: SEGMENT_NOT_FOUND},
        examples=[SEGMENT_ANSWER],
    )
    def post(self, request, segment_id: int):
        services.segment_refresh(segment=segment_id)
        return Response(_answer(segment_id))


class SegmentMembersApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="SegmentMembersInput")
    class InputSerializer(StrictInputSerializer):
        customers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID), max_length=100_000,
                                          help_text="Every member's customer id: the list replaces the members.")

    @extend_schema_serializer(component_name="SegmentMembers")
    class OutputSerializer(serializers.Serializer):
        segment = serializers.IntegerField()
        member_count = serializers.IntegerField()

    @_schema(
        "segments_members_set",
        "Set a hand-picked segment's members",
        description="Only for manual segments; the list replaces the current members.",
        ok=OutputSerializer,
        parameters=[SEGMENT_ID],
        request=InputSerializer,
        invalid=[
            error_example("segment_not_manual", "Only a hand-picked segment lists its members."),
            error_example("segment_invalid", "Unknown customers: 99.", {"customers": ["Unknown customers."]}),
        ],
        errors={404: SEGMENT_NOT_FOUND},
        examples=[sent("Three customers", {"customers": [17, 18, 21]}), answer("Set", {"segment": 5, "member_count": 3}, "200")],
    )
    def put(self, request, segment_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.segment_members_set(segment=segment_id, customers=serializer.validated_data["customers"])
        return Response(self.OutputSerializer({"segment": segment_id, "member_count": count}).data)


class SegmentPromotionsApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @_schema(
        "segments_promotions",
        "A segment's promotions",
        description="The promotions that target this segment (deleted ones left out).",
        ok=PromotionListOutputSerializer(many=True),
        parameters=[SEGMENT_ID],
        errors={404: SEGMENT_NOT_FOUND},
        examples=[answer("A promotion", PROMOTION_SUMMARY_EXAMPLE, "200")],
    )
    def get(self, request, segment_id: int):
        segment = selectors.segment_get(segment_id=segment_id)
        return paginated_response(queryset=selectors.segment_promotions(segment=segment),
                                  serializer_class=PromotionListOutputSerializer, request=request, view=self)
