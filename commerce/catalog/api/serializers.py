"""Output pieces shared by the catalog endpoints (money lives in ``commerce.api.serializers``)."""

from drf_spectacular.utils import extend_schema_serializer
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
