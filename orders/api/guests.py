"""Guest checkout over REST (``/api/v1/guest/...``): the mobile app's shopper without an account.

The same services as the shop's guest pages: a guest cart is a cart without a customer, keyed by a
secret token (the page keys it by the session); checkout is ``checkout_place_and_pay`` with a
``Guest`` (their e-mail address and that token, the owner of their idempotency keys) and the
address they typed, so stock reservations, promotions, customers-only codes, idempotency and the
confirmation mail work as on the page. The answer carries ``order_token``: the signed token of the
guest's order link (as in their mails), which opens the order at ``/guest/orders/{order_token}/``.

- ``POST /guest/carts/``: a new cart token (send it back as the ``X-Guest-Cart`` header);
- ``GET /guest/cart/``, ``POST /guest/cart/items/``, ``PATCH|DELETE /guest/cart/items/{id}/``,
  ``POST /guest/cart/coupons/``;
- ``POST /guest/checkout/`` (``Idempotency-Key``), throttled per client (``guest_checkout``);
- ``GET /guest/orders/{order_token}/`` and ``POST /guest/orders/lookup/`` (number and e-mail,
  throttled per client as the page's look-up: the same answer for an unknown number as for a wrong
  address).

Switched off with ``ORDERS_GUEST_CHECKOUT``: every call answers 403 ``not_allowed_to_order``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import PUBLIC, documented, error_example, error_response, sent
from commerce.api.serializers import DecimalStringField, QuantityField, StrictInputSerializer
from commerce.api.throttling import LiveScopedRateThrottle
from orders import selectors
from orders.api.common import (
    CardInputSerializer,
    CartSummaryOutputSerializer,
    OrderDetailOutputSerializer,
    capped_notices,
    card_details,
    card_fingerprint_part,
    cart_summary_data,
    domain_error_body,
    idempotency_headers,
    with_order_number,
)
from orders.api.schema import (
    CHECKOUT_ERRORS,
    COUPON_ERRORS,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    LINE_ID,
    OUT_OF_STOCK,
    QUANTITY_ERRORS,
)
from orders.errors import GuestCartNotFound, NotAllowedToOrder, OrderNotFound, PaymentDeclined, PaymentGatewayError
from orders.guests import Guest, normalise_email, order_link_read, order_link_token
from orders.idempotency import run_idempotent
from orders.models import Order
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from orders.services.guests import guest_order_find

CART_HEADER = "X-Guest-Cart"
TOKEN_PREFIX = "api_"  # noqa: S105 - a prefix, not a secret: never a Django session key (32 letters and digits)
CHECKOUT_SCOPE = "guest-checkout"

GUEST_CART = OpenApiParameter(
    CART_HEADER, location=OpenApiParameter.HEADER, required=True,
    description="The token `POST /guest/carts/` answered: it is the cart, keep it secret.",
)
CART_NOT_FOUND = error_response("No open guest cart has this token (never issued, or checked out already).",
                                error_example("guest_cart_not_found", "No such cart."))

def _guest_checkout_open() -> None:
    if not settings.ORDERS_GUEST_CHECKOUT:
        raise NotAllowedToOrder("Log in or sign up to place an order.")


def _token(request) -> str:
    token = (request.headers.get(CART_HEADER) or "").strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 64:
        raise GuestCartNotFound("No such cart.")
    return token


def _cart(request):
    _guest_checkout_open()
    token = _token(request)
    cart = selectors.cart_find(session_key=token)
    if cart is None:
        raise GuestCartNotFound("No such cart.")
    return token, cart


def _gateway_key(token: str, key: str | None) -> str | None:
    """The key that travels to the gateway: the client's key, unique per guest cart (two guests' "1" differ)."""
    if not key:
        return None
    return f"{CHECKOUT_SCOPE}-" + hashlib.sha256(f"{token}:{CHECKOUT_SCOPE}:{key}".encode()).hexdigest()[:48]


def _schema(operation_id: str, summary: str, **parts):
    return documented(operation_id, summary, tags=["guest checkout"], access=PUBLIC, auth=[], **parts)


class _GuestApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # a guest: no session (so no CSRF), no token


class GuestCartCreateApi(_GuestApi):
    @_schema("guest_cart_create", "Start a guest cart", ok=CartSummaryOutputSerializer, status=201, request=None,
             description="Answers the cart (empty) and its `cart_token`: send it as the `X-Guest-Cart` header from now on.")
    def post(self, request):
        _guest_checkout_open()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        cart = cart_services.cart_get_or_create(session_key=token)
        return Response({**cart_summary_data(cart), "cart_token": token}, status=status.HTTP_201_CREATED)


class GuestCartApi(_GuestApi):
    @_schema("guest_cart_retrieve", "A guest cart", ok=CartSummaryOutputSerializer, parameters=[GUEST_CART],
             errors={404: CART_NOT_FOUND})
    def get(self, request):
        _, cart = _cart(request)
        return Response(cart_summary_data(cart))


class GuestCartItemAddApi(_GuestApi):
    @extend_schema_serializer(component_name="GuestCartItemAddInput")
    class InputSerializer(StrictInputSerializer):
        product_id = serializers.IntegerField(min_value=1)
        quantity = QuantityField()

    @_schema("guest_cart_items_add", "Add a product to a guest cart", ok=CartSummaryOutputSerializer,
             parameters=[GUEST_CART], request=InputSerializer, invalid=list(QUANTITY_ERRORS),
             errors={404: CART_NOT_FOUND, 409: OUT_OF_STOCK}, examples=[sent("Two", {"product_id": 42, "quantity": 2})])
    def post(self, request):
        _, cart = _cart(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = cart_services.cart_add_item(cart=cart, **serializer.validated_data)
        return Response(cart_summary_data(cart, notices=capped_notices(change)))


class GuestCartItemApi(_GuestApi):
    @extend_schema_serializer(component_name="GuestCartItemUpdateInput")
    class InputSerializer(StrictInputSerializer):
        quantity = QuantityField()

    @_schema("guest_cart_items_update", "Change a line's quantity", ok=CartSummaryOutputSerializer,
             parameters=[GUEST_CART, LINE_ID], request=InputSerializer, invalid=list(QUANTITY_ERRORS),
             errors={404: CART_NOT_FOUND})
    def patch(self, request, line_id: int):
        _, cart = _cart(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = cart_services.cart_update_quantity(cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"])
        return Response(cart_summary_data(cart, notices=capped_notices(change)))

    @_schema("guest_cart_items_remove", "Remove a line", ok=CartSummaryOutputSerializer, parameters=[GUEST_CART, LINE_ID],
             request=None, errors={404: CART_NOT_FOUND})
    def delete(self, request, line_id: int):
        _, cart = _cart(request)
        cart_services.cart_remove_item(cart=cart, line_id=line_id)
        return Response(cart_summary_data(cart))


class GuestCartCouponApi(_GuestApi):
    @extend_schema_serializer(component_name="GuestCartCouponInput")
    class InputSerializer(StrictInputSerializer):
        code = serializers.CharField(max_length=40)

    @_schema("guest_cart_coupons_apply", "Apply a coupon code to a guest cart", ok=CartSummaryOutputSerializer,
             parameters=[GUEST_CART], request=InputSerializer, invalid=list(COUPON_ERRORS), errors={404: CART_NOT_FOUND},
             description="As for customers; a code for customers only is refused with a message to log in or sign up.")
    def post(self, request):
        _, cart = _cart(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_services.cart_apply_coupon(cart=cart, code=serializer.validated_data["code"])
        return Response(cart_summary_data(cart))


@extend_schema_serializer(component_name="GuestAddressInput")
class GuestAddressSerializer(StrictInputSerializer):
    recipient = serializers.CharField(max_length=120)
    street = serializers.CharField(max_length=200)
    zip_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, help_text="ISO 3166 code, e.g. `fr`.")


@extend_schema_serializer(component_name="GuestOrderDetail")
class GuestOrderOutputSerializer(OrderDetailOutputSerializer):
    order_token = serializers.CharField(help_text="Opens the order at `/guest/orders/{order_token}/` (as the mails' link).")


def _guest_order_data(order: Order) -> dict:
    order = (Order.objects.select_related("customer").prefetch_related("lines__allocations", "payments", "refunds")
             .get(pk=order.pk))
    context = {"currency": order.currency, "timeline": list(selectors.order_timeline(order=order)), "actions": [],
               "stock_details": False}
    return {**OrderDetailOutputSerializer(order, context=context).data,
            "order_token": order_link_token(number=order.number, email=order.guest_email)}


class GuestCheckoutApi(_GuestApi):
    """Check out a guest cart: as the customer's checkout, with an e-mail address and a typed address.

    A declined card (402) voids the attempt and puts its items back in the guest cart, as on the page.
    """

    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "guest_checkout"

    @extend_schema_serializer(component_name="GuestCheckoutInput")
    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(max_length=254, help_text="Where the confirmation and the order's mails go.")
        address = GuestAddressSerializer()
        payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)
        card = CardInputSerializer(required=False, allow_null=True, help_text="Required for `card`; not sent for `cod`.")
        expected_total = DecimalStringField(required=False, allow_null=True, min_value=0,
                                            help_text="The cart's `total.amount` the shopper saw (another: 409 `cart_changed`).")
        shipping_method = serializers.CharField(required=False, max_length=30)

        def validate(self, attrs):
            card = attrs.get("card")
            if attrs["payment_method"] == Order.PaymentMethod.CARD and not card:
                raise serializers.ValidationError({"card": ["Required for card payments."]})
            if attrs["payment_method"] == Order.PaymentMethod.CASH_ON_DELIVERY and card:
                raise serializers.ValidationError({"card": ["Not used for cash on delivery."]})
            return attrs

    @_schema("guest_checkout_create", "Check out as a guest", ok=GuestOrderOutputSerializer, status=201,
             parameters=[GUEST_CART, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED], request=InputSerializer,
             errors={**CHECKOUT_ERRORS, 404: CART_NOT_FOUND})
    def post(self, request):
        _guest_checkout_open()
        token = _token(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        guest = Guest(email=normalise_email(data["email"]), token=token)
        key = request.headers.get("Idempotency-Key") or None

        def run():
            try:
                order = checkout_place_and_pay(  # the token's open cart; none: 400 cart_empty
                    guest=guest, guest_address=dict(data["address"]), payment_method=data["payment_method"],
                    expected_total=data.get("expected_total"), idempotency_key=_gateway_key(token, key),
                    card=card_details(data.get("card")), shipping_method=data.get("shipping_method"),
                )
            except (PaymentDeclined, PaymentGatewayError) as exc:
                raise with_order_number(exc, exc.extra["order_number"]) from exc
            return status.HTTP_201_CREATED, _guest_order_data(order)

        payload = {"email": guest.email, "address": dict(data["address"]), "payment_method": data["payment_method"],
                   "expected_total": data.get("expected_total"), "card": card_fingerprint_part(data.get("card")),
                   **({"shipping_method": data["shipping_method"]} if data.get("shipping_method") else {})}
        code, body, replayed = run_idempotent(guest=token, scope=CHECKOUT_SCOPE, key=key, payload=payload, run=run,
                                              error_body=domain_error_body)
        return Response(body, status=code, headers=idempotency_headers(replayed))


class GuestOrderApi(_GuestApi):
    @_schema("guest_order_retrieve", "A guest's order, by its link's token", ok=GuestOrderOutputSerializer,
             parameters=[OpenApiParameter("order_token", location=OpenApiParameter.PATH, type=str)],
             errors={404: error_response("No order has this token.", error_example("order_not_found", "No such order."))})
    def get(self, request, order_token: str):
        found = order_link_read(order_token)
        order = guest_order_find(number=found[0], email=found[1]) if found else None
        if order is None:
            raise OrderNotFound("No such order.")
        return Response(_guest_order_data(order))


class GuestOrderLookupApi(_GuestApi):
    """The order number and the e-mail address it was placed with: the same 404 for a wrong address as
    for an unknown number, throttled per client (``guest_lookup``)."""

    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "guest_lookup"

    @extend_schema_serializer(component_name="GuestOrderLookupInput")
    class InputSerializer(StrictInputSerializer):
        number = serializers.CharField(max_length=20)
        email = serializers.CharField(max_length=254)

    @_schema("guest_order_lookup", "Find a guest's order", ok=GuestOrderOutputSerializer, request=InputSerializer,
             errors={404: error_response("No such order for this address.", error_example("order_not_found", "No such order."))})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = guest_order_find(**serializer.validated_data)
        if order is None:
            raise OrderNotFound("No such order.")
        return Response(_guest_order_data(order))


