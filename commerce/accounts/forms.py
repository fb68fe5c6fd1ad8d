"""Shopper account forms. They check shape; the services decide, and their errors land on these fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator

from commerce.errors import DomainError
from commerce.forms import AsciiDecimalField

User = get_user_model()


class ServiceErrorsMixin:
    """Puts a service's DomainError on the form: per-field messages on their fields, the rest on top."""

    # service field name -> form field name, where the two differ
    field_aliases: dict[str, str] = {}

    def add_service_error(self, error: DomainError) -> None:
        placed = False
        for name, messages in (error.fields or {}).items():
            target = self.field_aliases.get(name, name)
            if target in self.fields:
                for message in messages if isinstance(messages, list | tuple) else [messages]:
                    self.add_error(target, str(message))
                placed = True
        if not placed:
            self.add_error(None, error.message)


class SignupForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"password": "password1"}

    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class ProfileForm(ServiceErrorsMixin, forms.Form):
    first_name = forms.CharField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))


class AddressForm(ServiceErrorsMixin, forms.Form):
    label = forms.CharField(max_length=40, required=False, help_text="Home, Work, ...")
    recipient = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    street = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.CharField(max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "address-level1"}))
    zip_code = forms.CharField(label="ZIP code", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    country = forms.CharField(
        min_length=2,
        max_length=2,
        help_text="Two-letter ISO code, e.g. FR.",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Enter a two-letter country code, e.g. FR.")],
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 2}),
    )
    latitude = AsciiDecimalField(required=False, min_value=-90, max_value=90, max_digits=9, decimal_places=6)
    longitude = AsciiDecimalField(required=False, min_value=-180, max_value=180, max_digits=9, decimal_places=6)
    is_default = forms.BooleanField(label="Use as my default address", required=False)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def address_fields(self) -> dict:
        """The cleaned values the address services take (everything but the default flag)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "is_default"}


class AccountCloseForm(ServiceErrorsMixin, forms.Form):
    """A customer closing their own account confirms it with their password."""

    password = forms.CharField(strip=False, max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password
