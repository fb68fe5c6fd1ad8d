"""Form fields shared by the pages and the admin of every app.

Django's number fields read any Unicode digit: "٣" is 3 and "１２" is 12 to ``int()`` and
``Decimal()``. What a shopper or staff member types into a number field is taken in ASCII digits
only (as everywhere input is read, see ``commerce.parsing``); anything else is the field's own
"Enter a whole number." / "Enter a number." error.
"""

from django import forms

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


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-choice field, answering a sent value that is not an id ("NaN", a 400-digit
    number) with its own "is not a valid value" error: Django looked each one up and the database
    driver failed (``OverflowError``, a 500)."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for pk in value if isinstance(value, (list, tuple)) else ():
                if parse_id(str(pk)) is None:
                    raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                                params={"pk": pk})
        return super()._check_values(value)
