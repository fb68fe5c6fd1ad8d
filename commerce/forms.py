"""Form fields shared by the pages and the admin of every app.

Django's number fields read any Unicode digit: "٣" is 3 and "１２" is 12 to ``int()`` and
``Decimal()``. What a shopper or staff member types into a number field is taken in ASCII digits
only (as everywhere input is read, see ``commerce.parsing``); anything else is the field's own
"Enter a whole number." / "Enter a number." error.
"""

from django import forms
from django.db.models import IntegerField

from commerce.parsing import parse_id


def _refuse_non_ascii(field, value) -> None:
    if isinstance(value, str) and not value.isascii():
        raise forms.ValidationError(field.error_messages["invalid"], code="invalid")


class AsciiIntegerField(forms.IntegerField):
    def to_python(self, value):
        _refuse_non_ascii(self, value)
        return super().to_python(value)


class AsciiDecimalField(forms.DecimalField):
    def to_python(self, value):
        _refuse_non_ascii(self, value)
        return super().to_python(value)


def _keys_are_ids(field) -> bool:
    """Whether ``field`` names its rows by an integer id (the default key), so a sent value must be one."""
    if field.to_field_name not in (None, "pk", "id"):
        return False
    return isinstance(field.queryset.model._meta.pk, IntegerField)  # AutoField and BigAutoField too


class IdModelChoiceField(forms.ModelChoiceField):
    """Django's one-choice field, answering a sent value that is not an id (0, "-1", a 20-digit
    number) with its "Select a valid choice" error before any lookup."""

    def to_python(self, value):
        if value not in self.empty_values and _keys_are_ids(self) and parse_id(str(value)) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value})
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-choice field, answering a sent value that is not an id ("NaN", a 20-digit
    number) with its own "is not a valid value" error: Django looked them up with ``__in``, which
    does not drop out-of-range integers as ``=`` does, and SQLite's driver failed (``OverflowError``,
    a 500)."""

    def _check_values(self, value):
        if _keys_are_ids(self):
            for pk in value if isinstance(value, (list, tuple)) else ():
                if parse_id(str(pk)) is None:
                    raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                                params={"pk": pk})
        return super()._check_values(value)
