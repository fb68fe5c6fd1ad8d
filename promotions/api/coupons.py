"""Coupons for the back office: generate a batch (and its CSV), create a named code, distribute a
batch to a segment, invalidate a code, usage statistics.

Every endpoint needs ``accounts.manage_promotions``; each write calls one service.
"""

from __future__ import annotations

import functools

from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import answer, error_example, sent
from commerce.api.serializers import StrictInputSerializer
from commerce.csv_export import csv_response
from promotions import selectors, services
from promotions.api.common import MAX_DB_ID, MAX_DB_INT, STAFF, CouponOutputSerializer, staff_schema
from promotions.api.schema import (
    BATCH_EXAMPLE,
    BATCH_ID,
    BATCH_NOT_FOUND,
    COUPON_ANSWER,
    COUPON_CODE,
    COUPON_CREATE_ERRORS,
    COUPON_EXAMPLE,
    COUPON_NOT_FOUND,
    CSV_ANSWER,
    DISTRIBUTE_ERRORS,
    NO_NEW_COUPONS,
    PROMOTION_ID,
    PROMOTION_NOT_FOUND,
    USAGE_EXAMPLE,
)
from promotions.services import MAX_BATCH

_schema = functools.partial(staff_schema, tags=["coupons"])


def _csv_url(request, batch_id: int) -> str:
    return request.build_absolute_uri(reverse("promotions_api:coupon_batch_csv", kwargs={"batch_id": batch_id}))


# --- generate -------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CouponBatch")
class BatchOutputSerializer(serializers.Serializer):
    batch_id = serializers.IntegerField(source="id")
    promotion = serializers.IntegerField(source="promotion_id")
    prefix = serializers.CharField()
    quantity = serializers.IntegerField()
    max_uses = serializers.IntegerField(allow_null=True, help_text="Uses per coupon; 1 = single-use, null = unlimited.")
    expires_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    codes = serializers.ListField(child=serializers.CharField(), help_text="Every code of the batch.")
    csv_url = serializers.URLField(help_text="The batch as CSV (code, status, uses, assignee, expiry).")


class CouponGenerateApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="CouponGenerateInput")
    class InputSerializer(StrictInputSerializer):
        quantity = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, help_text=f"1 to {MAX_BATCH} codes.")
        prefix = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                       help_text="Up to 12 letters and digits; codes read `PREFIX-XXXXXXXXXX`.")
        max_uses = serializers.IntegerField(min_value=1, max_value=MAX_DB_INT, required=False, allow_null=True, default=1,
                                            help_text="Uses per code; default 1 (single-use); null for unlimited.")
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    @_schema(
        "promotions_coupons_generate",
        "Generate coupons",
        description="Unguessable random codes (drawn with `secrets`), stored as one batch; download it as CSV at `csv_url`.",
        ok=BatchOutputSerializer,
        status=201,
        parameters=[PROMOTION_ID],
        request=InputSerializer,
        invalid=[error_example("coupon_invalid", "The coupons are not valid: Up to 12 letters and digits.",
                               {"prefix": ["Up to 12 letters and digits."]})],
        errors={404: PROMOTION_NOT_FOUND, 409: NO_NEW_COUPONS},
        examples=[
            sent("500 single-use codes", {"quantity": 500, "prefix": "SPRING", "max_uses": 1, "expires_at": "2026-03-31T23:59:59Z"}),
            answer("Generated", BATCH_EXAMPLE, "201"),
        ],
    )
    def post(self, request, promotion_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        batch = services.coupon_generate(promotion=promotion_id, created_by=request.user, **serializer.validated_data)
        rows = iter(selectors.coupon_batch_csv_rows(batch=batch))
        next(rows)  # the header
        batch.codes = [row[0] for row in rows]
        batch.csv_url = _csv_url(request, batch.pk)
        return Response(BatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class _CsvOrJsonErrors(BaseContentNegotiation):
    """The CSV answer is written by the view; errors are JSON whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CouponBatchCsvApi(APIView):
    permission_classes = STAFF
    content_negotiation_class = _CsvOrJsonErrors

    @_schema(
        "coupon_batches_csv",
        "A coupon batch as CSV",
        description="One row per code: code, status, max_uses, used_count, assigned_to (username), expires_at, promotion.",
        ok=CSV_ANSWER,
        status=(200, "text/csv"),
        parameters=[BATCH_ID],
        errors={404: BATCH_NOT_FOUND},
    )
    def get(self, request, batch_id: int):
        batch = selectors.coupon_batch_get(batch_id=batch_id)
        return csv_response(selectors.coupon_batch_csv_rows(batch=batch), filename=f"coupons-batch-{batch.pk}.csv")


# --- one named code ------------------------------------------------------------------------------------
class CouponCreateApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="CouponCreateInput")
    class InputSerializer(StrictInputSerializer):
        code = serializers.CharField(max_length=32, help_text="3 to 32 letters, digits, `-` or `_`; stored upper-case.")
        max_uses = serializers.IntegerField(min_value=1, max_value=MAX_DB_INT, required=False, allow_null=True,
                                            help_text="Null (default): unlimited.")
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        assigned_to = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, allow_null=True,
                                               help_text="A customer id: only they may redeem it.")

    @_schema(
        "promotions_coupons_create",
        "Create a named code",
        description="A public code such as `SPRING10` for a promotion; unlimited uses unless `max_uses`.",
        ok=CouponOutputSerializer,
        status=201,
        parameters=[PROMOTION_ID],
        request=InputSerializer,
        invalid=[error_example("coupon_invalid", "The coupon is not valid: 3 to 32 letters, digits, '-' or '_'.",
                               {"code": ["3 to 32 letters, digits, '-' or '_'."]})],
        errors=COUPON_CREATE_ERRORS,
        examples=[sent("SPRING10", {"code": "SPRING10", "expires_at": "2026-03-31T23:59:59Z"}), COUPON_ANSWER],
    )
    def post(self, request, promotion_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("assigned_to"):
            data["assigned_to"] = selectors.customer_get(customer_id=data["assigned_to"], field="assigned_to")
        coupon = services.coupon_create(promotion=promotion_id, **data)
        return Response(CouponOutputSerializer(coupon).data, status=status.HTTP_201_CREATED)


# --- distribute ------------------------------------------------------------------------------------------
class CouponDistributeApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="CouponDistributeInput")
    class InputSerializer(StrictInputSerializer):
        segment = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, help_text="Segment id.")

    @extend_schema_serializer(component_name="CouponDistribution")
    class OutputSerializer(serializers.Serializer):
        batch_id = serializers.IntegerField()
        segment = serializers.IntegerField()
        assigned = serializers.IntegerField(help_text="Coupons assigned now (members who already hold one get none).")

    @_schema(
        "coupon_batches_distribute",
        "Distribute a batch to a segment",
        description="Assigns one unassigned coupon of the batch to each member of the segment who has none of it yet.",
        ok=OutputSerializer,
        parameters=[BATCH_ID],
        request=InputSerializer,
        errors=DISTRIBUTE_ERRORS,
        examples=[sent("To the VIPs", {"segment": 4}), answer("Assigned", {"batch_id": 12, "segment": 4, "assigned": 25}, "200")],
    )
    def post(self, request, batch_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment_id = serializer.validated_data["segment"]
        assigned = services.coupon_distribute(batch=batch_id, segment=segment_id)
        return Response(self.OutputSerializer({"batch_id": batch_id, "segment": segment_id, "assigned": assigned}).data)


# --- invalidate ------------------------------------------------------------------------------------------
class CouponInvalidateApi(APIView):
    permission_classes = STAFF

    @_schema(
        "coupons_invalidate",
        "Invalidate a code",
        description="It can no longer be redeemed; its past redemptions stay. Already invalidated: unchanged.",
        ok=CouponOutputSerializer,
        parameters=[COUPON_CODE],
        request=None,
        errors={404: COUPON_NOT_FOUND},
        examples=[answer("Invalidated", {**COUPON_EXAMPLE, "status": "invalidated", "invalidated_at": "2026-03-10T12:00:00Z"}, "200")],
    )
    def post(self, request, code: str):
        # Looked up by code here: the service would read an all-digit code as a coupon id.
        coupon = services.coupon_invalidate(coupon=selectors.coupon_get(code=code))
        return Response(CouponOutputSerializer(coupon).data)


# --- statistics ------------------------------------------------------------------------------------------
class _RateField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=6, decimal_places=4, allow_null=True, **kwargs)


@extend_schema_serializer(component_name="CouponBatchUsage")
class BatchUsageSerializer(serializers.Serializer):
    batch_id = serializers.IntegerField()
    prefix = serializers.CharField()
    issued = serializers.IntegerField()
    assigned = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    uses = serializers.IntegerField()
    invalidated = serializers.IntegerField()
    redemption_rate = _RateField(help_text="Redeemed / issued, as a decimal string (null when none issued).")


@extend_schema_serializer(component_name="CouponUsage")
class UsageOutputSerializer(serializers.Serializer):
    issued = serializers.IntegerField(help_text="Coupons created.")
    assigned = serializers.IntegerField(help_text="Coupons assigned to a customer.")
    redeemed = serializers.IntegerField(help_text="Coupons used at least once (cancelled orders give their use back).")
    uses = serializers.IntegerField(help_text="Uses in all.")
    invalidated = serializers.IntegerField()
    redemption_rate = _RateField(help_text="Redeemed / issued, as a decimal string (null when none issued).")
    by_batch = BatchUsageSerializer(many=True)


class PromotionCouponUsageApi(APIView):
    permission_classes = STAFF

    @_schema(
        "promotions_coupons_statistics",
        "Coupon usage of a promotion",
        description="Issued, assigned and redeemed coupons, uses and redemption rate: in all and per batch.",
        ok=UsageOutputSerializer,
        parameters=[PROMOTION_ID],
        errors={404: PROMOTION_NOT_FOUND},
        examples=[USAGE_EXAMPLE],
    )
    def get(self, request, promotion_id: int):
        promotion = selectors.promotion_get(promotion_id=promotion_id)
        return Response(UsageOutputSerializer(selectors.coupon_usage_stats(promotion=promotion)).data)


class CouponBatchUsageApi(APIView):
    permission_classes = STAFF

    @_schema("coupon_batches_statistics", "Coupon usage of a batch", ok=UsageOutputSerializer, parameters=[BATCH_ID],
             errors={404: BATCH_NOT_FOUND}, examples=[USAGE_EXAMPLE])
    def get(self, request, batch_id: int):
        batch = selectors.coupon_batch_get(batch_id=batch_id)
        return Response(UsageOutputSerializer(selectors.coupon_usage_stats(batch=batch)).data)

