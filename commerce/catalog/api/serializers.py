"""Output pieces shared by the catalog endpoints (money lives in ``commerce.api.serializers``)."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="CategoryRef")
class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="ManufacturerRef")
class ManufacturerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="ManufacturerDetail")
class ManufacturerDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(help_text="The manufacturer's official product content.")
    website = serializers.CharField()
    support_email = serializers.CharField()
    support_phone = serializers.CharField()


def _absolute(request, url: str) -> str:
    # A storage's URL is a path (the file system's /media/...) or already absolute (a CDN's).
    return request.build_absolute_uri(url) if request is not None else url


@extend_schema_serializer(component_name="ProductImageSize")
class ProductImageSizeSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField(help_text="Pixels.")
    height = serializers.IntegerField(help_text="Pixels.")


@extend_schema_serializer(component_name="ProductImage")
class ProductImageSerializer(serializers.Serializer):
    """A product picture: the original and the smaller copies (for ``srcset``), with their sizes."""

    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="0 for the cover; the pictures come in this order.")
    alt_text = serializers.CharField(help_text="What the picture shows (may be empty).")
    url = serializers.SerializerMethodField(help_text="The original (cleaned of metadata).")
    width = serializers.IntegerField(help_text="The original's width in pixels.")
    height = serializers.IntegerField(help_text="The original's height in pixels.")
    thumbnails = serializers.SerializerMethodField(
        help_text="Smaller copies, narrowest first (at most 160, 320, 640 and 1024 pixels wide, none as wide as the original)."
    )

    def get_url(self, image) -> str:
        return _absolute(self.context.get("request"), image.url)

    @extend_schema_field(ProductImageSizeSerializer(many=True))
    def get_thumbnails(self, image):
        request, storage = self.context.get("request"), image.original.storage
        return [
            {"url": _absolute(request, storage.url(t["name"])), "width": t["width"], "height": t["height"]}
            for t in image.thumbnails
        ]
