"""Recommendations over REST: every query (for you, similar, bought together with a product or with
the cart, trending, recently viewed, popular) and the tracking commands a mobile client sends (it
reports its own impressions and clicks; pages record theirs themselves).

A query answers one list with its ``list_id``; the client reports the list as seen when it shows it
(``impressions``) and a product opened from it (``clicks``). The shopper is the logged-in customer,
else the session (a session cookie); a token client without a customer gets what anyone gets.
"""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.permissions import has_access
from commerce.api.schema import PUBLIC, STAFF, answer, documented, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import MoneyOutputSerializer, QueryParamsSerializer, StrictInputSerializer
from commerce.catalog import inventory
from commerce.catalog.selectors import category_get, product_get
from orders.selectors import cart_product_ids
from recommendations.errors import CategoryNotFound, PlacementNotFound
from recommendations.models import Intent
from recommendations.services.serving import recommendation_click_track, recommendation_impressions_mark
from recommendations.serving import cache
from recommendations.serving.performance import recommendation_performance
from recommendations.serving.placements import API_DEFAULTS, placements
from recommendations.serving.serve import NO_CONTEXT, Context, recommendations_serve
from recommendations.serving.shopper import Shopper, shopper_from_request

_schema = functools.partial(documented, tags=["recommendations"])
MAX_LIST_IDS = 50

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Product id.")
PRODUCT_NOT_FOUND = error_response("No active product has this id.", error_example("product_not_found", "No such product."))
PLACEMENT_NOT_FOUND = error_response(
    "No placement of this intent has that key.", error_example("placement_not_found", "No placement 'sidebar' for similar."))
QUERY_INVALID = invalid_filter("A parameter is not valid; `fields` names it.",
                               error_example("invalid", "Invalid input.", {"limit": ["Ensure this value is less than or equal to 24."]}))
LIST_NOT_FOUND = error_response("No list with this id was served to you.",
                                error_example("recommendation_list_not_found", "No such recommendation list."))


def api_shopper(request) -> Shopper:
    """The customer, else the session the client keeps (never one created for it)."""
    return shopper_from_request(request)


class RecommendedProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="SKU.")
    name = serializers.CharField()
    slug = serializers.CharField()
    price = MoneyOutputSerializer()
    in_stock = serializers.SerializerMethodField(help_text="Always true when served: lists never hold what is out of stock.")
    available = serializers.SerializerMethodField(help_text="\"Only N left\" when few are, else null.")

    def get_in_stock(self, product) -> bool:
        return product.available > 0

    def get_available(self, product) -> int | None:
        return inventory.shopper_available(product.available)


@extend_schema_serializer(component_name="RecommendationList")
class ListOutputSerializer(serializers.Serializer):
    list_id = serializers.UUIDField(allow_null=True, help_text="Report impressions and clicks with it; null when empty.")
    placement = serializers.CharField()
    intent = serializers.ChoiceField(choices=Intent.choices)
    model_version = serializers.IntegerField(allow_null=True, help_text="The trained model that ranked it, if one did.")
    products = RecommendedProductSerializer(many=True)


class ListQuerySerializer(QueryParamsSerializer):
    placement = serializers.SlugField(max_length=40, required=False, help_text="A placement of this intent (default: the app's).")
    limit = serializers.IntegerField(min_value=1, max_value=24, required=False, help_text="At most the placement's size.")


class PopularQuerySerializer(ListQuerySerializer):
    category = serializers.SlugField(max_length=140, required=False, help_text="A category's slug: popular in it.")


LIST_ANSWER = answer("A list", {
    "list_id": "5f0c1d2e-9a8b-4c7d-8e6f-0a1b2c3d4e5f", "placement": "product_similar", "intent": "similar",
    "model_version": 3,
    "products": [{"id": 42, "code": "TEA-042", "name": "Green tea", "slug": "green-tea",
                  "price": {"amount": "4.90", "currency": "EUR"}, "in_stock": True, "available": None}],
}, "200")


def _serve(request, intent: str, *, context: Context = NO_CONTEXT, default: str | None = None,
           query_class=ListQuerySerializer) -> Response:
    """Check the query, find the placement (one of this intent), serve its list to the request's shopper."""
    query = query_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    key = data.get("placement") or default or API_DEFAULTS[intent]
    spec = placements(cache.versions(cache.GLOBAL)[cache.GLOBAL]).get(key)
    if spec is None or spec.intent != intent:
        raise PlacementNotFound(f"No placement {key!r} for {intent}.")
    if data.get("category"):
        category = category_get(slug=data["category"])
        if category is None:
            raise CategoryNotFound("No such category.", fields={"category": ["No such category."]})
        context = Context(category_id=category.pk)
    served = recommendations_serve(placement=key, shopper=api_shopper(request), context=context, impressed=False,
                                   size=data.get("limit"))
    return Response(ListOutputSerializer(served).data)


