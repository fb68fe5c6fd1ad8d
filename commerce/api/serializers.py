"""Pieces shared by every app's endpoints: strict input, quantities and amounts in, money out (``MoneyField``).

Input serializers built on ``StrictInputSerializer`` refuse fields they do not declare: a client
that sends ``unit_price`` or ``price`` is told so (400 ``unknown_field``) instead of being silently
ignored, so a tampered request can never look as if it had worked. The OpenAPI schema says so of
every one of them (``additionalProperties: false``), in one place: ``StrictInputSchema`` below.
"""

from collections.abc import Mapping

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from commerce.catalog.inventory import MAX_QUANTITY, validate_quantity
from commerce.errors import CoreError
from commerce.errors import ValidationError as DomainValidationError
from commerce.money import Money


@extend_schema_serializer(component_name="Money")
class MoneyOutputSerializer(serializers.Serializer):
    """A ``commerce.money.Money``: the amount as a decimal string (never a float) and its currency."""

    amount = serializers.CharField(help_text="Decimal amount as a string, rounded to the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")

    def to_representation(self, instance):
        return instance.as_dict()


@extend_schema_field(MoneyOutputSerializer)
class MoneyField(serializers.Field):
    """A Decimal amount attribute shown as Money, in the object's ``currency`` or the context's (null stays null)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        amount = super().get_attribute(instance)
        if amount is None:
            return None
        if isinstance(instance, Mapping):
            currency = instance.get("currency")
        else:
            currency = getattr(instance, "currency", None)
        return Money.of(amount, currency or self.context["currency"])

    def to_representation(self, value):
        return value.as_dict()




# --- input: shared by every app's endpoints -----------------------------------------------------
def _not_text(data: Mapping, fields: Mapping) -> dict:
    """Text fields given a number (DRF's CharField would take 12 as "12"; the schema says string)."""
    errors = {}
    for name, field in fields.items():
        value = data.get(name)
        if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.CharField) and isinstance(value, list):
            items = {index: [ErrorDetail(field.child.error_messages["invalid"], code="invalid")]
                     for index, item in enumerate(value) if item is not None and not isinstance(item, str)}
            if items:
                errors[name] = items
        elif isinstance(field, serializers.CharField) and value is not None and not isinstance(value, str) and name in data:
            errors[name] = [ErrorDetail(field.error_messages["invalid"], code="invalid")]
    return errors


def _other_digits(value) -> bool:
    """Text holding a digit that is not 0-9 ("٣", "１２", "²"): ``int()`` and ``Decimal()`` read them."""
    return isinstance(value, str) and any(not ch.isascii() and ch.isnumeric() for ch in value)


def _not_ascii_numbers(data: Mapping, fields: Mapping) -> dict:
    """Fields that are not text (numbers, ids, dates, choices) given other scripts' digits: refused,
    as everywhere input is read (``commerce.parsing``), before DRF's number fields read them."""
    errors = {}
    for name, field in fields.items():
        if field.read_only or name not in data or isinstance(field, (serializers.CharField, serializers.BaseSerializer)):
            continue
        value = data[name]
        if isinstance(field, serializers.ListField):
            if isinstance(field.child, serializers.CharField) or not isinstance(value, list):
                continue
            items = {index: [ErrorDetail("Use the digits 0-9.", code="invalid")] for index, item in enumerate(value) if _other_digits(item)}
            if items:
                errors[name] = items
        elif isinstance(value, list) and any(_other_digits(item) for item in value) or _other_digits(value):
            errors[name] = [ErrorDetail("Use the digits 0-9.", code="invalid")]
    return errors


