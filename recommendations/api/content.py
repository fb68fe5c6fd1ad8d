"""Manufacturers' official content: the public reads (a manufacturer's information page, a product's
official content) and the back office's (``catalog.change_manufacturer``: the Merchandisers) edits
of the content and of who represents a manufacturer. Each write calls one service."""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import has_access
from commerce.api.schema import PAGE_NOT_FOUND, PUBLIC, STAFF, documented, error_example, sent
from commerce.api.serializers import StrictInputSerializer
from commerce.catalog.selectors import product_get
from commerce.parsing import MAX_ID
from recommendations import services
from recommendations.api import questions_schema as doc
from recommendations.models import OfficialContent
from recommendations.models.content import CONTENT_BODY_MAX_LENGTH, CONTENT_TITLE_MAX_LENGTH
from recommendations.selectors import content as selectors
from recommendations.selectors import questions as question_selectors

_schema = functools.partial(documented, tags=["manufacturer content"])
CanEditManufacturers = has_access("catalog.change_manufacturer", "You need the change manufacturer permission.")
EDITORS = [IsAuthenticated, CanEditManufacturers]


@extend_schema_serializer(component_name="OfficialContent")
class ContentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    manufacturer_id = serializers.IntegerField()
    product_id = serializers.IntegerField(allow_null=True, help_text="null: on the manufacturer's page.")
    kind = serializers.ChoiceField(choices=OfficialContent.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    body = serializers.CharField(help_text="Plain text; blank lines separate paragraphs.")
    position = serializers.IntegerField()
    is_published = serializers.BooleanField()
    official = serializers.SerializerMethodField(help_text="Always true: the manufacturer's own information.")
    updated_at = serializers.DateTimeField()

    def get_official(self, content) -> bool:
        return True


@extend_schema_serializer(component_name="ManufacturerInfo")
class ManufacturerInfoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    website = serializers.CharField()
    support_email = serializers.CharField()
    support_phone = serializers.CharField()
    product_count = serializers.IntegerField(help_text="Its active products.")
    official_content = ContentOutputSerializer(many=True)


class ManufacturerInfoApi(APIView):
    permission_classes = [AllowAny]

    @_schema("manufacturers_info", "A manufacturer's information",
             description="The catalog's details of the maker with its published official content (not its products').",
             ok=ManufacturerInfoOutputSerializer, access=PUBLIC, parameters=[doc.MANUFACTURER_ID],
             errors={404: doc.MANUFACTURER_NOT_FOUND}, examples=[doc.MANUFACTURER_INFO_ANSWER])
    def get(self, request, manufacturer_id: int):
        maker = selectors.manufacturer_get(pk=manufacturer_id)
        maker.official_content_list = list(selectors.manufacturer_content(manufacturer_id=maker.pk))
        maker.product_count = maker.products.filter(is_active=True).count()
        data = ManufacturerInfoOutputSerializer({**{f: getattr(maker, f) for f in (
            "id", "name", "slug", "description", "website", "support_email", "support_phone", "product_count")},
            "official_content": maker.official_content_list}).data
        return Response(data)


class ProductContentApi(APIView):
    permission_classes = [AllowAny]

    @_schema("products_official_content", "A product's official content", ok=ContentOutputSerializer(many=True),
             access=PUBLIC, parameters=[doc.PRODUCT_ID], errors={404: doc.PRODUCT_NOT_FOUND}, examples=[doc.CONTENT_LIST_ANSWER])
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        return Response(ContentOutputSerializer(selectors.product_content(product_id=product.pk), many=True).data)


class ContentInputSerializer(StrictInputSerializer):
    manufacturer_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True,
                                          help_text="A product of the manufacturer; null: on the manufacturer's page.")
    kind = serializers.ChoiceField(choices=OfficialContent.Kind.choices, required=False, default=OfficialContent.Kind.OVERVIEW)
    title = serializers.CharField(max_length=CONTENT_TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=CONTENT_BODY_MAX_LENGTH, help_text="Plain text; no HTML.")
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=0)
    is_published = serializers.BooleanField(required=False, default=True)


CONTENT_INVALID = error_example("content_invalid", "The content is not valid: A product of this manufacturer.",
                                {"product_id": ["A product of this manufacturer."]})


