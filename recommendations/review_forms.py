"""The review page forms: they check shape only; the services decide (and their errors come back on the form)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from recommendations.models import AXES, ReviewFlag

STAR_CHOICES = [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in (5, 4, 3, 2, 1)]
AXIS_LABELS = {"overall": "Overall", "quality": "Quality", "price": "Value for money", "utility": "Usefulness",
               "delivery": "Delivery"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the service checks each picture."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReviewForm(forms.Form):
    title = forms.CharField(required=False, max_length=120, strip=True)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), strip=True,
                           help_text="Plain text. Leave title and text empty to give stars only.")
    photos = MultipleFileField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = f"JPEG, PNG or WebP; up to {settings.REVIEW_MAX_PHOTOS} per review."
        for axis in AXES:
            self.fields[f"rating_{axis}"] = forms.TypedChoiceField(
                label=AXIS_LABELS[axis], choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect)

    def ratings(self) -> dict[str, int]:
        return {axis: self.cleaned_data[f"rating_{axis}"] for axis in AXES}

    def axis_fields(self):
        return [self[f"rating_{axis}"] for axis in AXES]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=ReviewFlag.Reason.choices)
    note = forms.CharField(required=False, max_length=500)
