"""Catalog REST API (``/api/v1/``): products, their availability, and the category tree.

Read-only and open to everyone. Each view asks the catalog selectors or the inventory service and
shapes the answer; the product list costs the same number of queries at any page size.
"""

import functools

from django.urls import reverse
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.accounts.access import can_view_stock_details
from commerce.api.schema import PAGE_NOT_FOUND, PUBLIC, answer, documented, error_example, invalid_filter
from commerce.api.serializers import MoneyOutputSerializer, QueryParamsSerializer
from commerce.audit.journey import JourneyAction, journey_record_for_api
from commerce.catalog import inventory, prices, selectors
from commerce.catalog.api.pagination import SearchPagination
from commerce.catalog.api.schema import (
    PRODUCT_DETAIL_EXAMPLE,
    PRODUCT_EXAMPLE,
    PRODUCT_ID,
    PRODUCT_NOT_FOUND,
)
from commerce.catalog.api.serializers import (
    CategoryRefSerializer,
    ManufacturerDetailSerializer,
    ManufacturerRefSerializer,
    ProductImageSerializer,
)
from commerce.catalog.badges import badges_for
from commerce.catalog.errors import InvalidQuantity
from commerce.catalog.filters import ProductFilter
from commerce.catalog.models import Category
from commerce.catalog.search import query as search

# public reads, each with one example answer
_catalog_schema = functools.partial(documented, tags=["catalog"], access=PUBLIC)


_journey_step = journey_record_for_api


def _staff_view(context) -> bool:
    """Exact stock counts are for staff (``access.can_view_stock_details``), asked once per answer."""
    if "staff_view" not in context:
        request = context.get("request")
        context["staff_view"] = request is not None and can_view_stock_details(request.user)
    return context["staff_view"]


