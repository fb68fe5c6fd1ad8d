"""The customer's cart (``/api/v1/cart/``): one persistent cart per customer, priced on every read.

Every write calls one cart service and answers with the new cart summary, priced by the same
pipeline checkout uses, so what the app shows is what checkout charges. A price change or a
stock shortfall is flagged on its line (``issues``), never silently charged or dropped.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import NOT_FOUND, documented, error_example, error_response, sent
from commerce.api.serializers import QuantityField, StrictInputSerializer
from commerce.audit.journey import JourneyAction, Step
from commerce.catalog.inventory import MAX_QUANTITY
from commerce.coupon_codes import normalise_coupon_code
from commerce.errors import DomainError
from orders import selectors
from orders.api.common import CartSummaryOutputSerializer, capped_notices, cart_summary_data, journey_step, journey_steps
from orders.api.schema import (
    CART_ANSWER,
    COUPON_ERRORS,
    LINE_ID,
    LINE_NOT_FOUND,
    OUT_OF_STOCK,
    QUANTITY_ERRORS,
    SET_LINES_ERRORS,
)
from orders.errors import CartLineNotFound
from orders.services import cart as services

SET_LINES_DESCRIPTION = (
    "Replaces the cart's lines with the given ones in one step, all or nothing: the way to send a "
    "whole basket (a shopping list, a synced offline cart) in one request instead of one "
    "`POST /cart/items/` per product. Each line is checked as adding one is (a product for sale, "
    f"1 to {MAX_QUANTITY} units); lines not listed are removed, an empty list removes every line, "
    "coupons stay. A new line takes today's price as the price you saw; a kept line keeps the price "
    "it was added at, so a price change since is still flagged (`price_changed`). The price is always "
    "the catalog's: a line carrying a price is refused. Creates the cart when there is none."
)


def _cart_schema(operation_id: str, summary: str, *, examples=(), **parts):
    """Every cart endpoint answers with the cart summary, for the logged-in customer."""
    return documented(operation_id, summary, tags=["cart"], ok=CartSummaryOutputSerializer,
                      examples=[*examples, CART_ANSWER], **parts)


class CartApi(APIView):
    """The logged-in customer's cart (mobile clients send `Authorization: Token <key>`)."""

    permission_classes = [IsAuthenticated]

    @_cart_schema(
        "cart_retrieve",
        "My cart",
        description=(
            "Lines at today's prices with what changed since they were added, subtotal, discounts, "
            "shipping and total. A customer without a cart gets an empty one (`id` null)."
        ),
    )
    def get(self, request):
        cart = selectors.cart_find(customer=request.user)
        data = cart_summary_data(cart)
        journey_step(request, JourneyAction.VIEW_CART, details={"items": data["item_count"]})
        return Response(data)

    @_cart_schema("cart_clear", "Empty my cart", description="Removes every line and coupon; answers with the (empty) cart.",
                  request=None)
    def delete(self, request):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_clear(cart=cart)
        return Response(cart_summary_data(cart))


def _change_cart(user, change):
    """Apply ``change`` (a cart command taking the cart) to the customer's open cart; returns the
    cart and what the command returned.

    An existing cart gets the command's own transaction (no savepoint). Without one, the cart is
    created in the same transaction as its first change, or not at all.
    """
    cart = selectors.cart_find(customer=user)
    if cart is not None:
        return cart, change(cart)
    with transaction.atomic():
        cart = services.cart_get_or_create(customer=user)
        return cart, change(cart)


class CartItemAddApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartItemAddInput")
    class InputSerializer(StrictInputSerializer):
        product_id = serializers.IntegerField(min_value=1)
        quantity = QuantityField()

    @_cart_schema(
        "cart_items_add",
        "Add a product to my cart",
        description=(
            "Adding a product already in the cart adds to its line. The line is capped at the units "
            "available (the answer's `notices` says so); an out-of-stock product is refused (409). The "
            "price is always the catalog's: a request carrying a price (`unit_price`, `price`, ...) is refused."
        ),
        request=InputSerializer,
        invalid=[*QUANTITY_ERRORS, error_example("product_inactive", "Organic whole milk 1 l is not for sale.")],
        errors={404: error_response("No product has this id.", error_example("product_not_found", "No such product.")),
                409: OUT_OF_STOCK},
        examples=[sent("Three bottles", {"product_id": 42, "quantity": 3})],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product_id, quantity = serializer.validated_data["product_id"], serializer.validated_data["quantity"]
        cart, change = _change_cart(request.user, lambda cart: services.cart_add_item(cart=cart, product_id=product_id, quantity=quantity))
        journey_step(request, JourneyAction.ADD_TO_CART, product_id=product_id, details={"quantity": quantity})
        return Response(cart_summary_data(cart, notices=capped_notices(change)))


class _LineQuantityField(QuantityField):
    """A line's quantity (documented as QuantityField), checked by the service with the line's index
    (``invalid_quantity`` on ``lines[2].quantity``) rather than here, where the index is not known."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = []  # min/max are the service's check, on the value as sent

    def to_internal_value(self, data):
        return data


@extend_schema_serializer(component_name="CartLineInput")
class CartLineInputSerializer(StrictInputSerializer):
    product_id = serializers.IntegerField(min_value=1)
    quantity = _LineQuantityField()


class CartLinesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartLinesSetInput")
    class InputSerializer(StrictInputSerializer):
        lines = CartLineInputSerializer(
            many=True, allow_empty=True,
            help_text=f"Every line the cart should hold, each product once; at most {services.MAX_CART_LINES}.",
        )

    @_cart_schema(
        "cart_lines_set",
        "Set all my cart's lines at once",
        description=SET_LINES_DESCRIPTION,
        request=InputSerializer,
        invalid=SET_LINES_ERRORS,
        errors={404: error_response("A line names a product that does not exist.", error_example(
            "product_not_found", "No such product.", {"lines[0].product_id": ["No such product."]}))},
        examples=[
            sent("A weekly basket", {"lines": [{"product_id": 42, "quantity": 3}, {"product_id": 7, "quantity": 1},
                                               {"product_id": 19, "quantity": 2}]}),
            sent("Remove every line", {"lines": []}),
        ],
    )
    def put(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [(line["product_id"], line["quantity"]) for line in serializer.validated_data["lines"]]
        if lines:
            cart, changed = _change_cart(request.user, lambda cart: services.cart_set_lines(cart=cart, lines=lines))
        else:  # nothing to hold: an existing cart is emptied of its lines, none is created
            cart = selectors.cart_find(customer=request.user)
            changed = services.cart_set_lines(cart=cart, lines=[]) if cart is not None else None
        if changed is not None:  # the journey steps the one-line endpoints record: a removal, an addition
            steps = [Step(JourneyAction.REMOVE_FROM_CART, product_id=p) for p in changed.removed]
            steps += [Step(JourneyAction.ADD_TO_CART, product_id=p, details={"quantity": q}) for p, q in changed.added]
            journey_steps(request, steps)
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

    @_cart_schema("cart_items_update", "Change a line's quantity", parameters=[LINE_ID], request=InputSerializer,
                  description="Capped at the units available (the answer's `notices` says so); a product now out of stock is refused (409).",
                  invalid=QUANTITY_ERRORS, errors={404: LINE_NOT_FOUND, 409: OUT_OF_STOCK}, examples=[sent("Five now", {"quantity": 5})])
    def patch(self, request, line_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self._cart(request)
        change = services.cart_update_quantity(cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"])
        return Response(cart_summary_data(cart, notices=capped_notices(change)))

    @_cart_schema("cart_items_remove", "Remove a line", parameters=[LINE_ID], request=None, errors={404: LINE_NOT_FOUND})
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

    @_cart_schema(
        "cart_coupons_apply",
        "Apply a coupon code",
        description="The code is checked by the promotions rules; one that does not apply is refused with its reason.",
        request=InputSerializer,
        invalid=COUPON_ERRORS,
        examples=[sent("A code", {"code": "SPRING10"})],
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
            journey_step(request, JourneyAction.APPLY_COUPON, details={"code": normalise_coupon_code(code), "accepted": False,
                                                                         "reason": exc.code})
            raise
        journey_step(request, JourneyAction.APPLY_COUPON, details={"code": normalise_coupon_code(code), "accepted": True})
        return Response(cart_summary_data(cart))


class CartCouponRemoveApi(APIView):
    permission_classes = [IsAuthenticated]

    @_cart_schema(
        "cart_coupons_remove",
        "Remove a coupon code",
        description="Removing a code that is not on the cart changes nothing.",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="The coupon code.")],
        request=None,
        errors={404: NOT_FOUND},  # no code in the URL
    )
    def delete(self, request, code: str):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_remove_coupon(cart=cart, code=code)
        return Response(cart_summary_data(cart))


class CartAcceptChangesApi(APIView):
    permission_classes = [IsAuthenticated]

    @_cart_schema(
        "cart_accept_changes",
        "Accept today's prices",
        description="After a `price_changed` flag: the shopper has seen the new prices and takes them.",
        request=None,
    )
    def post(self, request):
        cart = selectors.cart_find(customer=request.user)
        if cart is not None:
            cart = services.cart_accept_changes(cart=cart)
        return Response(cart_summary_data(cart))
