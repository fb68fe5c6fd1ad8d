"""Staff fulfilment: one endpoint per lifecycle transition, each calling its service.

Transitions need `accounts.manage_orders`; refunds need `accounts.refund_orders`. The order must
also be visible to the staff member (all orders, or their region's), else it is not found. An
illegal transition is refused by the service with 409 `invalid_transition`; nothing changes.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.permissions import has_access
from commerce.api.schema import (
    STAFF,
    UNKNOWN_FIELD,
    UNSUPPORTED_MEDIA_TYPE,
    answer,
    error_example,
    invalid_response,
    sent,
)
from commerce.api.serializers import DecimalStringField, QuantityField, StrictInputSerializer
from orders import selectors
from orders.api.common import MANAGE_ORDERS, REFUND_ORDERS, OrderDetailOutputSerializer, order_detail_data
from orders.api.schema import (
    INVALID_TRANSITION,
    ORDER_EXAMPLE,
    ORDER_NOT_FOUND,
    ORDER_NUMBER,
    REFUND_EXAMPLES,
    REFUND_GATEWAY_ERROR,
    REFUND_INVALID,
)
from orders.services import lifecycle
from orders.services.payments import order_refund

CanManageOrders = has_access(MANAGE_ORDERS, "You need the manage orders permission.")
CanRefundOrders = has_access(REFUND_ORDERS, "You need the refund orders permission.")


def _transition_schema(operation_id: str, summary: str, description: str, *, request=None, invalid=(), errors=None,
                       examples=()):
    """A transition answers with the order, or is refused: staff only, the order not found (or not
    theirs to see), the transition not allowed now; a body's input errors (``unknown_field`` too: the
    inputs are strict) are listed after these, as they always were."""
    responses = {200: OrderDetailOutputSerializer, **dict(sorted({**STAFF, 404: ORDER_NOT_FOUND, 409: INVALID_TRANSITION}.items()))}
    if request is not None:
        responses |= {400: invalid_response(*invalid, UNKNOWN_FIELD), 415: UNSUPPORTED_MEDIA_TYPE}
    responses |= errors or {}
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=["fulfilment"],
        parameters=[ORDER_NUMBER],
        request=request,
        responses=responses,
        examples=[*examples, answer("The order", ORDER_EXAMPLE, "200")],
    )


class _TransitionApi(APIView):
    permission_classes = [IsAuthenticated, CanManageOrders]

    def _order(self, request, number: str):
        return selectors.order_get(number=number, requester=request.user)

    def _answer(self, request, number: str) -> Response:
        return Response(order_detail_data(number=number, requester=request.user))


class OrderConfirmApi(_TransitionApi):
    @_transition_schema("orders_confirm", "Confirm", "pending → confirmed (a cash-on-delivery order becomes due on delivery).")
    def post(self, request, number: str):
        lifecycle.order_confirm(order=self._order(request, number))
        return self._answer(request, number)


class OrderAllocateApi(_TransitionApi):
    @_transition_schema(
        "orders_allocate",
        "Allocate",
        "paid (or confirmed cash on delivery) → allocated: the reserved stock is taken from its batches, and each "
        "line records the batch numbers and quantities it received.",
    )
    def post(self, request, number: str):
        lifecycle.order_allocate(order=self._order(request, number))
        return self._answer(request, number)


class OrderMarkReadyApi(_TransitionApi):
    @_transition_schema("orders_mark_ready", "Packed, ready to ship", "allocated → ready to ship.")
    def post(self, request, number: str):
        lifecycle.order_mark_ready(order=self._order(request, number))
        return self._answer(request, number)


class OrderShipApi(_TransitionApi):
    @extend_schema_serializer(component_name="OrderShipInput")
    class InputSerializer(StrictInputSerializer):
        carrier = serializers.CharField(max_length=60)
        tracking_number = serializers.CharField(max_length=80)

    @_transition_schema(
        "orders_ship",
        "Ship",
        "ready to ship → shipped, with the carrier and its tracking number.",
        request=InputSerializer,
        invalid=[error_example("invalid", "The request is not valid.", {"tracking_number": ["This field is required."]})],
        examples=[sent("Parcel", {"carrier": "Colissimo", "tracking_number": "6A12345678901"})],
    )
    def post(self, request, number: str):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.order_ship(order=self._order(request, number), **serializer.validated_data)
        return self._answer(request, number)


class OrderDeliverApi(_TransitionApi):
    @_transition_schema(
        "orders_deliver", "Delivered", "shipped → delivered; for cash on delivery, the collected cash is recorded as paid."
    )
    def post(self, request, number: str):
        lifecycle.order_deliver(order=self._order(request, number))
        return self._answer(request, number)


class OrderCompleteApi(_TransitionApi):
    @_transition_schema("orders_complete", "Complete", "delivered → completed.")
    def post(self, request, number: str):
        lifecycle.order_complete(order=self._order(request, number))
        return self._answer(request, number)


@extend_schema_serializer(component_name="RefundLineInput")
class RefundLineInputSerializer(StrictInputSerializer):
    line_id = serializers.IntegerField(min_value=1)
    quantity = QuantityField()


class OrderRefundApi(_TransitionApi):
    """Refund what was paid: all of it (send neither), an amount, or units of lines (at their discounted price)."""

    permission_classes = [IsAuthenticated, CanRefundOrders]

    @extend_schema_serializer(component_name="OrderRefundInput")
    class InputSerializer(StrictInputSerializer):
        amount = DecimalStringField(required=False, min_value=Decimal("0.01"), help_text="Decimal string, e.g. \"5.00\".")
        lines = RefundLineInputSerializer(many=True, required=False, allow_empty=False)
        reason = serializers.CharField(max_length=200)

        def validate(self, attrs):
            if "amount" in attrs and "lines" in attrs:
                raise serializers.ValidationError({"amount": ["Refund either an amount or lines, not both."]})
            return attrs

    @_transition_schema(
        "orders_refund",
        "Refund",
        "Gives money back through the gateway that took it. A full refund moves the order to refunded.",
        request=InputSerializer,
        invalid=REFUND_INVALID,
        errors={502: REFUND_GATEWAY_ERROR},
        examples=REFUND_EXAMPLES,
    )
    def post(self, request, number: str):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = [dict(line) for line in data["lines"]] if "lines" in data else None
        order_refund(order=self._order(request, number), amount=data.get("amount"), lines=lines, reason=data["reason"])
        return self._answer(request, number)
