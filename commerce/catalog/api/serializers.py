"""Output pieces shared by the catalog endpoints (and, for money, by later apps' endpoints)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Money")
class MoneyOutputSerializer(serializers.Serializer):
    """A ``commerce.money.Money``: the amount as a decimal string (never a float) and its currency."""

    amount = serializers.CharField(help_text="Decimal amount as a string, rounded to the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")

    def to_representation(self, instance):
        return instance.as_dict()


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
