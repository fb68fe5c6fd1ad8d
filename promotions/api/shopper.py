"""Promotions for shoppers: the active automatic promotions, a product's promotions, mine, and my coupons.

The public lists show automatic promotions open to everyone only: a coupon-only or a
segment-only promotion never appears there, so a secret offer cannot be discovered. A logged-in
customer also sees the promotions of their segments and those their own coupons unlock; another
customer's coupon is not found.
"""

from __future__ import annotations

import functools

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.schema import PAGE_NOT_FOUND, PUBLIC, documented, error_example, error_response
from commerce.catalog.selectors import product_get
from promotions import selectors
from promotions.api.common import PublicPromotionOutputSerializer
from promotions.api.schema import COUPON_CODE, MY_COUPON_ANSWER, MY_COUPON_NOT_FOUND, PUBLIC_ANSWER

COUPON_STATUSES = ["usable", "not_yet_valid", "unavailable", "used_up", "expired", "invalidated"]
_schema = functools.partial(documented, tags=["offers"])  # a logged-in customer's read unless access=PUBLIC


class ActivePromotionListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @_schema(
        "promotions_active",
        "Current offers",
        description="The automatic promotions that apply now for everyone, highest priority first. "
                    "Coupon-only and segment-only promotions are not listed.",
        ok=PublicPromotionOutputSerializer(many=True),
        access=PUBLIC,
        errors={404: PAGE_NOT_FOUND},
        examples=[PUBLIC_ANSWER],
    )
    def get(self, request):
        promotions = selectors.promotion_active_list().filter(requires_coupon=False, segments__isnull=True)
        return paginated_response(queryset=promotions, serializer_class=PublicPromotionOutputSerializer,
                                  request=request, view=self)


class ProductPromotionListApi(APIView):
    permission_classes = [AllowAny]

    @_schema(
        "products_promotions",
        "Offers on a product",
        description="The automatic promotions open to everyone that apply to this product now (by product, category or "
                    "manufacturer, and product discounts on everything).",
        ok=PublicPromotionOutputSerializer(many=True),
        access=PUBLIC,
        parameters=[OpenApiParameter("product_id", int, OpenApiParameter.PATH, description="Product id.")],
        errors={404: error_response("No active product with this id.", error_example("product_not_found", "No such product."))},
        examples=[PUBLIC_ANSWER],
    )
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        promotions = selectors.promotions_for_product(product=product)
        return Response(PublicPromotionOutputSerializer(promotions, many=True).data)


class MyPromotionListApi(APIView):
    permission_classes = [IsAuthenticated]

    @_schema(
        "me_promotions",
        "My offers",
        description="The promotions I can get now: automatic ones for everyone or for my segments, and those my own "
                    "coupons unlock.",
        ok=PublicPromotionOutputSerializer(many=True),
        examples=[PUBLIC_ANSWER],
    )
    def get(self, request):
        promotions = selectors.promotions_for_customer(customer=request.user)
        return Response(PublicPromotionOutputSerializer(promotions, many=True).data)


@extend_schema_serializer(component_name="MyCoupon")
class MyCouponOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    promotion = PublicPromotionOutputSerializer()
    status = serializers.SerializerMethodField(help_text=f"One of: {', '.join(COUPON_STATUSES)}.")
    status_label = serializers.SerializerMethodField(help_text="The status said for the shopper.")
    max_uses = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    used_count = serializers.IntegerField()
    uses_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    valid_from = serializers.SerializerMethodField(help_text="When it can first be used (null: already).")
    expires_at = serializers.SerializerMethodField(
        help_text="When it stops working: the earliest of the coupon's, its promotion's and its campaign's end."
    )
    assigned_at = serializers.DateTimeField(allow_null=True)

    def _state(self, coupon):
        cache = self.context.setdefault("states", {})
        if coupon.pk not in cache:
            cache[coupon.pk] = selectors.coupon_state(coupon=coupon, now=self.context.get("now"))
        return cache[coupon.pk]

    @extend_schema_field({"type": "string", "enum": COUPON_STATUSES})
    def get_status(self, coupon) -> str:
        return self._state(coupon).status

    def get_status_label(self, coupon) -> str:
        return self._state(coupon).label

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_valid_from(self, coupon):
        starts_at = self._state(coupon).starts_at
        return serializers.DateTimeField().to_representation(starts_at) if starts_at else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, coupon):
        expires_at = self._state(coupon).expires_at
        return serializers.DateTimeField().to_representation(expires_at) if expires_at else None


def _my_coupons(user):
    return selectors.customer_coupons(customer=user).select_related("promotion__campaign")


class MyCouponListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @_schema(
        "me_coupons",
        "My coupons",
        description="The coupons assigned to me, newest first, with what each gives, uses left, expiry and status. "
                    "Apply one with `POST /cart/coupons/`.",
        ok=MyCouponOutputSerializer(many=True),
        errors={404: PAGE_NOT_FOUND},
        examples=[MY_COUPON_ANSWER],
    )
    def get(self, request):
        return paginated_response(queryset=_my_coupons(request.user), serializer_class=MyCouponOutputSerializer,
                                  request=request, view=self, context={"now": timezone.now()})


class MyCouponDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @_schema("me_coupons_retrieve", "One of my coupons", ok=MyCouponOutputSerializer, parameters=[COUPON_CODE],
             errors={404: MY_COUPON_NOT_FOUND}, examples=[MY_COUPON_ANSWER])
    def get(self, request, code: str):
        coupon = selectors.customer_coupon_get(customer=request.user, code=code)
        return Response(MyCouponOutputSerializer(coupon, context={"now": timezone.now()}).data)
