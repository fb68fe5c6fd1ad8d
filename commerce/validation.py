"""Turning Django model validation into the one domain error shape."""

from django.core.exceptions import ValidationError as DjangoValidationError

from commerce.errors import ValidationError


def full_clean_or_raise(instance, *, exclude=None, message: str = "The data is not valid.") -> None:
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise ValidationError(message, fields=fields) from exc
