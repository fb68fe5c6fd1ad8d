"""Shipping methods (``/api/v1/shipping-methods/``) and the cart's choice (``/api/v1/cart/shipping-method/``)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import PUBLIC, documented, sent
from commerce.api.serializers import MoneyOutputSerializer, StrictInputSerializer
from commerce.money import default_currency
from orders import selectors
from orders.api.common import CartSummaryOutputSerializer, cart_summary_data
from orders.api.schema import CART_ANSWER, SHIPPING_METHOD_INVALID
from orders.services import cart as cart_services
from orders.shipping.selectors import shipping_options
from orders.shipping.services import cart_choose_shipping_method


@extend_schema_serializer(component_name="DeliveryWindow")
class DeliveryWindowSerializer(serializers.Serializer):
    ships_on = serializers.DateField(help_text="The day it leaves the warehouse.")
    earliest = serializers.DateField()
    latest = serializers.DateField()


@extend_schema_serializer(component_name="ShippingMethod")
class ShippingMethodOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Send it as `shipping_method` (cart, checkout).")
    name = serializers.CharField()
    description = serializers.CharField()
    price = MoneyOutputSerializer(help_text="Before the free-shipping rule and any shipping discount.")
    free_over = MoneyOutputSerializer(allow_null=True, help_text="Free from this subtotal on; null: never free.")
    window = DeliveryWindowSerializer(help_text="When an order placed now would arrive (weekends and holidays counted).")


class ShippingMethodListApi(APIView):
    permission_classes = [AllowAny]

    @documented("shipping_methods_list", "Shipping methods", tags=["checkout"], access=PUBLIC,
                ok=ShippingMethodOutputSerializer(many=True),
                description="The methods the shop offers in its currency, cheapest first, with the delivery window of an order placed now.")
    def get(self, request):
        return Response(ShippingMethodOutputSerializer(shipping_options(currency=default_currency()), many=True).data)


class CartShippingMethodApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CartShippingMethodInput")
    class InputSerializer(StrictInputSerializer):
        shipping_method = serializers.CharField(max_length=30, help_text="A `code` of `/shipping-methods/`.")

    @documented("cart_shipping_method_set", "Choose how my cart is delivered", tags=["cart"], ok=CartSummaryOutputSerializer,
                request=InputSerializer, invalid=[SHIPPING_METHOD_INVALID], examples=[sent("Express", {"shipping_method": "express"}), CART_ANSWER],
                description="The method's price becomes the cart's `shipping` (free from its `free_over`); the answer's "
                            "`shipping_method` has its delivery window. Creates the cart when there is none.")
    def put(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["shipping_method"]
        cart = selectors.cart_find(customer=request.user)
        with transaction.atomic():  # a new cart only together with its choice
            if cart is None:
                cart = cart_services.cart_get_or_create(customer=request.user)
            cart = cart_choose_shipping_method(cart=cart, code=code)
        return Response(cart_summary_data(cart))
