"""Promotions for the back office (``/api/v1/promotions/``): list, read, create, change, activate,
deactivate, delete, performance and the simulator.

Every endpoint needs ``accounts.manage_promotions``. Each write calls one service of
``promotions.services`` and answers with the promotion as it now is; the service validates the
benefit's parameters against its type (400 ``promotion_invalid`` with ``fields``) and refuses a
transition the status does not allow (409 ``invalid_transition``).
"""

from __future__ import annotations

import functools
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, answer, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import (
    DecimalStringField,
    MoneyOutputSerializer,
    QuantityField,
    QueryParamsSerializer,
    StrictInputSerializer,
)
from commerce.money import CURRENCY_CHOICES, Money
from promotions import selectors, services
from promotions.api.common import (
    MAX_DB_ID,
    MAX_DB_INT,
    STAFF,
    PromotionListOutputSerializer,
    PromotionOutputSerializer,
    TierSerializer,
    inline_choice,
    staff_schema,
)
from promotions.api.schema import (
    INVALID_TRANSITION,
    PERFORMANCE_EXAMPLE,
    PROMOTION_ANSWER,
    PROMOTION_ID,
    PROMOTION_INVALID,
    PROMOTION_NOT_FOUND,
    PROMOTION_SUMMARY_EXAMPLE,
    SIMULATION_EXAMPLE,
)
from promotions.discount_keys import promotion_id_of
from promotions.models import DiscountClass, Promotion

_schema = functools.partial(staff_schema, tags=["promotions"])


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID), required=False,
                                 help_text=help_text)


def _count(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_INT, **kwargs)


