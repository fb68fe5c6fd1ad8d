"""Form fields shared by the pages and the admin of every app.

Django's number fields read any Unicode digit: "٣" is 3 and "１２" is 12 to ``int()`` and
``Decimal()``. What a shopper or staff member types into a number field is taken in ASCII digits
only (as everywhere input is read, see ``commerce.parsing``); anything else is the field's own
"Enter a whole number." / "Enter a number." error.
"""

from django import forms


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