class ProductOutputSerializer(serializers.Serializer):
    """The fields every product answer has; list and detail add theirs."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="SKU.")
    name = serializers.CharField()
    slug = serializers.CharField()
    price = MoneyOutputSerializer(help_text="The regular price of one unit.")
    price_now = MoneyOutputSerializer(source="shelf_price", help_text=(
        "What one unit costs this shopper now, as the shop's cards, product page and cart price it: the regular "
        "price lowered by the live promotions that need no condition (no code, minimum or second unit); a "
        "logged-in customer's include those of their segments."
    ))
    was_price = MoneyOutputSerializer(allow_null=True, help_text=(
        "The regular price, shown struck through, when `price_now` is lower; else null."
    ))
    offers = serializers.ListField(child=serializers.CharField(), source="badges", help_text=(
        "The labels of the live automatic promotions on this product, as its card shows them (\"-10%\", "
        "\"3 for 2\"): a conditional offer's label says its condition; the discount itself is given in the cart."
    ))
    category = CategoryRefSerializer()
    manufacturer = ManufacturerRefSerializer()
    is_perishable = serializers.BooleanField()
    available = serializers.SerializerMethodField(help_text=(
        "Units that can be bought now (expired batches excluded): to staff always; to shoppers only when "
        f"few are left ({inventory.LOW_STOCK_THRESHOLD} or fewer: \"only 3 left\"), else null."
    ))
    in_stock = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    images = ProductImageSerializer(many=True, source="images.all", help_text="The pictures in order; the first is the cover.")

    def get_available(self, product) -> int | None:
        return product.available if _staff_view(self.context) else inventory.shopper_available(product.available)

    def get_in_stock(self, product) -> bool:
        return product.available > 0

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product) -> str:
        path = reverse("catalog_api:product_detail", kwargs={"product_id": product.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def priced(products, request) -> list:
    """Put on each product what its card shows (``price_now``, ``was_price``, ``offers``): one look-up for them all."""
    products = list(products)
    badges = badges_for(product.pk for product in products)
    for product in products:
        product.badges = badges[product.pk]
    prices.annotate(products, customer=prices.shopper(request))
    return products


class ProductListApi(GenericAPIView):
    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = SearchPagination

    @extend_schema_serializer(component_name="ProductListOutput")
    class OutputSerializer(ProductOutputSerializer):
        pass

    def get_queryset(self):
        return selectors.with_images(selectors.product_queryset())

    @_catalog_schema(
        "products_list",
        "List products",
        description=(
            "Active products, filtered, ordered and paginated (`page`, `page_size` up to 100). "
            "With `q`, the best matches come first and `search` says what was searched: the query corrected when a "
            "word matched nothing (`showing_results_for`), a more likely spelling (`did_you_mean`), and, when nothing "
            "matched, `categories` whose names match and `suggestions` (products matching some of the words, or "
            "popular ones). Each product has the price one unit costs this shopper now (`price_now`, with the regular "
            "`was_price` when an unconditional promotion lowers it) and the labels of its `offers`, as the shop's cards "
            "show them. The number of SQL queries depends on neither the page size nor the number of matches."
        ),
        ok=OutputSerializer(many=True),
        errors={
            **invalid_filter("A filter value is not valid; `fields` names it.", error_example(
                "invalid", "The request is not valid.", {"category": ["Select a valid choice."]})),
            404: PAGE_NOT_FOUND,
        },
        example=("A product", PRODUCT_EXAMPLE),
    )
    def get(self, request):
        # The filter backend's work, keeping the filter set: it knows what the text search meant.
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        searched = filterset.search
        if searched is not None:
            count = self.paginator.page.paginator.count
            if self.paginator.page.number == 1:
                details = {"query": searched.text[:200], "results": count}
                if searched.corrected:
                    details["corrected"] = searched.corrected
                _journey_step(request, JourneyAction.PRODUCT_SEARCH, details=details)
            self.paginator.search = self._search_answer(request, searched, empty=count == 0)
        serializer = self.OutputSerializer(priced(page, request), many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)

    def _search_answer(self, request, searched, *, empty: bool) -> dict:
        answer = {**searched.as_dict(), "categories": [], "suggestions": []}
        if empty:
            fallback = search.search_fallback(
                searched, queryset=selectors.product_queryset(), categories=selectors.category_tree(),
                popular_ids=search.popular_product_ids(),
            )
            answer["categories"] = CategoryRefSerializer(fallback.categories, many=True).data
            answer["suggestions"] = self.OutputSerializer(
                priced(fallback.related or fallback.popular, request), many=True, context={"request": request}
            ).data
        return answer


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="ProductDetailOutput")
    class OutputSerializer(ProductOutputSerializer):
        description = serializers.CharField()
        weight_kg = serializers.DecimalField(max_digits=8, decimal_places=3, help_text="Decimal string, kilograms.")
        volume_l = serializers.DecimalField(max_digits=9, decimal_places=3, help_text="Decimal string, litres.")
        manufacturer = ManufacturerDetailSerializer()

    @_catalog_schema(
        "products_retrieve",
        "Product detail",
        description=(
            "One active product with its manufacturer's official content, its availability, and the price one unit "
            "costs this shopper now with its offers, as the product page shows them."
        ),
        ok=OutputSerializer,
        parameters=[PRODUCT_ID],
        errors={404: PRODUCT_NOT_FOUND},
        example=("A product", PRODUCT_DETAIL_EXAMPLE),
    )
    def get(self, request, product_id: int):
        product = selectors.product_get(pk=product_id)
        _journey_step(request, JourneyAction.PRODUCT_VIEW, product_id=product.pk)
        priced([product], request)
        return Response(self.OutputSerializer(product, context={"request": request}).data)


class ProductAvailabilityApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="ProductAvailabilityInput")
    class InputSerializer(QueryParamsSerializer):
        quantity = serializers.IntegerField(
            required=False, default=1, help_text=f"Units wanted, 1 to {inventory.MAX_QUANTITY}. Default 1."
        )

    @extend_schema_serializer(component_name="ProductAvailabilityOutput")
    class OutputSerializer(serializers.Serializer):
        product_id = serializers.IntegerField()
        requested = serializers.IntegerField()
        available = serializers.IntegerField(allow_null=True, help_text=(
            f"Units that can be bought now: to staff always; to shoppers only when {inventory.LOW_STOCK_THRESHOLD} "
            "or fewer are left, else null."
        ))
        is_available = serializers.BooleanField(help_text="Whether `requested` units can be bought now.")

    @_catalog_schema(
        "products_availability",
        "Can N units be bought?",
        ok=OutputSerializer,
        parameters=[PRODUCT_ID, InputSerializer],
        errors={
            **invalid_filter("The quantity is not a whole number from 1 to 10000.", error_example(
                "invalid_quantity", "Quantity must be at least 1.", {"quantity": ["Must be at least 1."]})),
            404: PRODUCT_NOT_FOUND,
        },
        examples=[
            answer("Enough stock (a shopper)", {"product_id": 42, "requested": 3, "available": None, "is_available": True}, "200"),
            answer("Few left", {"product_id": 42, "requested": 5, "available": 3, "is_available": False}, "200"),
        ],
    )
    def get(self, request, product_id: int):
        product = selectors.product_get(pk=product_id)
        params = self.InputSerializer(data=request.query_params)
        if not params.is_valid():
            raise InvalidQuantity("Quantity must be a whole number.", fields={"quantity": ["Must be a whole number."]})
        availability = inventory.check_availability(product=product, quantity=params.validated_data["quantity"])
        return Response(
            self.OutputSerializer(
                {
                    "product_id": availability.product_id,
                    "requested": availability.requested,
                    "available": availability.available if can_view_stock_details(request.user)
                    else inventory.shopper_available(availability.available),
                    "is_available": availability.is_available,
                }
            ).data
        )


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="CategoryNode")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        slug = serializers.CharField()
        description = serializers.CharField()
        depth = serializers.IntegerField(help_text="1 for a top-level category.")
        parent_id = serializers.SerializerMethodField()

        def get_parent_id(self, category) -> int | None:
            return self.context["parent_ids"].get(category.pk)

    @_catalog_schema(
        "categories_list",
        "The category tree",
        description="Every category, flat, in tree order (a parent before its children), with depth and parent id.",
        ok=OutputSerializer(many=True),
        example=("A sub-category", {"id": 7, "name": "Dairy", "slug": "dairy", "description": "", "depth": 2, "parent_id": 1}),
    )
    def get(self, request):
        categories = selectors.category_tree()
        # Parents from the materialised paths of the one query, not one query per node.
        id_by_path = {category.path: category.pk for category in categories}
        parent_ids = {category.pk: id_by_path.get(category.path[: -Category.steplen]) for category in categories}
        return Response(self.OutputSerializer(categories, many=True, context={"parent_ids": parent_ids}).data)
