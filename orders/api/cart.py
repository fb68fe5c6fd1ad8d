"""The customer's cart (``/api/v1/cart/``): one persistent cart per customer, priced on every read.

Every write calls one cart service and answers with the new cart summary, priced by the same
pipeline checkout uses, so what the app shows is what checkout charges. A price change or a
stock shortfall is flagged on its line (``issues``), never silently charged or dropped.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.errors import (
    NOT_AUTHENTICATED,
    THROTTLED,
    UNSUPPORTED_MEDIA_TYPE,
    error_example,
    error_response,
    invalid_response,
)
from commerce.audit.journey import JourneyAction
from commerce.errors import DomainError
from orders import selectors
from orders.api.common import (
    CART_EXAMPLE,
    UNKNOWN_FIELD,
    CartSummaryOutputSerializer,
    QuantityField,
    StrictInputSerializer,
    cart_summary_data,
    journey_step,
)
from orders.errors import CartLineNotFound
from orders.services import cart as services

LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH, description="Id of a line of your cart.")
LINE_NOT_FOUND = error_response(
    "No line of your cart has this id (a line of anyone else's cart is not found either).",
    error_example("cart_line_not_found", "That item is not in your cart."),
)
CART_ANSWER = [OpenApiExample("The cart", value=CART_EXAMPLE, response_only=True, status_codes=["200"])]
QUANTITY_ERRORS = (
    error_example("invalid_quantity", "Quantity must be at least 1.", {"quantity": ["Must be at least 1."]}),
    error_example("invalid_quantity", "Quantity must be a whole number.", {"quantity": ["Must be a whole number."]},
                  name="not a whole number"),
)


class CartApi(APIView):
    """The logged-in customer's cart (mobile clients send `Authorization: Token <key>`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="cart_retrieve",
        summary="My cart",
        description=(
            "Lines at today's prices with what changed since they were added, subtotal, discounts, "
            "shipping and total. A customer without a cart gets an empty one (`id` null)."
        ),
        tags=["cart"],
        responses={200: CartSummaryOutputSerializer, 401: NOT_AUTHENTICATED, 429: THROTTLED},
        examples=CART_ANSWER,
    )
    def get(self, request):
        cart = selectors.cart_find(customer=request.user)
        data = cart_summary_data(cart)
        journey_step(request, JourneyAction.VIEW_CART, details={"items": data["item_count"]})
        return Response(data)

    @extend_schema(
        operation_id="cart_clear",
        summary="Empty my cart",
        description="Removes every line and coupon; answers with the (empty) cart.",
        tags=["cart"],
        request=None,
        responses={200: CartSummaryOutputSerializer, 401: NOT_AUTHENTICATED, 429: THROTTLED},
        examples=CART_ANSWER,
    )
    def delete(self, request):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_clear(cart=cart)
        return Response(cart_summary_data(cart))


class CartItemAddApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartItemAddInput")
    class InputSerializer(StrictInputSerializer):
        product_id = serializers.IntegerField(min_value=1)
        quantity = QuantityField()

    @extend_schema(
        operation_id="cart_items_add",
        summary="Add a product to my cart",
        description=(
            "Adding a product already in the cart adds to its line. The price is always the catalog's: "
            "a request carrying a price (`unit_price`, `price`, ...) is refused."
        ),
        tags=["cart"],
        request=InputSerializer,
        responses={
            200: CartSummaryOutputSerializer,
            400: invalid_response(
                *QUANTITY_ERRORS,
                error_example("product_inactive", "Organic whole milk 1 l is not for sale."),
                UNKNOWN_FIELD,
            ),
            401: NOT_AUTHENTICATED,
            404: error_response("No product has this id.", error_example("product_not_found", "No such product.")),
            415: UNSUPPORTED_MEDIA_TYPE,
            429: THROTTLED,
        },
        examples=[OpenApiExample("Three bottles", value={"product_id": 42, "quantity": 3}, request_only=True), *CART_ANSWER],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product_id, quantity = serializer.validated_data["product_id"], serializer.validated_data["quantity"]
        # The cart is created with its first line, or not at all.
        with transaction.atomic():
            cart = services.cart_get_or_create(customer=request.user)
            services.cart_add_item(cart=cart, product_id=product_id, quantity=quantity)
        journey_step(request, JourneyAction.ADD_TO_CART, product_id=product_id, details={"quantity": quantity})
        return Response(cart_summary_data(cart))


class CartItemApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartItemUpdateInput")
    class InputSerializer(StrictInputSerializer):
        quantity = QuantityField()

    def _cart(self, request):
        cart = selectors.cart_find(customer=request.user)
        if cart is None:
            raise CartLineNotFound("That item is not in your cart.")
        return cart

    @extend_schema(
        operation_id="cart_items_update",
        summary="Change a line's quantity",
        tags=["cart"],
        parameters=[LINE_ID],
        request=InputSerializer,
        responses={
            200: CartSummaryOutputSerializer,
            400: invalid_response(*QUANTITY_ERRORS, UNKNOWN_FIELD),
            401: NOT_AUTHENTICATED,
            404: LINE_NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
            429: THROTTLED,
        },
        examples=[OpenApiExample("Five now", value={"quantity": 5}, request_only=True), *CART_ANSWER],
    )
    def patch(self, request, line_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self._cart(request)
        services.cart_update_quantity(cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"])
        return Response(cart_summary_data(cart))

    @extend_schema(
        operation_id="cart_items_remove",
        summary="Remove a line",
        tags=["cart"],
        parameters=[LINE_ID],
        request=None,
        responses={200: CartSummaryOutputSerializer, 401: NOT_AUTHENTICATED, 404: LINE_NOT_FOUND, 429: THROTTLED},
        examples=CART_ANSWER,
    )
    def delete(self, request, line_id: int):
        cart = self._cart(request)
        line = selectors.cart_items(cart=cart).filter(pk=line_id).only("product_id").first()
        services.cart_remove_item(cart=cart, line_id=line_id)
        journey_step(request, JourneyAction.REMOVE_FROM_CART, product_id=line.product_id)
        return Response(cart_summary_data(cart))


class CartCouponApplyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartCouponInput")
    class InputSerializer(StrictInputSerializer):
        code = serializers.CharField(max_length=40)

    @extend_schema(
        operation_id="cart_coupons_apply",
        summary="Apply a coupon code",
        description="The code is checked by the promotions rules; one that does not apply is refused with its reason.",
        tags=["cart"],
        request=InputSerializer,
        responses={
            200: CartSummaryOutputSerializer,
            400: invalid_response(
                error_example("coupon_unknown", "The code SPRING10 is not known.", {"code": ["The code SPRING10 is not known."]}),
                error_example("too_many_coupons", "At most 5 codes per cart."),
                UNKNOWN_FIELD,
            ),
            401: NOT_AUTHENTICATED,
            415: UNSUPPORTED_MEDIA_TYPE,
            429: THROTTLED,
        },
        examples=[OpenApiExample("A code", value={"code": "SPRING10"}, request_only=True), *CART_ANSWER],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["code"]
        try:
            with transaction.atomic():
                cart = services.cart_get_or_create(customer=request.user)
                cart = services.cart_apply_coupon(cart=cart, code=code)
        except DomainError as exc:
            journey_step(request, JourneyAction.APPLY_COUPON, details={"code": code.strip().upper(), "accepted": False,
                                                                         "reason": exc.code})
            raise
        journey_step(request, JourneyAction.APPLY_COUPON, details={"code": code.strip().upper(), "accepted": True})
        return Response(cart_summary_data(cart))


class CartCouponRemoveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="cart_coupons_remove",
        summary="Remove a coupon code",
        description="Removing a code that is not on the cart changes nothing.",
        tags=["cart"],
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="The coupon code.")],
        request=None,
        responses={200: CartSummaryOutputSerializer, 401: NOT_AUTHENTICATED, 429: THROTTLED},
        examples=CART_ANSWER,
    )
    def delete(self, request, code: str):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_remove_coupon(cart=cart, code=code)
        return Response(cart_summary_data(cart))


class CartAcceptChangesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="cart_accept_changes",
        summary="Accept today's prices",
        description="After a `price_changed` flag: the shopper has seen the new prices and takes them.",
        tags=["cart"],
        request=None,
        responses={200: CartSummaryOutputSerializer, 401: NOT_AUTHENTICATED, 429: THROTTLED},
        examples=CART_ANSWER,
    )
    def post(self, request):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_accept_changes(cart=cart)
        return Response(cart_summary_data(cart))
