"""Checkout and the customer's orders: place, pay, list, read, cancel, reorder.

Checkout and payment take an ``Idempotency-Key`` header: a repeated request gets the first
answer (header ``Idempotent-Replayed: true``) and creates nothing more; the key, hashed per user,
also travels to the payment gateway, so not even a racing retry can charge twice. The stored
fingerprint of a request never holds the card number or CVC.
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.accounts import access
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import (
    PAGE_NOT_FOUND,
    PERMISSION_DENIED,
    answer,
    documented,
    error_example,
    invalid_filter,
    sent,
)
from commerce.api.serializers import DecimalStringField, QueryParamsSerializer, StrictInputSerializer
from commerce.api.throttling import LiveScopedRateThrottle
from commerce.audit.journey import JourneyAction
from commerce.errors import PermissionDenied
from orders import selectors
from orders.api.common import (
    MANAGE_ORDERS,
    CardInputSerializer,
    CartSummaryOutputSerializer,
    MoneyField,
    OrderDetailOutputSerializer,
    card_details,
    card_fingerprint_part,
    cart_summary_data,
    domain_error_body,
    gateway_key,
    idempotency_headers,
    journey_step,
    order_detail_data,
    with_order_number,
)
from orders.api.schema import (
    CANCEL_REFUSED,
    CARD_EXAMPLE,
    CARD_REQUIRED,
    CHECKOUT_ERRORS,
    CHECKOUT_EXAMPLES,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    ORDER_ANSWER,
    ORDER_LIST_EXAMPLE,
    ORDER_NOT_FOUND,
    ORDER_NUMBER,
    PAY_ERRORS,
    REORDER_EXAMPLE,
    SHIPPING_METHOD_INVALID,
    SUGGESTION_EXAMPLE,
)
from orders.errors import PaymentDeclined, PaymentGatewayError
from orders.idempotency import run_idempotent
from orders.models import DISCOUNT_HELP, SHIPPING_DISCOUNT_HELP, SHIPPING_HELP, SUBTOTAL_HELP, TOTAL_HELP, Order
from orders.services import lifecycle
from orders.services.cart import order_reorder
from orders.services.checkout import checkout_place_and_pay
from orders.services.payments import order_pay


def _idempotency_key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None


# --- checkout ---------------------------------------------------------------------------------------
class CheckoutApi(APIView):
    """Place an order from my cart and pay it, in that order.

    Stock (and coupons) are reserved and the order written first; payment is taken last, so a
    checkout that loses a race for stock never needs a refund. A declined card (402) or a payment
    service error that charged nothing (502 `payment_gateway_error`) voids the attempt, as the
    shop's checkout page does: its stock and coupons are given back and its items put back in
    your cart (`extra.lost_coupons`: codes that no longer apply); check out again with another
    card. The attempt (`extra.order_number`) is not in your order history. After a 502
    `payment_pending` the order exists and stays pending until the payment is settled: look it
    up rather than repeating the checkout.
    """

    permission_classes = [IsAuthenticated]
    # Besides the API's general rates, checkouts per user and hour (``checkout``): each may try a card.
    throttle_classes = [*APIView.throttle_classes, LiveScopedRateThrottle]
    throttle_scope = "checkout"

    @extend_schema_serializer(component_name="CheckoutInput")
    class InputSerializer(StrictInputSerializer):
        address_id = serializers.IntegerField(min_value=1, help_text="One of your addresses (`/me/addresses/`).")
        payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)
        card = CardInputSerializer(required=False, allow_null=True, help_text="Required for `card`; not sent for `cod`.")
        expected_total = DecimalStringField(
            required=False,
            allow_null=True,
            min_value=0,
            help_text="The total the shopper saw (the cart's `total.amount`); another total is refused (409 `cart_changed`).",
        )
        shipping_method = serializers.CharField(
            required=False, max_length=30,
            help_text="A `code` of `/shipping-methods/`; without it, the cart's choice (else the shop's default).",
        )

        def validate(self, attrs):
            card = attrs.get("card")
            if attrs["payment_method"] == Order.PaymentMethod.CARD and not card:
                raise serializers.ValidationError({"card": ["Required for card payments."]})
            if attrs["payment_method"] == Order.PaymentMethod.CASH_ON_DELIVERY and card:
                raise serializers.ValidationError({"card": ["Not used for cash on delivery."]})
            return attrs

    @documented(
        "checkout_create",
        "Check out",
        tags=["checkout"],
        ok=OrderDetailOutputSerializer,
        status=201,
        parameters=[IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED],
        request=InputSerializer,
        invalid=[error_example("cart_empty", "Your cart is empty."), CARD_REQUIRED, SHIPPING_METHOD_INVALID],
        errors=CHECKOUT_ERRORS,
        examples=CHECKOUT_EXAMPLES,
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user, key = request.user, _idempotency_key(request)

        def run():
            try:
                order = checkout_place_and_pay(  # the customer's open cart; none: 400 cart_empty
                    customer=user,
                    address_id=data["address_id"],
                    payment_method=data["payment_method"],
                    expected_total=data.get("expected_total"),
                    idempotency_key=gateway_key(user=user, scope="checkout", key=key),
                    card=card_details(data.get("card")),
                    shipping_method=data.get("shipping_method"),
                )
            except (PaymentDeclined, PaymentGatewayError) as exc:
                raise with_order_number(exc, exc.extra["order_number"]) from exc
            journey_step(request, JourneyAction.COMPLETE_ORDER, details={"order_number": order.number})
            return status.HTTP_201_CREATED, order_detail_data(number=order.number, requester=user)

        payload = {
            "address_id": data["address_id"],
            "payment_method": data["payment_method"],
            "expected_total": data.get("expected_total"),
            "card": card_fingerprint_part(data.get("card")),
            **({"shipping_method": data["shipping_method"]} if data.get("shipping_method") else {}),
        }
        code, body, replayed = run_idempotent(user=user, scope="checkout", key=key, payload=payload, run=run,
                                              error_body=domain_error_body)
        return Response(body, status=code, headers=idempotency_headers(replayed))


# --- orders -----------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="OrderListLine")
class OrderListLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyField()
    line_total = MoneyField()


@extend_schema_serializer(component_name="OrderListItem")
class OrderListOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    payment_status = serializers.CharField()
    payment_method = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True, help_text="null: a guest's order.")
    region_id = serializers.IntegerField(allow_null=True)
    item_count = serializers.IntegerField(help_text="Units ordered.")
    subtotal = MoneyField(source="subtotal_amount", help_text=SUBTOTAL_HELP)
    discount = MoneyField(source="discount_amount", help_text=DISCOUNT_HELP)
    shipping = MoneyField(source="shipping_amount", help_text=SHIPPING_HELP)
    shipping_discount = MoneyField(source="shipping_discount_amount", help_text=SHIPPING_DISCOUNT_HELP)
    total = MoneyField(source="total_amount", help_text=TOTAL_HELP)
    refunded = MoneyField(source="refunded_amount")
    lines = serializers.SerializerMethodField()
    placed_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(OrderListLineSerializer(many=True))
    def get_lines(self, summary):
        return OrderListLineSerializer(summary.lines, many=True, context={"currency": summary.currency}).data


class OrderListApi(APIView):
    """Orders, newest first, from the order read model.

    A customer sees their own orders; staff with `view_all_orders` see all; Sales staff see the
    orders of their regions (and their own). The filters narrow that set, never widen it.
    """

    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="OrderListFilter")
    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
        payment_status = serializers.ChoiceField(choices=Order.PaymentStatus.choices, required=False)
        date_from = serializers.DateField(required=False, help_text="Placed on or after this day (YYYY-MM-DD).")
        date_to = serializers.DateField(required=False, help_text="Placed on or before this day (YYYY-MM-DD).")
        min_total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
        max_total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
        customer_id = serializers.IntegerField(min_value=1, required=False)
        product_code = serializers.CharField(max_length=40, required=False, help_text="Orders with this product (SKU).")
        number = serializers.CharField(max_length=11, required=False)
        region_id = serializers.IntegerField(min_value=1, required=False)

        def validate(self, attrs):
            if "date_from" in attrs and "date_to" in attrs and attrs["date_from"] > attrs["date_to"]:
                raise serializers.ValidationError({"date_to": ["Must not be before `date_from`."]})
            if "min_total" in attrs and "max_total" in attrs and attrs["min_total"] > attrs["max_total"]:
                raise serializers.ValidationError({"max_total": ["Must not be below `min_total`."]})
            return attrs

    @documented(
        "orders_list",
        "Orders",
        tags=["orders"],
        ok=OrderListOutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors={
            **invalid_filter("A filter value is not valid; `fields` names it.", error_example(
                "invalid", "The request is not valid.", {"status": ['"lost" is not a valid choice.']})),
            404: PAGE_NOT_FOUND,
        },
        examples=[answer("An order", ORDER_LIST_EXAMPLE, "200")],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_search(requester=request.user, **filters.validated_data)
        return paginated_response(queryset=orders, serializer_class=OrderListOutputSerializer, request=request, view=self)


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @documented(
        "orders_retrieve",
        "One order",
        tags=["orders"],
        ok=OrderDetailOutputSerializer,
        description=(
            "Lines with the batches they were allocated, totals, the address as it was at checkout, "
            "payments, refunds, the status timeline built from the order's events, and the actions "
            "the requester may take now."
        ),
        parameters=[ORDER_NUMBER],
        errors={404: ORDER_NOT_FOUND},
        examples=[ORDER_ANSWER],
    )
    def get(self, request, number: str):
        return Response(order_detail_data(number=number, requester=request.user))


class OrderPayApi(APIView):
    """Pay a pending order again (after a declined card), or confirm a cash-on-delivery order."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, LiveScopedRateThrottle]
    throttle_scope = "checkout"  # each may try a card: counted with the checkouts

    @extend_schema_serializer(component_name="OrderPayInput")
    class InputSerializer(StrictInputSerializer):
        card = CardInputSerializer(required=False, allow_null=True, help_text="Required when the order is paid by card.")

    @documented(
        "orders_pay",
        "Pay an order",
        tags=["orders"],
        ok=OrderDetailOutputSerializer,
        parameters=[ORDER_NUMBER, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED],
        request=InputSerializer,
        invalid=[CARD_REQUIRED],
        errors=PAY_ERRORS,
        examples=[sent("Card", {"card": CARD_EXAMPLE}), ORDER_ANSWER],
    )
    def post(self, request, number: str):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card = serializer.validated_data.get("card")
        user, key = request.user, _idempotency_key(request)
        order = selectors.order_get(number=number, requester=user)
        if order.customer_id != user.pk:
            raise PermissionDenied("Only the customer can pay for an order.")
        if order.payment_method == Order.PaymentMethod.CARD and not card:
            raise serializers.ValidationError({"card": ["Required for card payments."]})

        def run():
            try:
                order_pay(order=order, customer=user, idempotency_key=gateway_key(user=user, scope="payment", key=key),
                          card=card_details(card))
            except (PaymentDeclined, PaymentGatewayError) as exc:
                raise with_order_number(exc, order.number) from exc
            return status.HTTP_200_OK, order_detail_data(number=order.number, requester=user)

        payload = {"order": order.number, "card": card_fingerprint_part(card)}
        code, body, replayed = run_idempotent(user=user, scope="payment", key=key, payload=payload, run=run,
                                              error_body=domain_error_body)
        return Response(body, status=code, headers=idempotency_headers(replayed))