POPULAR_NOT_FOUND = error_response(
    "No placement of this intent has that key, or no category that slug.",
    error_example("placement_not_found", "No placement 'sidebar' for popular."),
    error_example("category_not_found", "No such category."),
)
_LIST_ERRORS = {**QUERY_INVALID, 404: PLACEMENT_NOT_FOUND}


class ForYouApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_for_you", "Recommended for you", ok=ListOutputSerializer, access=PUBLIC,
             description="Personalised from what the shopper viewed, put in the cart and bought (the trained model when "
                         "one is active); what is trending for a shopper without history. Never what is in the cart, "
                         "out of stock, or a one-off purchase just made.",
             parameters=[ListQuerySerializer], errors=_LIST_ERRORS, examples=[LIST_ANSWER])
    def get(self, request):
        return _serve(request, Intent.FOR_YOU)


class TrendingApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_trending", "Trending products", ok=ListOutputSerializer, access=PUBLIC,
             description="Views and adds to cart of the last hours against the week before.",
             parameters=[ListQuerySerializer], errors=_LIST_ERRORS, examples=[LIST_ANSWER])
    def get(self, request):
        return _serve(request, Intent.TRENDING)


class RecentlyViewedApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_recently_viewed", "Recently viewed", ok=ListOutputSerializer, access=PUBLIC,
             description="The shopper's own product views, newest first.",
             parameters=[ListQuerySerializer], errors=_LIST_ERRORS, examples=[LIST_ANSWER])
    def get(self, request):
        return _serve(request, Intent.RECENTLY_VIEWED)


class PopularApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_popular", "Popular products", ok=ListOutputSerializer, access=PUBLIC,
             description="Most bought and viewed in the last 30 days, in a category (and its subcategories) when given.",
             parameters=[PopularQuerySerializer], errors={**QUERY_INVALID, 404: POPULAR_NOT_FOUND},
             examples=[LIST_ANSWER])
    def get(self, request):
        return _serve(request, Intent.POPULAR, query_class=PopularQuerySerializer)


class CartBoughtTogetherApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_cart", "Goes well with the cart", ok=ListOutputSerializer, access=PUBLIC,
             description="Frequently bought together with what is in the shopper's cart (empty for an empty cart).",
             parameters=[ListQuerySerializer], errors=_LIST_ERRORS, examples=[LIST_ANSWER])
    def get(self, request):
        shopper = api_shopper(request)
        in_cart = cart_product_ids(customer_id=shopper.customer_id, session_key=shopper.session_key)
        return _serve(request, Intent.BOUGHT_TOGETHER, context=Context(product_ids=tuple(in_cart)),
                      default="cart_bought_together")


class SimilarProductsApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_similar", "Similar products", ok=ListOutputSerializer, access=PUBLIC,
             description="Products like this one: the trained model's item factors, or for a product it does not know "
                         "its category, manufacturer and words.",
             parameters=[PRODUCT_ID, ListQuerySerializer], errors={**QUERY_INVALID, 404: PRODUCT_NOT_FOUND},
             examples=[LIST_ANSWER])
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        return _serve(request, Intent.SIMILAR, context=Context(product_id=product.pk))


class BoughtTogetherApi(APIView):
    permission_classes = [AllowAny]

    @_schema("recommendations_bought_together", "Frequently bought together", ok=ListOutputSerializer, access=PUBLIC,
             description="Products often in the same order as this one (enough orders, above a confidence and lift threshold).",
             parameters=[PRODUCT_ID, ListQuerySerializer], errors={**QUERY_INVALID, 404: PRODUCT_NOT_FOUND},
             examples=[LIST_ANSWER])
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        return _serve(request, Intent.BOUGHT_TOGETHER, context=Context(product_id=product.pk))


# --- performance (staff) -------------------------------------------------------------------------------
CanViewLists = has_access("recommendations.view_recommendationlist", "You need the view recommendation list permission.")


class PerformanceQuerySerializer(QueryParamsSerializer):
    days = serializers.IntegerField(min_value=1, max_value=366, required=False, help_text="The last N days (default 7).")


