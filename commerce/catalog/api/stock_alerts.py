""""Notify me when it is back in stock" over REST, through the commands of ``commerce.catalog.stock_alerts``
as the product page's form uses them.

- ``POST /products/{product_id}/stock-alert/``: a customer's own address waits for stock at once
  (201, the alert); any other address, and every guest's, is mailed a confirmation link first (202,
  the same answer whether or not that address asked before: nobody learns who waits for what).
  Throttled per client (``stock_alert``) on top of the usual rates, as the page limits its form.
- ``GET /me/stock-alerts/``, ``DELETE /me/stock-alerts/{alert_id}/``: a customer's own alerts, and
  unsubscribing one; another customer's alert is 404, as one that does not exist.
- ``GET /stock-alerts/``: every alert, for staff who may see them (``catalog.view_stockalert``).
"""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import has_access
from commerce.api.schema import PAGE_NOT_FOUND, answer, documented, error_example, error_response, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from commerce.api.throttling import LiveScopedRateThrottle
from commerce.catalog import selectors, stock_alerts
from commerce.catalog.api.schema import PRODUCT_ID
from commerce.catalog.models import StockAlert

CanViewStockAlerts = has_access("catalog.view_stockalert", "You need the view stock alert permission.")

_schema = functools.partial(documented, tags=["stock alerts"])

ALERT_EXAMPLE = {
    "id": 31,
    "product": {"id": 42, "slug": "organic-whole-milk-1l", "name": "Organic whole milk 1 l"},
    "email": "ada@example.com",
    "status": "waiting",
    "round": 1,
    "created_at": "2026-12-07T09:30:00Z",
    "confirmed_at": "2026-12-07T09:30:00Z",
    "sent_at": None,
    "cancelled_at": None,
}
ALERT_ID = OpenApiParameter("alert_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="One of my alerts' id.")
ALERT_NOT_FOUND = error_response("None of my alerts has this id.", error_example("stock_alert_not_found", "No such alert."))
INVALID_FILTER = error_response(
    "A filter value is not valid; `fields` names it.",
    error_example("invalid", "The request is not valid.", {"status": ['"later" is not a valid choice.']}),
)


@extend_schema_serializer(component_name="StockAlertProduct")
class AlertProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="StockAlert")
class StockAlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = AlertProductSerializer()
    email = serializers.CharField(help_text="The address that is mailed (stored in lower case).")
    status = serializers.ChoiceField(choices=StockAlert.Status.choices, help_text=(
        "`pending`: awaiting the confirmation link; `waiting`: mailed once when stock is back; `sent`: mailed; "
        "`cancelled`: unsubscribed."
    ))
    round = serializers.IntegerField(help_text="Which subscription of this address to this product this is: one mail each.")
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="StaffStockAlert")
class StaffStockAlertOutputSerializer(StockAlertOutputSerializer):
    customer_id = serializers.IntegerField(allow_null=True, help_text="The customer whose own address it is, else null (a guest's).")


class StockAlertSubscribeApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, LiveScopedRateThrottle]
    throttle_scope = "stock_alert"

    @extend_schema_serializer(component_name="StockAlertSubscribeInput")
    class InputSerializer(StrictInputSerializer):
        email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="", help_text=(
            "The address to mail. A logged-in customer may leave it out: their account's address is used."
        ))

    @extend_schema_serializer(component_name="StockAlertConfirmationOutput")
    class ConfirmationSerializer(serializers.Serializer):
        product_id = serializers.IntegerField()
        email = serializers.CharField()
        detail = serializers.CharField(help_text="What happens next, for people.")

    @_schema(
        "products_stock_alert_subscribe",
        "Notify me when it is back in stock",
        description=(
            "For a product that is out of stock now. A logged-in customer's own address (sent, or left out) waits "
            "at once: 201 with the alert. Any other address, and every guest's, is mailed a confirmation link first "
            "(as the product page does): 202, the same answer whether or not that address asked before. Asking again "
            "while an alert waits changes nothing; after its mail was sent it starts a new round. Throttled per "
            "client (`API_THROTTLE_STOCK_ALERT`)."
        ),
        ok=StockAlertOutputSerializer,
        status=201,
        access=schema.PUBLIC,
        request=InputSerializer,
        parameters=[PRODUCT_ID],
        invalid=[
            error_example("invalid", "Enter a valid e-mail address.", {"email": ["Enter a valid e-mail address."]}),
            error_example("product_inactive", "This product is not sold any more.", name="Withdrawn"),
        ],
        errors={
            202: OpenApiResponse(ConfirmationSerializer, description=(
                "A confirmation link is mailed to the address (unless it asked already): nothing waits until it is followed."
            )),
            404: error_response("No product with this id.", error_example("product_not_found", "No such product.")),
            409: error_response("The product is in stock now: buy it instead.",
                                error_example("stock_alert_not_needed", "This product is in stock now: add it to your cart.")),
        },
        examples=[
            sent("A guest's address", {"email": "ada@example.com"}),
            answer("My own address (a customer)", ALERT_EXAMPLE, "201"),
            answer("Confirmation mailed", {"product_id": 42, "email": "ada@example.com", "detail": (
                "Check your mailbox: confirm ada@example.com and we will mail it once when Organic whole milk 1 l is back."
            )}, "202"),
        ],
    )
    def post(self, request, product_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = request.user if request.user.is_authenticated else None
        email = serializer.validated_data["email"] or (customer.email if customer else "")
        alert = stock_alerts.stock_alert_subscribe(product_id=product_id, email=email, customer=customer)
        if customer is not None and alert.customer_id == customer.pk and alert.status != StockAlert.Status.PENDING:
            return Response(StockAlertOutputSerializer(alert).data, status=status.HTTP_201_CREATED)
        return Response(self.ConfirmationSerializer({
            "product_id": alert.product_id, "email": alert.email,
            "detail": f"Check your mailbox: confirm {alert.email} and we will mail it once when {alert.product.name} is back.",
        }).data, status=status.HTTP_202_ACCEPTED)


class MyStockAlertListApi(APIView):
    """The logged-in customer's own alerts, newest first."""

    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="MyStockAlertFilter")
    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=StockAlert.Status.choices, required=False)

    @_schema(
        "me_stock_alerts_list",
        "My back-in-stock alerts",
        description="The alerts of my own address made while logged in, newest first, paginated (`page`, `page_size`).",
        ok=StockAlertOutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors={400: INVALID_FILTER, 404: PAGE_NOT_FOUND},
        example=("An alert", ALERT_EXAMPLE),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        alerts = selectors.stock_alert_list(customer_id=request.user.pk, **filters.validated_data)
        return paginated_response(queryset=alerts, serializer_class=StockAlertOutputSerializer, request=request, view=self)


class MyStockAlertApi(APIView):
    permission_classes = [IsAuthenticated]

    @_schema(
        "me_stock_alerts_unsubscribe",
        "Unsubscribe one of my alerts",
        description="Nothing more is mailed for it; the alert stays in my list as `cancelled`. Unsubscribing twice changes nothing.",
        ok=StockAlertOutputSerializer,
        parameters=[ALERT_ID],
        errors={404: ALERT_NOT_FOUND},
        example=("Unsubscribed", {**ALERT_EXAMPLE, "status": "cancelled", "cancelled_at": "2026-12-08T10:00:00Z"}),
    )
    def delete(self, request, alert_id: int):
        alert = selectors.stock_alert_get(alert_id=alert_id, customer_id=request.user.pk)
        alert = stock_alerts.stock_alert_unsubscribe(alert=alert)
        return Response(StockAlertOutputSerializer(alert).data)


class StockAlertListApi(APIView):
    """Every alert, for the back office's people."""

    permission_classes = [IsAuthenticated, CanViewStockAlerts]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="StockAlertFilter")
    class FilterSerializer(QueryParamsSerializer):
        product_id = serializers.IntegerField(min_value=1, required=False)
        status = serializers.ChoiceField(choices=StockAlert.Status.choices, required=False)
        email = serializers.CharField(max_length=254, required=False, help_text="Exact address (case does not matter).")

    @_schema(
        "stock_alerts_list",
        "Every back-in-stock alert (staff)",
        description="Newest first, filtered and paginated: who waits for which product.",
        ok=StaffStockAlertOutputSerializer(many=True),
        access=schema.STAFF,
        parameters=[FilterSerializer],
        errors={400: INVALID_FILTER, 404: PAGE_NOT_FOUND},
        example=("A customer's alert", {**ALERT_EXAMPLE, "customer_id": 17}),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        alerts = selectors.stock_alert_list(**filters.validated_data)
        return paginated_response(queryset=alerts, serializer_class=StaffStockAlertOutputSerializer, request=request, view=self)
