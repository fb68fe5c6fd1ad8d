"""Order analytics, from the order read model.

Shop-wide figures are for staff with `view_all_orders`, and for Sales staff, whose figures cover
the orders of their regions only (the selectors scope every query by the requester). A
customer's purchase pattern and lifetime value are for that customer, and for staff holding
`accounts.view_customers` who may see that customer's orders (all, or their region's).
"""

import functools
from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.accounts import access
from commerce.accounts.errors import CustomerNotFound
from commerce.api.permissions import CanViewCustomer
from commerce.api.schema import STAFF, documented, error_example, invalid_filter
from commerce.api.serializers import MoneyOutputSerializer, QueryParamsSerializer
from commerce.catalog.selectors import category_get
from commerce.money import Money, default_currency
from orders import selectors
from orders.api.schema import (
    AVERAGE_EXAMPLE,
    BEST_SELLER_EXAMPLE,
    CUSTOMER_ID,
    CUSTOMER_NOT_FOUND,
    INVALID_DATES,
    PURCHASE_PATTERN_EXAMPLE,
    STATISTICS_EXAMPLE,
)

# the analytics endpoints are staff reads, each with one example answer
_analytics_schema = functools.partial(documented, tags=["analytics"], access=STAFF)


def _money(amount) -> Money:
    # The read model sums totals as stored; the shop sells in one currency.
    return Money.of(amount, default_currency())


class CanViewOrderAnalytics(BasePermission):
    message = "You need access to all orders or to a sales region's orders."

    def has_permission(self, request, view):
        user = request.user
        return access.can_view_all_orders(user) or access.has_permission(user, "view_region_orders")


class DateRangeSerializer(QueryParamsSerializer):
    date_from = serializers.DateField(required=False, help_text="Orders placed on or after this day (YYYY-MM-DD).")
    date_to = serializers.DateField(required=False, help_text="Orders placed on or before this day (YYYY-MM-DD).")

    def validate(self, attrs):
        if "date_from" in attrs and "date_to" in attrs and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["Must not be before `date_from`."]})
        return attrs


@extend_schema_serializer(component_name="OrderStatusFigures")
class StatusFiguresSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()
    total = MoneyOutputSerializer(help_text="Sum of the orders' totals.")


@extend_schema_serializer(component_name="OrderPeriodFigures")
class PeriodFiguresSerializer(serializers.Serializer):
    period = serializers.DateTimeField(help_text="Start of the day, week (Monday) or month.")
    orders = serializers.IntegerField()
    revenue = MoneyOutputSerializer(help_text="Totals less refunds, of orders that count as sales.")


