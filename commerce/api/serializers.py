"""Pieces shared by every app's endpoints: strict input, quantities and amounts in, money out.

Input serializers built on ``StrictInputSerializer`` refuse fields they do not declare: a client
that sends ``unit_price`` or ``price`` is told so (400 ``unknown_field``) instead of being silently
ignored, so a tampered request can never look as if it had worked.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from commerce.api.errors import error_example
from commerce.catalog.inventory import MAX_QUANTITY, validate_quantity
from commerce.errors import UnknownFields


@extend_schema_serializer(component_name="Money")
class MoneyOutputSerializer(serializers.Serializer):
    """A ``commerce.money.Money``: the amount as a decimal string (never a float) and its currency."""

    amount = serializers.CharField(help_text="Decimal amount as a string, rounded to the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")

    def to_representation(self, instance):
        return instance.as_dict()


UNKNOWN_FIELD = error_example(
    "unknown_field", "The request has fields this endpoint does not take: unit_price.", {"unit_price": ["Unknown field."]}
)


# --- input: shared by every app's endpoints -----------------------------------------------------
class StrictInputSerializer(serializers.Serializer):
    """Fields not listed here are refused (400 `unknown_field`), at every nesting level."""

    def _path(self) -> str:
        """Where this serializer sits in the request, e.g. ``card`` or ``lines`` (a list's items have no name)."""
        names, node = [], self
        while node is not None:
            if getattr(node, "field_name", None):
                names.append(node.field_name)
            node = getattr(node, "parent", None)
        return ".".join(reversed(names))

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in set(data) - set(self.fields))
            if unknown:
                prefix = self._path()
                names = [f"{prefix}.{name}" if prefix else name for name in unknown]
                raise UnknownFields(
                    f"The request has fields this endpoint does not take: {', '.join(names)}.",
                    fields={name: ["Unknown field."] for name in names},
                )
        return super().to_internal_value(data)


class QuantityField(serializers.IntegerField):
    """A whole number of units, 1 to 10000; anything else is 400 ``invalid_quantity`` (as in the services)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_QUANTITY)
        kwargs.setdefault("help_text", f"Whole number of units, 1 to {MAX_QUANTITY}.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return validate_quantity(data, field=self.field_name)


class DecimalStringField(serializers.DecimalField):
    """A money amount sent as a decimal string ("12.50"); JSON numbers are refused (no floats)."""

    default_error_messages = {"not_a_string": 'Send the amount as a decimal string, e.g. "12.50".'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