class ContentListApi(APIView):
    permission_classes = EDITORS
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="OfficialContentCreateInput")
    class InputSerializer(ContentInputSerializer):
        pass

    @_schema("official_content_list", "Every official content block (staff)", description="Published or not.",
             ok=ContentOutputSerializer(many=True), access=STAFF, errors={404: PAGE_NOT_FOUND}, examples=[doc.CONTENT_LIST_ANSWER])
    def get(self, request):
        return paginated_response(queryset=selectors.content_list(), serializer_class=ContentOutputSerializer,
                                  request=request, view=self)

    @_schema("official_content_create", "Publish official content (staff)", ok=ContentOutputSerializer, status=201,
             access=STAFF, request=InputSerializer, invalid=[CONTENT_INVALID], errors={404: doc.MANUFACTURER_NOT_FOUND},
             examples=[sent("Warranty", {"manufacturer_id": 3, "kind": "warranty", "title": "Warranty",
                                         "body": "Two years on every product."}), doc.CONTENT_ANSWER])
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        content = services.official_content_create(**body.validated_data, editor=request.user)
        return Response(ContentOutputSerializer(content).data, status=status.HTTP_201_CREATED)


class ContentDetailApi(APIView):
    permission_classes = EDITORS

    @extend_schema_serializer(component_name="OfficialContentUpdateInput")
    class InputSerializer(ContentInputSerializer):
        pass

    @_schema("official_content_retrieve", "One official content block (staff)", ok=ContentOutputSerializer, access=STAFF,
             parameters=[doc.CONTENT_ID], errors={404: doc.CONTENT_NOT_FOUND}, examples=[doc.CONTENT_ANSWER])
    def get(self, request, content_id: int):
        return Response(ContentOutputSerializer(selectors.content_get(content_id=content_id, include_unpublished=True)).data)

    @_schema("official_content_update", "Change official content (staff)", description="Send only the fields to change.",
             ok=ContentOutputSerializer, access=STAFF, request=InputSerializer(partial=True), parameters=[doc.CONTENT_ID],
             invalid=[CONTENT_INVALID], errors={404: doc.CONTENT_NOT_FOUND},
             examples=[sent("Unpublish", {"is_published": False}), doc.CONTENT_ANSWER])
    def patch(self, request, content_id: int):
        body = self.InputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        content = services.official_content_update(content_id=content_id, data=dict(body.validated_data), editor=request.user)
        return Response(ContentOutputSerializer(content).data)

    @_schema("official_content_delete", "Delete official content (staff)", ok=None, status=204, access=STAFF,
             parameters=[doc.CONTENT_ID], errors={404: doc.CONTENT_NOT_FOUND})
    def delete(self, request, content_id: int):
        services.official_content_delete(content_id=content_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- representatives --------------------------------------------------------------------------------
@extend_schema_serializer(component_name="ManufacturerRepresentative")
class RepresentativeOutputSerializer(serializers.Serializer):
    manufacturer_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    added_at = serializers.DateTimeField()


class RepresentativeListApi(APIView):
    permission_classes = EDITORS

    @extend_schema_serializer(component_name="RepresentativeAddInput")
    class InputSerializer(StrictInputSerializer):
        user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An active user.")

    @_schema("manufacturers_representatives_list", "A manufacturer's representatives (staff)",
             ok=RepresentativeOutputSerializer(many=True), access=STAFF, parameters=[doc.MANUFACTURER_ID],
             errors={404: doc.MANUFACTURER_NOT_FOUND}, examples=[doc.REPRESENTATIVE_LIST_ANSWER])
    def get(self, request, manufacturer_id: int):
        maker = selectors.manufacturer_get(pk=manufacturer_id)
        reps = question_selectors.representative_list(manufacturer_id=maker.pk)
        return Response(RepresentativeOutputSerializer(reps, many=True).data)

    @_schema("manufacturers_representatives_add", "Add a representative (staff)",
             description="The user's answers to questions on the maker's products are published at once, as the manufacturer's.",
             ok=RepresentativeOutputSerializer, status=201, access=STAFF, request=InputSerializer, parameters=[doc.MANUFACTURER_ID],
             invalid=[error_example("representative_invalid", "No such active user.", {"user_id": ["No such active user."]})],
             errors={404: doc.MANUFACTURER_NOT_FOUND}, examples=[sent("Add", {"user_id": 77}), doc.REPRESENTATIVE_ANSWER])
    def post(self, request, manufacturer_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rep = services.representative_add(manufacturer_id=manufacturer_id, user_id=body.validated_data["user_id"])
        return Response(RepresentativeOutputSerializer(rep).data, status=status.HTTP_201_CREATED)


class RepresentativeDetailApi(APIView):
    permission_classes = EDITORS

    @_schema("manufacturers_representatives_remove", "Remove a representative (staff)", ok=None, status=204, access=STAFF,
             parameters=[doc.MANUFACTURER_ID, doc.USER_ID], errors={404: doc.REPRESENTATIVE_NOT_FOUND})
    def delete(self, request, manufacturer_id: int, user_id: int):
        services.representative_remove(manufacturer_id=manufacturer_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