class OrderStatisticsApi(APIView):
    permission_classes = [IsAuthenticated, CanViewOrderAnalytics]

    @extend_schema_serializer(component_name="OrderStatisticsFilter")
    class FilterSerializer(DateRangeSerializer):
        period = serializers.ChoiceField(choices=["day", "week", "month"], required=False, default="month")

    @extend_schema_serializer(component_name="OrderStatistics")
    class OutputSerializer(serializers.Serializer):
        by_status = StatusFiguresSerializer(many=True)
        by_period = PeriodFiguresSerializer(many=True)
        orders = serializers.IntegerField(help_text="Orders that count as sales (not pending, not cancelled).")
        revenue = MoneyOutputSerializer(help_text="Their totals less refunds.")
        average_order_value = MoneyOutputSerializer()

    @_analytics_schema(
        "orders_statistics",
        "Order statistics",
        description="Counts and totals by status, and orders and revenue by day, week or month.",
        ok=OutputSerializer,
        parameters=[FilterSerializer],
        errors={400: INVALID_DATES},
        example=("January", STATISTICS_EXAMPLE),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        stats = selectors.order_statistics(requester=request.user, **filters.validated_data)
        figures = {
            "by_status": [
                {"status": status, "count": row["count"], "total": _money(row["revenue"])}
                for status, row in sorted(stats["by_status"].items())
            ],
            "by_period": [
                {"period": row["period"], "orders": row["orders"], "revenue": _money(row["revenue"])} for row in stats["by_period"]
            ],
            "orders": stats["orders"],
            "revenue": _money(stats["revenue"]),
            "average_order_value": _money(stats["average_order_value"]),
        }
        return Response(self.OutputSerializer(figures).data)


class BestSellersApi(APIView):
    permission_classes = [IsAuthenticated, CanViewOrderAnalytics]

    @extend_schema_serializer(component_name="BestSellersFilter")
    class FilterSerializer(DateRangeSerializer):
        by = serializers.ChoiceField(choices=["units", "revenue"], required=False, default="units")
        category = serializers.SlugField(required=False, help_text="A category's slug: that category and its sub-categories.")
        limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=10)

        def validate_category(self, slug):
            category = category_get(slug=slug)
            if category is None:
                raise serializers.ValidationError("No such category.")
            return category

    @extend_schema_serializer(component_name="BestSeller")
    class OutputSerializer(serializers.Serializer):
        product_id = serializers.IntegerField()
        code = serializers.CharField()
        name = serializers.CharField()
        units = serializers.IntegerField()
        revenue = MoneyOutputSerializer(help_text="Sum of the line totals (after discounts).")

    @_analytics_schema(
        "orders_best_sellers",
        "Best-selling products",
        ok=OutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors=invalid_filter("A parameter is not valid; `fields` names it.", error_example(
            "invalid", "The request is not valid.", {"category": ["No such category."]})),
        example=("Milk first", BEST_SELLER_EXAMPLE),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.best_selling_products(requester=request.user, **filters.validated_data)
        rows = [{**row, "revenue": _money(row["revenue"])} for row in rows]
        return Response(self.OutputSerializer(rows, many=True).data)


class AverageOrderValueApi(APIView):
    permission_classes = [IsAuthenticated, CanViewOrderAnalytics]

    @extend_schema_serializer(component_name="AverageOrderValueFilter")
    class FilterSerializer(DateRangeSerializer):
        pass

    @extend_schema_serializer(component_name="AverageOrderValue")
    class OutputSerializer(serializers.Serializer):
        date_from = serializers.DateField(allow_null=True)
        date_to = serializers.DateField(allow_null=True)
        average_order_value = MoneyOutputSerializer(help_text="Mean total of the orders that count as sales.")

    @_analytics_schema(
        "orders_average_order_value",
        "Average order value",
        ok=OutputSerializer,
        parameters=[FilterSerializer],
        errors={400: INVALID_DATES},
        example=("January", AVERAGE_EXAMPLE),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        dates = filters.validated_data
        value = selectors.average_order_value(requester=request.user, **dates)
        return Response(
            self.OutputSerializer(
                {"date_from": dates.get("date_from"), "date_to": dates.get("date_to"), "average_order_value": _money(value)}
            ).data
        )


class _CustomerFiguresApi(APIView):
    permission_classes = [IsAuthenticated, CanViewCustomer]

    def check_customer(self, request, customer_id: int) -> None:
        if not self.customer_exists:
            raise CustomerNotFound("No such customer.")


@extend_schema_serializer(component_name="FavouriteCategory")
class FavouriteCategorySerializer(serializers.Serializer):
    category_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    units = serializers.IntegerField()


@extend_schema_serializer(component_name="UsualProduct")
class UsualProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    orders = serializers.IntegerField(help_text="In how many orders.")


@extend_schema_serializer(component_name="TypicalBasket")
class TypicalBasketSerializer(serializers.Serializer):
    median_items = serializers.IntegerField()
    average_total = MoneyOutputSerializer()
    usual_products = UsualProductSerializer(many=True)


class CustomerPurchasePatternApi(_CustomerFiguresApi):
    @extend_schema_serializer(component_name="PurchasePattern")
    class OutputSerializer(serializers.Serializer):
        customer_id = serializers.IntegerField()
        orders = serializers.IntegerField(help_text="Orders that count as sales (not pending, not cancelled).")
        average_days_between_orders = serializers.DecimalField(
            max_digits=8, decimal_places=1, allow_null=True, help_text="Decimal string; null with fewer than two orders."
        )
        favourite_categories = FavouriteCategorySerializer(many=True)
        typical_basket = TypicalBasketSerializer(allow_null=True, help_text="Null when the customer has no orders.")
        lifetime_value = MoneyOutputSerializer()

    @_analytics_schema(
        "customers_purchase_pattern",
        "A customer's purchase pattern",
        description="How often they order, their favourite categories and their typical basket.",
        ok=OutputSerializer,
        parameters=[CUSTOMER_ID],
        errors={404: CUSTOMER_NOT_FOUND},
        example=("A weekly shopper", PURCHASE_PATTERN_EXAMPLE),
    )
    def get(self, request, customer_id: int):
        self.check_customer(request, customer_id)
        pattern = selectors.customer_purchase_pattern(customer_id=customer_id)
        basket = pattern["typical_basket"]
        data = {
            **pattern,
            "customer_id": customer_id,
            "average_days_between_orders": (
                None if pattern["average_days_between_orders"] is None else Decimal(str(pattern["average_days_between_orders"]))
            ),
            "typical_basket": {**basket, "average_total": _money(basket["average_total"])} if basket else None,
            "lifetime_value": _money(pattern["lifetime_value"]),
        }
        return Response(self.OutputSerializer(data).data)


class CustomerLifetimeValueApi(_CustomerFiguresApi):
    @extend_schema_serializer(component_name="LifetimeValue")
    class OutputSerializer(serializers.Serializer):
        customer_id = serializers.IntegerField()
        lifetime_value = MoneyOutputSerializer(help_text="Totals of their orders that count as sales, less refunds.")

    @_analytics_schema(
        "customers_lifetime_value",
        "A customer's lifetime value",
        ok=OutputSerializer,
        parameters=[CUSTOMER_ID],
        errors={404: CUSTOMER_NOT_FOUND},
        example=("Twelve orders", {"customer_id": 17, "lifetime_value": {"amount": "495.60", "currency": "EUR"}}),
    )
    def get(self, request, customer_id: int):
        self.check_customer(request, customer_id)
        value = selectors.customer_lifetime_value(customer_id=customer_id)
        return Response(self.OutputSerializer({"customer_id": customer_id, "lifetime_value": _money(value)}).data)