@extend_schema_serializer(component_name="RecommendationPerformance")
class PerformanceRowSerializer(serializers.Serializer):
    placement = serializers.CharField()
    intent = serializers.ChoiceField(choices=Intent.choices)
    model_version = serializers.IntegerField(allow_null=True)
    lists = serializers.IntegerField(help_text="Lists served.")
    impressions = serializers.IntegerField(help_text="Lists seen (pages: when shown; the apps report theirs).")
    clicks = serializers.IntegerField()
    add_to_carts = serializers.IntegerField(help_text="Adds to cart attributed to the lists (last click within the window, 24 h by default).")
    purchases = serializers.IntegerField(help_text="Order lines attributed to the lists (last click within the window, 7 days by default).")
    revenue = MoneyOutputSerializer(many=True, source="revenue_money", help_text="The attributed lines' totals, per currency.")
    ctr = serializers.FloatField(allow_null=True, help_text="Clicks per list seen; null when none was seen.")
    add_to_cart_rate = serializers.FloatField(allow_null=True, help_text="Lists seen that led to an add to cart, per list seen.")
    conversion_rate = serializers.FloatField(allow_null=True, help_text="Lists seen that led to a purchase, per list seen.")


class PerformanceApi(APIView):
    permission_classes = [IsAuthenticated, CanViewLists]

    @_schema("recommendations_performance", "Recommendation performance", ok=PerformanceRowSerializer(many=True),
             access=STAFF, description="`GetRecommendationPerformance`: lists served, seen and clicked, the adds to cart "
                                       "and purchases attributed to them, their revenue, and the click-through, add-to-cart "
                                       "and conversion rates per placement, intent and model version, over the last days "
                                       "(today included). Past days come from the nightly daily rows.",
             parameters=[PerformanceQuerySerializer],
             errors=invalid_filter("`days` is not a number from 1 to 366.",
                                   error_example("invalid", "Invalid input.", {"days": ["Ensure this value is less than or equal to 366."]})),
             example=("A week", [{"placement": "product_similar", "intent": "similar", "model_version": 3, "lists": 1200,
                                  "impressions": 1180, "clicks": 71, "add_to_carts": 12, "purchases": 5,
                                  "revenue": [{"amount": "84.50", "currency": "EUR"}], "ctr": 0.06,
                                  "add_to_cart_rate": 0.0093, "conversion_rate": 0.0042}]))
    def get(self, request):
        query = PerformanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = recommendation_performance(days=query.validated_data.get("days") or 7)
        return Response(PerformanceRowSerializer(rows, many=True).data)


# --- tracking -----------------------------------------------------------------------------------------
class ImpressionsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="RecommendationImpressionsInput")
    class InputSerializer(StrictInputSerializer):
        list_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=MAX_LIST_IDS,
                                         help_text=f"The lists shown (1 to {MAX_LIST_IDS}).")

    @extend_schema_serializer(component_name="RecommendationImpressions")
    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField(help_text="Lists of yours marked seen now (already seen or unknown ones: not counted).")

    @_schema("recommendations_impressions", "Report lists shown", ok=OutputSerializer, request=InputSerializer,
             access=PUBLIC, description="`MarkRecommendationAsViewed`: the client showed these lists. Idempotent.",
             invalid=[error_example("invalid", "Invalid input.", {"list_ids": ["This list may not be empty."]})],
             examples=[sent("Two lists", {"list_ids": ["5f0c1d2e-9a8b-4c7d-8e6f-0a1b2c3d4e5f"]})])
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = recommendation_impressions_mark(list_ids=body.validated_data["list_ids"], shopper=api_shopper(request))
        return Response({"marked": marked})


class ClicksApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="RecommendationClickInput")
    class InputSerializer(StrictInputSerializer):
        list_id = serializers.UUIDField()
        product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    @extend_schema_serializer(component_name="RecommendationClick")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        position = serializers.IntegerField(help_text="The product's place in the list, from 1.")

    @_schema("recommendations_clicks", "Report a product opened from a list", ok=OutputSerializer, status=201,
             request=InputSerializer, access=PUBLIC,
             description="`TrackRecommendationInteraction`: the shopper opened this product from this list.",
             invalid=[error_example("recommendation_not_in_list", "That product is not in the list.",
                                    {"product_id": ["Not in the list."]})],
             errors={404: LIST_NOT_FOUND},
             examples=[sent("A click", {"list_id": "5f0c1d2e-9a8b-4c7d-8e6f-0a1b2c3d4e5f", "product_id": 42})])
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        click = recommendation_click_track(list_id=body.validated_data["list_id"], product_id=body.validated_data["product_id"],
                                           shopper=api_shopper(request))
        return Response({"id": click.pk, "position": click.position}, status=status.HTTP_201_CREATED)

