"""Shopper forms of the orders pages. They check shape; the services decide, and their errors land here."""

from __future__ import annotations

import copy
import re

from django import forms
from django.conf import settings
from django.utils import timezone

from commerce.accounts.forms import AddressForm, ServiceErrorsMixin
from commerce.catalog.inventory import MAX_QUANTITY
from commerce.coupon_codes import normalise_coupon_code
from commerce.forms import AsciiDecimalField, AsciiIntegerField
from commerce.parsing import MAX_ID, is_ascii_digits
from orders.gateways import CardDetails
from orders.idempotency import MAX_KEY_LENGTH
from orders.models import Order

QUANTITY_ERRORS = {
    "invalid": "Enter a whole number.",
    "min_value": "Must be at least 1.",
    "max_value": f"Must be at most {MAX_QUANTITY}.",
    "required": "Enter a quantity.",
}


def quantity_field(*, min_value: int = 1, **kwargs) -> AsciiIntegerField:
    return AsciiIntegerField(
        min_value=min_value,
        max_value=MAX_QUANTITY,
        error_messages={**QUANTITY_ERRORS, "min_value": f"Must be at least {min_value}."},
        widget=forms.NumberInput(attrs={"min": min_value, "max": MAX_QUANTITY, "inputmode": "numeric", "class": "qty-input"}),
        **kwargs,
    )


class AddToCartForm(ServiceErrorsMixin, forms.Form):
    product_id = AsciiIntegerField(
        min_value=1, max_value=MAX_ID, widget=forms.HiddenInput,
        error_messages={"invalid": "Unknown product.", "required": "Unknown product.", "min_value": "Unknown product.",
                        "max_value": "Unknown product."},
    )
    quantity = quantity_field(initial=1)


class CartLineForm(ServiceErrorsMixin, forms.Form):
    quantity = quantity_field(min_value=0, help_text="0 removes the line.")


class CouponForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label="Coupon code",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                     "placeholder": "Enter a code"}),
    )

    def clean_code(self) -> str:
        return normalise_coupon_code(self.cleaned_data["code"])


def luhn_valid(number: str) -> bool:
    """The Luhn check digit of a card number; False for anything but ASCII digits."""
    if not is_ascii_digits(number):
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class CardFieldsMixin:
    """Card number, expiry and CVC: checked for shape here, judged by the gateway.

    The number and CVC are never rendered back into a page (``clear_card``).
    """

    card_fields = ("card_number", "exp_month", "exp_year", "cvc")

    @staticmethod
    def build_card_fields(required: bool) -> dict[str, forms.Field]:
        this_year = timezone.localdate().year
        return {
            "card_number": forms.CharField(
                label="Card number", required=required, max_length=23,
                widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric",
                                              "placeholder": "1234 5678 9012 3456"}),
            ),
            "exp_month": forms.TypedChoiceField(
                label="Month", required=required, coerce=int, empty_value=None,
                choices=[("", "MM")] + [(m, f"{m:02d}") for m in range(1, 13)],
                widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}),
            ),
            "exp_year": forms.TypedChoiceField(
                label="Year", required=required, coerce=int, empty_value=None,
                choices=[("", "YYYY")] + [(y, str(y)) for y in range(this_year, this_year + 16)],
                widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}),
            ),
            "cvc": forms.CharField(
                label="CVC", required=required, max_length=4,
                widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "size": 4}),
            ),
        }

    def clean_card(self, cleaned: dict) -> None:
        number = re.sub(r"[\s-]", "", cleaned.get("card_number") or "")
        if "card_number" in cleaned:
            if not number:
                self.add_error("card_number", "Enter the card number.")
            elif not is_ascii_digits(number) or not 12 <= len(number) <= 19 or not luhn_valid(number):
                self.add_error("card_number", "This is not a valid card number.")
            else:
                cleaned["card_number"] = number
        for name, message in (("exp_month", "Choose the month."), ("exp_year", "Choose the year.")):
            if name in cleaned and cleaned[name] is None:
                self.add_error(name, message)
        month, year = cleaned.get("exp_month"), cleaned.get("exp_year")
        if month and year:
            today = timezone.localdate()
            if (year, month) < (today.year, today.month):
                self.add_error("exp_month", "This card has expired.")
        cvc = (cleaned.get("cvc") or "").strip()
        if "cvc" in cleaned and not re.fullmatch(r"[0-9]{3,4}", cvc):
            self.add_error("cvc", "Enter the 3 or 4 digits on the back of the card.")

    def card(self) -> CardDetails:
        data = self.cleaned_data
        return CardDetails(number=data["card_number"], exp_month=data["exp_month"], exp_year=data["exp_year"],
                           cvc=data["cvc"].strip())

    def clear_card(self) -> None:
        """Forget the sensitive values so a re-rendered page never shows them."""
        if self.is_bound:
            self.data = self.data.copy()
            for name in ("card_number", "cvc"):
                self.data.pop(name, None)