class OrderCancelApi(APIView):
    """Cancel an order: its stock is released and what was paid is refunded.

    The refund is made once the cancellation is committed; the answer lists it under `refunds`
    (`pending` while the gateway's answer is awaited, settled by the shop shortly after).

    A customer may cancel their own order until the warehouse starts on it (pending, confirmed or
    paid); staff holding `accounts.manage_orders` may cancel any order until it ships.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="OrderCancelInput")
    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @documented(
        "orders_cancel",
        "Cancel an order",
        tags=["orders"],
        ok=OrderDetailOutputSerializer,
        parameters=[ORDER_NUMBER],
        request=InputSerializer,
        errors={403: PERMISSION_DENIED, 404: ORDER_NOT_FOUND, 409: CANCEL_REFUSED},
        examples=[sent("Changed my mind", {"reason": "Ordered twice by mistake"}), ORDER_ANSWER],
    )
    def post(self, request, number: str):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        user = request.user
        order = selectors.order_get(number=number, requester=user)
        if access.has_permission(user, MANAGE_ORDERS):
            lifecycle.order_cancel(order=order, reason=reason)
        elif order.customer_id == user.pk:
            lifecycle.order_cancel(order=order, reason=reason, by_customer=user)
        else:
            raise PermissionDenied("Only the customer or an order manager can cancel an order.")
        return Response(order_detail_data(number=number, requester=user))


@extend_schema_serializer(component_name="ReorderSkipped")
class ReorderSkippedSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    code = serializers.CharField()
    reason = serializers.CharField()


class OrderReorderApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReorderOutput")
    class OutputSerializer(serializers.Serializer):
        cart = CartSummaryOutputSerializer()
        skipped = ReorderSkippedSerializer(many=True, help_text="Items not put back, with why (e.g. no longer for sale).")

    @documented(
        "orders_reorder",
        "Order again",
        tags=["orders"],
        ok=OutputSerializer,
        description="Puts the order's items back in your cart at today's prices; items no longer for sale are listed as skipped.",
        parameters=[ORDER_NUMBER],
        request=None,
        errors={404: ORDER_NOT_FOUND},
        examples=[answer("Back in the cart", REORDER_EXAMPLE, "200")],
    )
    def post(self, request, number: str):
        order = selectors.order_get(number=number, requester=request.user)
        cart, skipped = order_reorder(order=order, customer=request.user)
        return Response({"cart": cart_summary_data(cart), "skipped": ReorderSkippedSerializer(skipped, many=True).data})


class ReorderSuggestionsApi(APIView):
    """Products I order again and again (in at least two orders), most frequent first."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReorderSuggestionsFilter")
    class FilterSerializer(QueryParamsSerializer):
        limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=10)

    @extend_schema_serializer(component_name="ReorderSuggestion")
    class OutputSerializer(serializers.Serializer):
        product_id = serializers.IntegerField()
        code = serializers.CharField()
        name = serializers.CharField()
        times_ordered = serializers.IntegerField(help_text="In how many orders.")
        total_quantity = serializers.IntegerField()
        last_ordered_at = serializers.DateTimeField()

    @documented(
        "orders_reorder_suggestions",
        "Buy again",
        tags=["orders"],
        ok=OutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors=invalid_filter("`limit` is not a whole number from 1 to 50.", error_example(
            "invalid", "The request is not valid.", {"limit": ["Ensure this value is less than or equal to 50."]})),
        examples=[answer("Milk, again", SUGGESTION_EXAMPLE, "200")],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        suggestions = selectors.reorder_suggestions(customer=request.user, limit=filters.validated_data["limit"])
        return Response(self.OutputSerializer(suggestions, many=True).data)