class QueryParamsSerializer(serializers.Serializer):
    """A query string's filters: other parameters (``page``, ``ordering``) pass by, and numbers are
    ASCII, as in request bodies (``?customer_id=٣`` is refused, not read as 3)."""

    def to_internal_value(self, data):
        errors = _not_ascii_numbers(data, self.fields) if isinstance(data, Mapping) else {}
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictInputSerializer(serializers.Serializer):
    """Fields not listed here are refused (400 `unknown_field`), at every nesting level.

    Errors are DRF's, so a list serializer numbers its items and the one exception handler names
    each field by its path (``lines[1].unit_price``). A nested serializer is a whole: a partial
    update (PATCH) may leave out top-level fields, never the required fields of a line or a tier.
    A domain error raised by a nested field (``invalid_quantity``) keeps its code and gets its path.
    Text is text: a number sent for a text field is refused, as the schema's ``type: string`` says.
    """

    # (Numbers are ASCII too: other scripts' digits sent to a field that is not text are refused,
    # see ``_not_ascii_numbers``. Said here, not in the docstring, which is the schema's text.)

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, Mapping):
            errors = {str(name): [ErrorDetail("Unknown field.", code=CoreError.UNKNOWN_FIELD)]
                      for name in sorted(str(name) for name in set(data) - set(self.fields))}
            errors |= _not_text(data, self.fields)
            errors |= _not_ascii_numbers(data, self.fields)
            if self.parent is not None and getattr(self.root, "partial", False):
                errors |= {name: [ErrorDetail(field.error_messages["required"], code="required")]
                           for name, field in self.fields.items()
                           if field.required and not field.read_only and name not in data}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**exc.detail, **errors} if isinstance(exc.detail, dict) else exc.detail)
        except DomainValidationError as exc:
            if self.parent is None and not errors:  # at the top the domain error is the answer, as a service's is
                raise
            # Nested (or beside unknown fields): a field error with its code, so a list it is in gives its index.
            raise serializers.ValidationError({
                **{name: [ErrorDetail(str(m), code=exc.code) for m in messages] for name, messages in exc.fields.items()},
                **({} if exc.fields else {api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(exc.message, code=exc.code)]}),
                **errors,
            })
        if errors:
            raise serializers.ValidationError(errors)
        return value


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


class StrictInputSchema(OpenApiSerializerExtension):
    """The schema of every ``StrictInputSerializer``: no additional properties, and the truth about PATCH.

    drf-spectacular treats every PATCH body as a partial update (nothing required). An endpoint that
    validates its PATCH body whole declares ``request=InputSerializer``; one that takes a partial
    update declares ``request=InputSerializer(partial=True)``, as it validates with ``partial=True``.
    """

    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        schema["additionalProperties"] = False
        # spectacular set ``partial`` on its copy for a PATCH; what the view declared is in the constructor's kwargs
        if self.target.partial and not self.target._kwargs.get("partial"):
            required = [name for name, field in self.target.fields.items() if field.required and not field.read_only]
            if required:
                schema["required"] = required
        return schema


class ListBoundsSchema(OpenApiSerializerFieldExtension):
    """A list of nested items (``lines = LineSerializer(many=True, min_length=1)``) documents the bounds
    it enforces (``minItems``/``maxItems``); drf-spectacular leaves them out for list serializers."""

    target_class = serializers.ListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            minimum = self.target.min_length or (0 if self.target.allow_empty else 1)
            if minimum:
                schema["minItems"] = minimum
            if self.target.max_length is not None:
                schema["maxItems"] = self.target.max_length
        return schema


class DecimalBoundsSchema(OpenApiSerializerFieldExtension):
    """A decimal sent as a string documents what it takes: at least one digit (spectacular's pattern
    also matches "" and "."), no minus sign when it may not be negative, and its range in words (a
    string cannot carry JSON Schema's ``minimum``; a range is checked by the server, 400 ``invalid``)."""

    target_class = serializers.DecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if schema.get("type") != "string":
            return schema
        low, high = self.target.min_value, self.target.max_value
        whole, places = self.target.max_whole_digits, self.target.decimal_places
        if whole:
            sign = "" if low is not None and low >= 0 else "-?"
            schema["pattern"] = rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        if low is not None or high is not None:
            bounds = " and ".join(part for part in (f"at least {low}" if low is not None else "",
                                                     f"at most {high}" if high is not None else "") if part)
            schema["description"] = " ".join(filter(None, [schema.get("description", ""), f"A decimal string, {bounds}."]))
        return schema


class TextSchema(OpenApiSerializerFieldExtension):
    """What DRF's text fields refuse, said in the schema: a NUL character (U+0000) anywhere, and, in
    text that may not be blank, nothing but spaces (DRF trims before its blank check, so "\t" is
    blank). Fields with a pattern of their own (a ``RegexValidator``) already say what they take."""

    target_class = serializers.CharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        has_pattern = "pattern" in schema or any(isinstance(v, RegexValidator) for v in field.validators)
        if direction != "request" or schema.get("type") != "string" or has_pattern:
            return schema
        if not field.allow_blank and field.trim_whitespace:
            # what str.strip() removes: \s, and the separators \x1c-\x1f and \x85 that some regex engines leave out
            schema["pattern"] = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"
        else:
            schema["pattern"] = r"^[^\u0000]*$"
        return schema