class PromotionInputSerializer(StrictInputSerializer):
    """Every field a promotion takes; the service checks that the benefit's parameters fit its type."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    badge = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                  help_text="Label on product pages, e.g. `3 for 2`; empty: said by the benefit.")
    campaign = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_ID,
                                        help_text="Campaign id, or null.")
    discount_class = serializers.ChoiceField(choices=DiscountClass.choices)
    priority = serializers.IntegerField(required=False, min_value=-MAX_DB_INT, max_value=MAX_DB_INT,
                                        help_text="Higher applies first within its class.")
    combines_with = serializers.ListField(
        child=inline_choice(DiscountClass.choices), required=False,
        help_text="The discount classes it combines with.",
    )
    exclusive = serializers.BooleanField(required=False, help_text="Applies alone, never with another promotion.")
    requires_coupon = serializers.BooleanField(required=False, help_text="Only a coupon code unlocks it.")
    benefit_type = serializers.ChoiceField(choices=Promotion.Benefit.choices)
    percent = DecimalStringField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                 help_text="Percentage off (percentage), as a decimal string.")
    amount = DecimalStringField(required=False, allow_null=True, min_value=Decimal(0),
                                help_text="Amount off (fixed amount) or the bundle's price (bundle price).")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    buy_quantity = _count(help_text="Buy X: units that must be bought.")
    get_quantity = _count(help_text="Get Y: units discounted.")
    get_percent = DecimalStringField(max_digits=5, decimal_places=2, required=False, help_text="Discount on the Y units (100 = free).")
    get_products = _ids("The Y products; empty means the qualifying products themselves.")
    bundle_quantity = _count(help_text="Units of the target products in one bundle.")
    tiers = TierSerializer(many=True, required=False, help_text="Quantity tiers (quantity tiers only).")
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_to = serializers.DateTimeField(required=False, allow_null=True)
    min_subtotal = DecimalStringField(required=False, allow_null=True, min_value=Decimal(0))
    min_quantity = _count(help_text="Minimum qualifying units in the cart.")
    target_products = _ids("Product ids it applies to.")
    target_categories = _ids("Category ids it applies to (with their sub-categories).")
    target_manufacturers = _ids("Manufacturer ids it applies to.")
    segments = _ids("Segment ids it is for; empty: every customer.")
    usage_limit = _count(help_text="Orders in total; null for no limit.")
    usage_limit_per_customer = _count()


def _tiers(data: dict):
    return [(tier["min_quantity"], tier["percent"]) for tier in data.pop("tiers")] if "tiers" in data else None


def _promotion_answer(promotion_id: int) -> dict:
    return PromotionOutputSerializer(selectors.promotion_get(promotion_id=promotion_id)).data


class PromotionListApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="PromotionListFilter")
    class FilterSerializer(QueryParamsSerializer):
        status = inline_choice(Promotion.Status.choices, required=False,
                                         help_text="Without it, deleted (archived) promotions are left out.")
        discount_class = serializers.ChoiceField(choices=DiscountClass.choices, required=False)
        benefit_type = serializers.ChoiceField(choices=Promotion.Benefit.choices, required=False)
        campaign = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, help_text="Campaign id.")
        active = serializers.BooleanField(required=False, default=False,
                                          help_text="`true`: only the promotions that apply right now.")
        requires_coupon = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, max_length=100, help_text="Name contains.")

    @extend_schema_serializer(component_name="PromotionCreateInput")
    class InputSerializer(PromotionInputSerializer):
        pass

    @_schema(
        "promotions_list",
        "Promotions",
        description="Highest priority first. Filters: status, discount class, benefit, campaign, active now, coupon-only, name.",
        ok=PromotionListOutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors={
            **invalid_filter("A filter value is not valid; `fields` names it.", error_example(
                "invalid", "The request is not valid.", {"status": ['"lost" is not a valid choice.']})),
            404: PAGE_NOT_FOUND,
        },
        examples=[answer("A promotion", PROMOTION_SUMMARY_EXAMPLE, "200")],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        data["live"] = data.pop("active")
        return paginated_response(queryset=selectors.promotion_list(filters=data),
                                  serializer_class=PromotionListOutputSerializer, request=request, view=self)

    @_schema(
        "promotions_create",
        "Create a promotion",
        description="Created as a draft: it applies only once activated.",
        ok=PromotionOutputSerializer,
        status=201,
        request=InputSerializer,
        invalid=[PROMOTION_INVALID],
        examples=[
            sent("10 % off orders from 30 EUR, with a code", {
                "name": "Spring 10 % off", "discount_class": "order", "benefit_type": "percentage", "percent": "10",
                "min_subtotal": "30.00", "requires_coupon": True, "combines_with": ["product", "shipping"],
                "usage_limit_per_customer": 1, "campaign": 3}),
            sent("Volume discount", {
                "name": "Stock up", "discount_class": "product", "benefit_type": "quantity_tiers",
                "tiers": [{"min_quantity": 5, "percent": "5"}, {"min_quantity": 10, "percent": "10"}], "target_categories": [7]}),
            PROMOTION_ANSWER,
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tiers = _tiers(data) or ()
        promotion = services.promotion_create(tiers=tiers, **data)
        return Response(_promotion_answer(promotion.pk), status=status.HTTP_201_CREATED)


class PromotionDetailApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="PromotionUpdateInput")
    class InputSerializer(PromotionInputSerializer):
        pass

    @_schema("promotions_retrieve", "One promotion", ok=PromotionOutputSerializer, parameters=[PROMOTION_ID],
             errors={404: PROMOTION_NOT_FOUND}, examples=[PROMOTION_ANSWER])
    def get(self, request, promotion_id: int):
        return Response(_promotion_answer(promotion_id))

    @_schema(
        "promotions_update",
        "Change a promotion",
        description=(
            "Send only the fields to change; `tiers` replaces every tier. Not its status nor its counters. A live "
            "promotion whose dates moved becomes scheduled, active or expired accordingly; a deleted one cannot change."
        ),
        ok=PromotionOutputSerializer,
        parameters=[PROMOTION_ID],
        request=InputSerializer(partial=True),
        invalid=[PROMOTION_INVALID],
        errors={
            404: PROMOTION_NOT_FOUND,
            409: error_response("The promotion was deleted (archived); it cannot change.",
                                error_example("invalid_transition", "This promotion was deleted; it cannot change.")),
        },
        examples=[sent("Ends later", {"valid_to": "2026-04-15T23:59:59Z"}), PROMOTION_ANSWER],
    )
    def patch(self, request, promotion_id: int):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tiers = _tiers(data)
        services.promotion_update(promotion=promotion_id, data=data, tiers=tiers)
        return Response(_promotion_answer(promotion_id))

    @_schema(
        "promotions_delete",
        "Delete a promotion",
        description="A promotion never redeemed is deleted; one with redemptions is archived (kept for history) and its coupons invalidated.",
        status=204,
        parameters=[PROMOTION_ID],
        request=None,
        errors={404: PROMOTION_NOT_FOUND},
    )
    def delete(self, request, promotion_id: int):
        services.promotion_delete(promotion=promotion_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _transition_schema(operation_id: str, summary: str, description: str):
    return _schema(
        operation_id,
        summary,
        description=description,
        ok=PromotionOutputSerializer,
        parameters=[PROMOTION_ID],
        request=None,
        errors={
            400: error_response("Its parameters no longer fit its benefit (e.g. a product it targets was deleted).", PROMOTION_INVALID),
            404: PROMOTION_NOT_FOUND,
            409: INVALID_TRANSITION,
        },
        examples=[PROMOTION_ANSWER],
    )


class PromotionActivateApi(APIView):
    permission_classes = STAFF

    @_transition_schema(
        "promotions_activate",
        "Activate",
        "Draft or deactivated → scheduled (starts later) or active. Already live: unchanged. Expired, deleted, or past "
        "its end date: 409 `invalid_transition`.",
    )
    def post(self, request, promotion_id: int):
        services.promotion_activate(promotion=promotion_id)
        return Response(_promotion_answer(promotion_id))


class PromotionDeactivateApi(APIView):
    permission_classes = STAFF

    @_transition_schema(
        "promotions_deactivate",
        "Deactivate",
        "Scheduled or active → inactive: it stops applying at once. Draft or inactive: unchanged.",
    )
    def post(self, request, promotion_id: int):
        services.promotion_deactivate(promotion=promotion_id)
        return Response(_promotion_answer(promotion_id))


# --- performance ------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="PromotionPerformancePeriod")
class PerformanceRowSerializer(serializers.Serializer):
    period = serializers.DateTimeField(help_text="Start of the day, week (Monday) or month.")
    orders = serializers.IntegerField(help_text="Orders that got the promotion (cancelled ones left out).")
    units = serializers.IntegerField(help_text="Units on the discounted lines.")
    revenue = MoneyOutputSerializer(help_text="Those orders' totals, after every discount.")
    discount = MoneyOutputSerializer(help_text="Discount the promotion granted.")


class PromotionPerformanceApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="PromotionPerformanceFilter")
    class FilterSerializer(QueryParamsSerializer):
        period = serializers.ChoiceField(choices=["day", "week", "month"], required=False, default="day")
        date_from = serializers.DateField(required=False, help_text="Orders placed on or after this day (YYYY-MM-DD).")
        date_to = serializers.DateField(required=False, help_text="Orders placed on or before this day (YYYY-MM-DD).")

        def validate(self, attrs):
            if "date_from" in attrs and "date_to" in attrs and attrs["date_from"] > attrs["date_to"]:
                raise serializers.ValidationError({"date_to": ["Must not be before `date_from`."]})
            return attrs

    @extend_schema_serializer(component_name="PromotionPerformance")
    class OutputSerializer(serializers.Serializer):
        promotion = serializers.IntegerField()
        period = serializers.ChoiceField(choices=["day", "week", "month"])
        periods = PerformanceRowSerializer(many=True)
        orders = serializers.IntegerField()
        units = serializers.IntegerField()
        revenue = MoneyOutputSerializer()
        discount = MoneyOutputSerializer()

    @_schema(
        "promotions_performance",
        "Promotion performance",
        description="Orders, units, revenue and discount granted per day, week or month, and over the whole range.",
        ok=OutputSerializer,
        parameters=[PROMOTION_ID, FilterSerializer],
        errors={
            **invalid_filter("A parameter is not valid; `fields` names it.", error_example(
                "invalid", "The request is not valid.", {"date_to": ["Must not be before `date_from`."]})),
            404: PROMOTION_NOT_FOUND,
        },
        examples=[answer("March, by week", PERFORMANCE_EXAMPLE, "200")],
    )
    def get(self, request, promotion_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        promotion = selectors.promotion_get(promotion_id=promotion_id)
        rows = selectors.promotion_performance(promotion=promotion, **filters.validated_data)
        currency = promotion.currency

        def money(amount) -> Money:
            return Money.of(amount, currency)

        periods = [{**row, "revenue": money(row["revenue"]), "discount": money(row["discount"])} for row in rows]
        figures = {
            "promotion": promotion.pk,
            "period": filters.validated_data["period"],
            "periods": periods,
            "orders": sum(row["orders"] for row in rows),
            "units": sum(row["units"] for row in rows),
            "revenue": money(sum((row["revenue"] for row in rows), Decimal(0))),
            "discount": money(sum((row["discount"] for row in rows), Decimal(0))),
        }
        return Response(self.OutputSerializer(figures).data)


# --- simulation -------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="SimulationLine")
class SimulationLineSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the sample cart (0-based), as in `line_amounts`.")
    product_id = serializers.IntegerField()
    code = serializers.CharField(source="product_code")
    name = serializers.CharField(source="product_name")
    quantity = serializers.IntegerField()
    unit_price = MoneyOutputSerializer()
    subtotal = MoneyOutputSerializer()
    discount = MoneyOutputSerializer()
    total = MoneyOutputSerializer()


@extend_schema_serializer(component_name="SimulationLineAmount")
class LineAmountSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The line's position in the sample cart.")
    amount = MoneyOutputSerializer()


@extend_schema_serializer(component_name="SimulationApplied")
class AppliedSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`promotion:<id>`.")
    promotion = serializers.SerializerMethodField()
    name = serializers.CharField()
    code = serializers.CharField(help_text="The coupon code that unlocked it (empty for automatic promotions).")
    amount = MoneyOutputSerializer(help_text="Its whole discount: the lines' share plus shipping.")
    line_amounts = serializers.SerializerMethodField()
    shipping_amount = MoneyOutputSerializer(allow_null=True)

    def get_promotion(self, discount) -> int | None:
        return promotion_id_of(discount.key)

    @extend_schema_field(LineAmountSerializer(many=True))
    def get_line_amounts(self, discount):
        return [{"index": index, "amount": amount.as_dict()} for index, amount in sorted(discount.line_amounts.items())]


@extend_schema_serializer(component_name="SimulationNotApplied")
class NotAppliedSerializer(serializers.Serializer):
    key = serializers.CharField()
    promotion = serializers.SerializerMethodField()
    name = serializers.CharField()
    reason = serializers.CharField(
        help_text=(
            "inactive, not_yet_valid, expired, coupon_required, not_for_customer, usage_limit_reached, "
            "customer_limit_reached, budget_spent, no_qualifying_items, minimum_not_reached, not_combinable, "
            "nothing_to_discount."
        )
    )
    message = serializers.CharField()
    hint = serializers.CharField(help_text="Where it is close, what would qualify, e.g. `Spend 12.50 more`.")

    def get_promotion(self, hint) -> int | None:
        return promotion_id_of(hint.key)


@extend_schema_serializer(component_name="SimulationCoupon")
class SimulationCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    accepted = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it does not apply (empty when accepted).")
    message = serializers.CharField()


@extend_schema_serializer(component_name="SimulationLineInput")
class SimulationLineInputSerializer(StrictInputSerializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
    quantity = QuantityField()


class PromotionSimulateApi(APIView):
    """Price a sample cart through the checkout's own pipeline, for any customer, at any time."""

    permission_classes = STAFF

    @extend_schema_serializer(component_name="SimulationInput")
    class InputSerializer(StrictInputSerializer):
        lines = SimulationLineInputSerializer(many=True, min_length=1, max_length=200, help_text="The sample cart.")
        customer = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_ID,
                                            help_text="Price it for this customer (segments, their coupons); null: a guest.")
        coupon_codes = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=5)
        at = serializers.DateTimeField(required=False, allow_null=True, help_text="Price it at this time; default now.")

    @extend_schema_serializer(component_name="Simulation")
    class OutputSerializer(serializers.Serializer):
        currency = serializers.CharField()
        lines = SimulationLineSerializer(many=True)
        subtotal = MoneyOutputSerializer()
        discount_total = MoneyOutputSerializer()
        shipping = MoneyOutputSerializer(help_text="Shipping before any shipping discount.")
        shipping_discount = MoneyOutputSerializer()
        total = MoneyOutputSerializer()
        applied = AppliedSerializer(many=True, help_text="The promotions the cart gets.")
        not_applied = NotAppliedSerializer(many=True, help_text="Every live promotion it does not get, and why.")
        coupons = SimulationCouponSerializer(many=True, help_text="A verdict for each code sent.")

    @_schema(
        "promotions_simulate",
        "Simulate a cart",
        description=(
            "Prices a sample cart exactly as checkout would, and lists the promotions it gets, those it does not "
            "get with the reason (and, where it is close, what would qualify), and a verdict for each coupon code."
        ),
        ok=OutputSerializer,
        request=InputSerializer,
        invalid=[error_example("simulation_invalid", "The sample cart is not valid.", {"lines": ["Unknown product."]})],
        errors={404: error_response("No customer has this id.", error_example("customer_not_found", "No such customer."))},
        examples=[
            sent("Two products and a code", {"lines": [{"product_id": 42, "quantity": 3}, {"product_id": 43, "quantity": 1}],
                                             "customer": 17, "coupon_codes": ["SPRING10"]}),
            answer("Priced", SIMULATION_EXAMPLE, "200"),
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = selectors.customer_get(customer_id=data["customer"]) if data.get("customer") else None
        lines = [(line["product_id"], line["quantity"]) for line in data["lines"]]
        result = selectors.simulate(lines=lines, customer=customer, coupon_codes=data.get("coupon_codes", ()),
                                    now=data.get("at"))
        for index, line in enumerate(result.lines):
            line.index = index
        return Response(self.OutputSerializer(result).data)
