"""Output pieces shared by every app's endpoints."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Money")
class MoneyOutputSerializer(serializers.Serializer):
    """A ``commerce.money.Money``: the amount as a decimal string (never a float) and its currency."""

    amount = serializers.CharField(help_text="Decimal amount as a string, rounded to the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")

    def to_representation(self, instance):
        return instance.as_dict()
