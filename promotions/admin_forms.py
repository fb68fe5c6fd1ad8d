"""The forms of the merchandising console: they check the shape of the input, the services decide.

Whether a benefit's parameters fit its type, whether a code is free, whether a batch has enough
coupons for a segment: those are the services' answers (``PromotionInvalid``, ...), shown on these
forms by the admin. What is checked here is only what a form can see on its own.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.db.models import Q

from commerce.admin_services import IdAutocompleteSelect
from commerce.catalog.models import Product
from commerce.coupon_codes import normalise_coupon_code
from commerce.forms import AsciiIntegerField
from commerce.parsing import parse_id
from promotions.models import Coupon, DiscountClass, Promotion, Segment
from promotions.wording import ALL_BENEFIT_FIELDS, BENEFIT_FIELDS

SIMULATION_ROWS = 8
MAX_COUPONS = 10_000


class CustomerField(forms.Field):
    """A customer given by user name or email (staff here may not browse the user admin)."""

    widget = forms.TextInput(attrs={"maxlength": 254})
    default_error_messages = {
        "unknown": "No customer with the user name or email “%(value)s”.",
        "ambiguous": "More than one account has the email “%(value)s”; give the user name.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "User name or email address.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        pk = parse_id(value)
        if pk is not None:
            user = get_user_model().objects.filter(pk=pk).only("username").first()
            return user.username if user is not None else value
        return getattr(value, "username", value)

    def to_python(self, value):
        text = str(value or "").strip()[:254]
        if not text:
            return None
        users = list(get_user_model().objects.filter(Q(username=text) | Q(email__iexact=text))[:3])
        exact = [u for u in users if u.username == text]
        if exact:
            return exact[0]
        if not users:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        if len(users) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
        return users[0]

    def has_changed(self, initial, data):
        return (self.prepare_value(initial) or "") != str(data or "").strip()


# --- promotions --------------------------------------------------------------------------------------
class PromotionAdminForm(forms.ModelForm):
    """The promotion screen. ``combines_with`` is a list of discount classes: shown as checkboxes."""

    combines_with = forms.MultipleChoiceField(
        choices=DiscountClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The classes of discount this promotion may be combined with. Two promotions combine when each "
        "lists the other's class and neither is exclusive.",
    )

    class Meta:
        model = Promotion
        fields = (
            "name", "description", "badge", "campaign", "discount_class", "priority", "combines_with", "exclusive",
            "requires_coupon", "benefit_type", "percent", "amount", "currency", "buy_quantity", "get_quantity",
            "get_percent", "get_products", "bundle_quantity", "valid_from", "valid_to", "min_subtotal", "min_quantity",
            "target_products", "target_categories", "target_manufacturers", "segments", "usage_limit",
            "usage_limit_per_customer",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def clean_combines_with(self):
        chosen = set(self.cleaned_data.get("combines_with") or ())
        return [value for value, _label in DiscountClass.choices if value in chosen]  # fixed order, no duplicates

    def clean(self):
        cleaned = super().clean()
        # The page shows only the chosen benefit's fields; what another type's hidden fields still hold
        # (typed before the type changed) is not this promotion's and is left empty.
        used = BENEFIT_FIELDS.get(cleaned.get("benefit_type"), ALL_BENEFIT_FIELDS)
        for name in ALL_BENEFIT_FIELDS:
            if name in used or name not in self.fields:
                continue
            if name == "get_products":
                cleaned[name] = Product.objects.none()
            else:
                cleaned[name] = Decimal(100) if name == "get_percent" else None
        return cleaned


class GenerateCouponsForm(forms.Form):
    SINGLE, LIMITED, UNLIMITED = "single", "limited", "unlimited"

    quantity = AsciiIntegerField(min_value=1, max_value=MAX_COUPONS, help_text=f"1 to {MAX_COUPONS:,} codes.")
    prefix = forms.CharField(
        max_length=12, required=False,
        help_text="Optional, e.g. XMAS: the codes read XMAS-…. Up to 12 letters and digits.",
    )
    uses = forms.ChoiceField(
        label="Each code can be used",
        choices=((SINGLE, "once (single-use)"), (LIMITED, "a number of times"), (UNLIMITED, "without limit")),
        widget=forms.RadioSelect,
        initial=SINGLE,
    )
    max_uses = AsciiIntegerField(
        required=False, min_value=2, max_value=1_000_000, label="Uses per code",
        help_text="Only when each code can be used a number of times.",
    )
    expires_at = forms.SplitDateTimeField(
        required=False, widget=AdminSplitDateTime, label="Codes expire at",
        help_text="Optional; the promotion's own validity applies anyway.",
    )

    def clean_prefix(self):
        return normalise_coupon_code(self.cleaned_data.get("prefix"))

    def clean(self):
        cleaned = super().clean()
        uses = cleaned.get("uses")
        if uses == self.LIMITED and cleaned.get("max_uses") is None and "max_uses" not in self.errors:
            self.add_error("max_uses", "Say how many times each code can be used.")
        if uses != self.LIMITED and cleaned.get("max_uses") is not None:
            self.add_error("max_uses", "A number of uses is only for codes usable a number of times.")
        return cleaned

    def command(self) -> dict:
        """The keyword arguments of ``coupon_generate`` (without the promotion and the staff member)."""
        uses = self.cleaned_data["uses"]
        max_uses = {self.SINGLE: 1, self.UNLIMITED: None}.get(uses, self.cleaned_data.get("max_uses"))
        return {
            "quantity": self.cleaned_data["quantity"],
            "prefix": self.cleaned_data["prefix"],
            "max_uses": max_uses,
            "expires_at": self.cleaned_data.get("expires_at"),
        }


class DistributeCouponsForm(forms.Form):
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.order_by("name"),
        help_text="Each member gets one unassigned coupon of the batch; only they can redeem it.",
    )


# --- coupons -----------------------------------------------------------------------------------------
class CouponAdminForm(forms.ModelForm):
    """A single named code (SPRING10): bulk codes come from "Generate coupons" on a promotion."""

    assigned_to = CustomerField(required=False, label="Only for customer",
                                help_text="Optional: user name or email of the one customer who may redeem it.")

    class Meta:
        model = Coupon
        fields = ("code", "promotion", "max_uses", "expires_at", "assigned_to")
        help_texts = {"code": "3 to 32 letters, digits, '-' or '_'; stored upper-case, matched in any case."}

    def clean_code(self):
        return normalise_coupon_code(self.cleaned_data.get("code"))


# --- segments ----------------------------------------------------------------------------------------
class SegmentAdminForm(forms.ModelForm):
    members = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40}),
        label="Members",
        help_text="Hand-picked segments only: one user name or email a line. Saving replaces the list.",
    )

    class Meta:
        model = Segment
        fields = ("name", "code", "description", "kind", "group", "sales_region", "min_lifetime_value", "rfm_label")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.kind != Segment.Kind.MANUAL:
            del self.fields["members"]  # computed or live: nothing to list by hand
        elif self.instance.pk:
            names = self.instance.memberships.order_by("customer__username").values_list("customer__username", flat=True)
            self.initial["members"] = "\n".join(names)

    def clean_members(self):
        raw = self.cleaned_data.get("members") or ""
        entries = [line.strip() for line in raw.splitlines() if line.strip()]
        field = CustomerField()
        customers, unknown = {}, []
        for entry in entries:
            try:
                customer = field.clean(entry)
            except forms.ValidationError:
                unknown.append(entry)
            else:
                customers[customer.pk] = customer
        if unknown:
            raise forms.ValidationError(f"Unknown or ambiguous: {', '.join(unknown)}.", code="unknown")
        return list(customers.values())

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        if cleaned.get("members") and kind != Segment.Kind.MANUAL:
            self.add_error("members", "Only a hand-picked segment lists its members; the others are computed.")
        return cleaned


# --- the simulation ----------------------------------------------------------------------------------
class SimulateForm(forms.Form):
    """A sample cart: up to ``SIMULATION_ROWS`` products with quantities, a customer, codes, a moment."""

    customer = CustomerField(required=False, help_text="Optional: prices the cart for this customer "
                             "(segments, per-customer limits, assigned coupons). Empty: a guest.")
    coupon_codes = forms.CharField(required=False, max_length=400, label="Coupon codes",
                                   help_text="Optional, separated by commas or spaces.")
    at = forms.SplitDateTimeField(required=False, widget=AdminSplitDateTime, label="Priced at",
                                  help_text="Optional: simulate another moment (validity windows, schedules). Empty: now.")

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        widget_field = Promotion._meta.get_field("target_products")
        rows = {}
        for i in range(SIMULATION_ROWS):
            rows[f"product_{i}"] = forms.ModelChoiceField(
                queryset=Product.objects.all(), required=False, label=f"Product {i + 1}",
                widget=IdAutocompleteSelect(widget_field, admin_site),
            )
            rows[f"quantity_{i}"] = AsciiIntegerField(required=False, min_value=1, max_value=9999, label="Quantity")
        self.fields = {**rows, **self.fields}

    def rows(self):
        return [(self[f"product_{i}"], self[f"quantity_{i}"]) for i in range(SIMULATION_ROWS)]

    def main_fields(self):
        return [self["customer"], self["coupon_codes"], self["at"]]

    def clean(self):
        cleaned = super().clean()
        quantities: dict[int, int] = {}
        for i in range(SIMULATION_ROWS):
            product, quantity = cleaned.get(f"product_{i}"), cleaned.get(f"quantity_{i}")
            if product is None:
                if quantity is not None:
                    self.add_error(f"product_{i}", "Choose the product of this quantity.")
                continue
            if quantity is None and f"quantity_{i}" not in self.errors:
                quantity = 1
            if quantity:
                quantities[product.pk] = quantities.get(product.pk, 0) + quantity
        if not quantities and not self.errors:
            raise forms.ValidationError("Put at least one product in the sample cart.", code="empty")
        cleaned["lines"] = list(quantities.items())
        codes = re.split(r"[\s,;]+", cleaned.get("coupon_codes") or "")
        cleaned["codes"] = list(dict.fromkeys(normalise_coupon_code(code) for code in codes if code))
        return cleaned

    def command(self) -> dict:
        """The keyword arguments of ``selectors.simulate``."""
        return {
            "lines": self.cleaned_data["lines"],
            "customer": self.cleaned_data.get("customer"),
            "coupon_codes": self.cleaned_data["codes"],
            "now": self.cleaned_data.get("at"),
        }
