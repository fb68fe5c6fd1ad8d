"""Shopper forms of the promotions pages. They check shape; selectors and services decide."""

from django import forms


class MyCouponsFilterForm(forms.Form):
    """Which of the customer's coupons the page lists (a GET form: links can carry it)."""

    USABLE = "usable"
    ALL = "all"

    show = forms.ChoiceField(
        choices=[(USABLE, "Usable"), (ALL, "All, with used and expired")],
        required=False,
        initial=USABLE,
    )

    def clean_show(self) -> str:
        return self.cleaned_data["show"] or self.USABLE