def payment_method_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in Order.PaymentMethod.choices if value in settings.ORDERS_PAYMENT_GATEWAYS]


#: what a guest types at checkout instead of choosing from an address book
GUEST_ADDRESS_FIELDS = ("recipient", "street", "zip_code", "city", "state", "country")


class CheckoutForm(CardFieldsMixin, ServiceErrorsMixin, forms.Form):
    """Address, payment method, card (for card payments) and the two hidden guards.

    ``expected_total`` is the total the shopper reviewed: if the price moved since, the service
    refuses. ``idempotency_key`` is minted when the page is rendered: the same form posted twice
    places one order and takes one payment.
    """

    field_aliases = {"address_id": "address"}

    address = forms.TypedChoiceField(
        label="Deliver to", coerce=int, widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of your addresses.", "required": "Choose a delivery address."},
    )
    payment_method = forms.ChoiceField(
        label="Payment", widget=forms.RadioSelect, error_messages={"required": "Choose how to pay."}
    )
    expected_total = AsciiDecimalField(max_digits=12, decimal_places=2, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=MAX_KEY_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, addresses, guest: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        if guest:  # no address book: the e-mail address for the order's mails, and the address typed in
            del self.fields["address"]
            self.fields["email"] = forms.EmailField(
                label="E-mail address", max_length=254, help_text="For the confirmation and to follow your order.",
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                error_messages={"required": "Enter your e-mail address.", "invalid": "Enter a valid e-mail address."},
            )
            for name in GUEST_ADDRESS_FIELDS:
                self.fields[name] = copy.deepcopy(AddressForm.base_fields[name])
        else:
            self.fields["address"].choices = [(a.pk, a.pk) for a in addresses]
        self.fields["payment_method"].choices = payment_method_choices()
        self.fields.update(self.build_card_fields(required=False))

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def guest_address(self) -> dict:
        return {name: self.cleaned_data[name] for name in GUEST_ADDRESS_FIELDS}

    @property
    def pays_by_card(self) -> bool:
        value = self.data.get("payment_method") if self.is_bound else self.initial.get("payment_method")
        return value == Order.PaymentMethod.CARD

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("payment_method") == Order.PaymentMethod.CARD:
            self.clean_card(cleaned)
        return cleaned


class PayForm(CardFieldsMixin, ServiceErrorsMixin, forms.Form):
    """Paying a pending order by card (again, after a decline)."""

    idempotency_key = forms.CharField(max_length=MAX_KEY_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.build_card_fields(required=True))

    def clean(self):
        cleaned = super().clean()
        self.clean_card(cleaned)
        return cleaned


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling? (optional)", required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Ordered by mistake, found it elsewhere, ..."}),
    )


class GuestOrderLookupForm(forms.Form):
    """An order number and the e-mail address it was placed with."""

    number = forms.CharField(label="Order number", max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                           "spellcheck": "false", "placeholder": "ABCDE-12345"}))
    email = forms.EmailField(label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
