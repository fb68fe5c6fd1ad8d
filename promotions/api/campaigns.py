"""Campaigns for the back office: list, read, create, change, launch, end, and their return on investment.

Every endpoint needs ``accounts.manage_promotions``; each write calls one service. A campaign's
promotions apply only while it runs (launched, between its dates) and within its budget.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, answer, error_example, error_response, sent
from commerce.api.serializers import DecimalStringField, MoneyOutputSerializer, StrictInputSerializer
from commerce.money import CURRENCY_CHOICES, Money
from promotions import selectors, services
from promotions.api.common import STAFF, MoneyField, staff_schema
from promotions.api.schema import (
    CAMPAIGN_ANSWER,
    CAMPAIGN_ID,
    CAMPAIGN_INVALID,
    CAMPAIGN_NOT_FOUND,
    INVALID_TRANSITION,
    ROI_EXAMPLE,
)
from promotions.models import Campaign

_schema = functools.partial(staff_schema, tags=["campaigns"])


@extend_schema_serializer(component_name="Campaign")
class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Campaign.Status.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    currency = serializers.CharField()
    budget = MoneyField(source="budget_amount", allow_null=True, help_text="Total discount it may grant; null: no budget.")
    spent = MoneyField(source="spent_amount", help_text="Discount granted so far (cancelled orders given back).")
    promotion_count = serializers.IntegerField()
    launched_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class CampaignInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    budget_amount = DecimalStringField(required=False, allow_null=True, min_value=Decimal("0.01"),
                                       help_text="Total discount it may grant, as a decimal string; null: no budget.")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)


def _answer(campaign_id: int) -> dict:
    return CampaignOutputSerializer(selectors.campaign_get(campaign_id=campaign_id)).data


class CampaignListApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="CampaignCreateInput")
    class InputSerializer(CampaignInputSerializer):
        pass

    @_schema("campaigns_list", "Campaigns", description="Latest start first.", ok=CampaignOutputSerializer(many=True),
             errors={404: PAGE_NOT_FOUND}, examples=[CAMPAIGN_ANSWER])
    def get(self, request):
        return paginated_response(queryset=selectors.campaign_list(), serializer_class=CampaignOutputSerializer,
                                  request=request, view=self)

    @_schema(
        "campaigns_create",
        "Create a campaign",
        description="Created as a draft: its promotions apply once it is launched.",
        ok=CampaignOutputSerializer,
        status=201,
        request=InputSerializer,
        invalid=[CAMPAIGN_INVALID],
        examples=[
            sent("Spring sale", {"name": "Spring sale", "starts_at": "2026-03-01T00:00:00Z", "ends_at": "2026-03-21T23:59:59Z",
                                 "budget_amount": "5000.00"}),
            CAMPAIGN_ANSWER,
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(**serializer.validated_data)
        return Response(_answer(campaign.pk), status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="CampaignUpdateInput")
    class InputSerializer(CampaignInputSerializer):
        pass

    @_schema("campaigns_retrieve", "One campaign", ok=CampaignOutputSerializer, parameters=[CAMPAIGN_ID],
             errors={404: CAMPAIGN_NOT_FOUND}, examples=[CAMPAIGN_ANSWER])
    def get(self, request, campaign_id: int):
        return Response(_answer(campaign_id))

    @_schema(
        "campaigns_update",
        "Change a campaign",
        description="Send only the fields to change. The budget never goes below what is spent; an ended campaign cannot change.",
        ok=CampaignOutputSerializer,
        parameters=[CAMPAIGN_ID],
        request=InputSerializer(partial=True),
        invalid=[CAMPAIGN_INVALID],
        errors={
            404: CAMPAIGN_NOT_FOUND,
            409: error_response("The campaign has ended.", error_example("invalid_transition", "The campaign has ended; it cannot change.")),
        },
        examples=[sent("A bigger budget", {"budget_amount": "8000.00"}), CAMPAIGN_ANSWER],
    )
    def patch(self, request, campaign_id: int):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.campaign_update(campaign=campaign_id, data=dict(serializer.validated_data))
        return Response(_answer(campaign_id))


class CampaignLaunchApi(APIView):
    permission_classes = STAFF

    @_schema(
        "campaigns_launch",
        "Launch",
        description="Draft → scheduled (starts later) or active. Already launched: unchanged. Ended, or past its end date: 409.",
        ok=CampaignOutputSerializer,
        parameters=[CAMPAIGN_ID],
        request=None,
        errors={404: CAMPAIGN_NOT_FOUND, 409: INVALID_TRANSITION},
        examples=[CAMPAIGN_ANSWER],
    )
    def post(self, request, campaign_id: int):
        services.campaign_launch(campaign=campaign_id)
        return Response(_answer(campaign_id))


class CampaignEndApi(APIView):
    permission_classes = STAFF

    @_schema(
        "campaigns_end",
        "End now",
        description="Its promotions stop applying at once. Already ended: unchanged.",
        ok=CampaignOutputSerializer,
        parameters=[CAMPAIGN_ID],
        request=None,
        errors={404: CAMPAIGN_NOT_FOUND},
        examples=[CAMPAIGN_ANSWER],
    )
    def post(self, request, campaign_id: int):
        services.campaign_end(campaign=campaign_id)
        return Response(_answer(campaign_id))


class CampaignRoiApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="CampaignRoi")
    class OutputSerializer(serializers.Serializer):
        campaign = serializers.IntegerField()
        orders = serializers.IntegerField(help_text="Orders that got one of its promotions (cancelled ones left out).")
        revenue = MoneyOutputSerializer(help_text="Those orders' totals, each order once.")
        discount = MoneyOutputSerializer(help_text="Discount its promotions granted.")
        roi = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True,
                                       help_text="(revenue − discount) / discount, as a decimal string; null when nothing was granted.")
        budget = MoneyOutputSerializer(allow_null=True)
        spent = MoneyOutputSerializer()
        budget_left = MoneyOutputSerializer(allow_null=True)

    @_schema("campaigns_roi", "Campaign ROI", ok=OutputSerializer, parameters=[CAMPAIGN_ID], errors={404: CAMPAIGN_NOT_FOUND},
             examples=[answer("Spring sale", ROI_EXAMPLE, "200")])
    def get(self, request, campaign_id: int):
        figures = selectors.campaign_roi(campaign=selectors.campaign_get(campaign_id=campaign_id))
        currency = figures["currency"]

        def money(amount) -> Money | None:
            return Money.of(amount, currency) if amount is not None else None

        answer = {
            "campaign": figures["campaign_id"], "orders": figures["orders"], "revenue": money(figures["revenue"]),
            "discount": money(figures["discount"]), "roi": figures["roi"], "budget": money(figures["budget"]),
            "spent": money(figures["spent"]), "budget_left": money(figures["budget_left"]),
        }
        return Response(self.OutputSerializer(answer).data)
