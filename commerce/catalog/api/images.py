"""Product pictures for the back office: upload (multipart), describe, reorder, remove.

Every endpoint needs ``catalog.change_product`` (the Merchandisers group); anyone else gets 403
``permission_denied`` and an anonymous client 401. The upload is checked by ``clean_image`` before
anything is stored (400 ``image_invalid`` with the reason on ``file``); each write calls one service
of ``commerce.catalog.product_images``. Shoppers read the pictures in the product answers.
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.permissions import has_access
from commerce.api.schema import answer, documented, error_example, sent
from commerce.api.serializers import StrictInputSerializer
from commerce.catalog import product_images, selectors
from commerce.catalog.api.schema import (
    IMAGE_EXAMPLE,
    IMAGE_ID,
    IMAGE_INVALID,
    IMAGE_LIMIT,
    IMAGE_NOT_FOUND,
    PRODUCT_ID,
    STAFF_PRODUCT_NOT_FOUND,
)
from commerce.catalog.api.serializers import ProductImageSerializer
from commerce.errors import ImageInvalid
from commerce.images import clean_image
from commerce.parsing import MAX_ID

CanChangeProducts = has_access("catalog.change_product", "You need the change product permission.")
STAFF = [IsAuthenticated, CanChangeProducts]

_schema = functools.partial(documented, tags=["catalog staff"], access=schema.STAFF)


def _answer(request, image, code=status.HTTP_200_OK) -> Response:
    return Response(ProductImageSerializer(image, context={"request": request}).data, status=code)


class ProductImageUploadApi(APIView):
    permission_classes = STAFF
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="ProductImageUploadInput")
    class InputSerializer(StrictInputSerializer):
        file = serializers.FileField(help_text="A JPEG, PNG or WebP picture (metadata is removed).")
        alt_text = serializers.CharField(
            max_length=product_images.ALT_TEXT_MAX, required=False, allow_blank=True, default="",
            help_text="What the picture shows, for people who cannot see it.",
        )

    @_schema(
        "products_images_upload",
        "Add a picture to a product",
        description=(
            "A `multipart/form-data` upload. The picture goes after the product's others (the first is the cover); "
            f"thumbnails are made at once. At most {product_images.MAX_IMAGES} pictures a product."
        ),
        ok=ProductImageSerializer,
        status=201,
        parameters=[PRODUCT_ID],
        request={"multipart/form-data": InputSerializer},
        invalid=[IMAGE_INVALID],
        errors={404: STAFF_PRODUCT_NOT_FOUND, 409: IMAGE_LIMIT},
        examples=[answer("Added", IMAGE_EXAMPLE, "201")],
    )
    def post(self, request, product_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            picture = clean_image(data["file"])
        except ImageInvalid as exc:
            raise ImageInvalid(exc.message, fields={"file": [exc.message]}) from None
        image = product_images.product_image_add(product=product_id, picture=picture, alt_text=data["alt_text"])
        return _answer(request, image, status.HTTP_201_CREATED)


class ProductImageApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="ProductImageUpdateInput")
    class InputSerializer(StrictInputSerializer):
        alt_text = serializers.CharField(
            max_length=product_images.ALT_TEXT_MAX, allow_blank=True, required=False,
            help_text="What the picture shows; left out, unchanged.",
        )

    @_schema(
        "products_images_update",
        "Describe a picture",
        ok=ProductImageSerializer,
        parameters=[PRODUCT_ID, IMAGE_ID],
        request=InputSerializer,
        errors={404: IMAGE_NOT_FOUND},
        examples=[sent("Alt text", {"alt_text": IMAGE_EXAMPLE["alt_text"]}), answer("Described", IMAGE_EXAMPLE, "200")],
    )
    def patch(self, request, product_id: int, image_id: int):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "alt_text" in serializer.validated_data:
            image = product_images.product_image_update(
                product=product_id, image_id=image_id, alt_text=serializer.validated_data["alt_text"]
            )
        else:
            image = selectors.product_image_get(product_id=product_id, image_id=image_id)
        return _answer(request, image)

    @_schema(
        "products_images_remove",
        "Remove a picture",
        description="The pictures after it move up; its files are deleted.",
        ok=None,
        status=204,
        parameters=[PRODUCT_ID, IMAGE_ID],
        errors={404: IMAGE_NOT_FOUND},
    )
    def delete(self, request, product_id: int, image_id: int):
        product_images.product_image_remove(product=product_id, image_id=image_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductImageOrderApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="ProductImageOrderInput")
    class InputSerializer(StrictInputSerializer):
        image_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            max_length=product_images.MAX_IMAGES,
            help_text="Every picture of the product, each once, in the new order (the first is the cover).",
        )

    @_schema(
        "products_images_reorder",
        "Put a product's pictures in order",
        ok=ProductImageSerializer(many=True),
        parameters=[PRODUCT_ID],
        request=InputSerializer,
        invalid=[error_example("invalid_image_order", "Name each of the product's pictures exactly once.",
                               {"image_ids": ["Expected the ids [7, 8] in the new order."]})],
        errors={404: STAFF_PRODUCT_NOT_FOUND},
        examples=[sent("Cover last", {"image_ids": [8, 7]}), answer("Reordered", [IMAGE_EXAMPLE], "200")],
    )
    def put(self, request, product_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        images = product_images.product_images_reorder(product=product_id, image_ids=serializer.validated_data["image_ids"])
        return Response(ProductImageSerializer(images, many=True, context={"request": request}).data)
