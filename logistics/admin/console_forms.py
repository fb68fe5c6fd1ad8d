"""The dispatch console's forms: each checks the shape of one edit; the console view calls its
service. Every edit carries the route versions the page showed (``versions``: "id:version,...")."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from commerce.parsing import parse_id
from logistics.dispatch.reoptimise import DEFAULT_TIME_LIMIT
from logistics.models import Driver, Vehicle
from logistics.services.optimise import max_optimise_time_limit


def parse_versions(raw: str) -> dict[int, int] | None:
    """"12:3,14:0" -> {12: 3, 14: 0}; None when malformed (the form says so)."""
    versions = {}
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        route, _, version = part.partition(":")
        route_id = parse_id(route)
        if route_id is None or not version.strip().isdigit() or len(version.strip()) > 9:
            return None
        versions[route_id] = int(version)
    return versions


class EditForm(forms.Form):
    versions = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def clean_versions(self):
        versions = parse_versions(self.cleaned_data["versions"])
        if versions is None:
            raise forms.ValidationError("The page's route versions are malformed: reload the plan.")
        return versions


class MoveForm(EditForm):
    delivery = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    route = forms.IntegerField(min_value=1, label="Route")
    position = forms.IntegerField(min_value=1, max_value=999, label="Position")


class StopForm(EditForm):
    """A stop's own form: lock, unlock, remove, or move it (to ``route`` at ``position``)."""

    do = forms.ChoiceField(choices=[("lock", "Lock"), ("unlock", "Unlock"), ("remove", "Remove"), ("move", "Move")])
    delivery = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    route = forms.IntegerField(min_value=1, required=False)
    position = forms.IntegerField(min_value=1, max_value=999, required=False)

    def clean(self):
        data = super().clean()
        if data.get("do") == "move":
            for name in ("route", "position"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Required to move a stop.")
        return data


class ReoptimiseForm(EditForm):
    """How long the solver may search while the dispatcher waits: 0.1 s up to
    ``LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT`` (read per form, as the REST input's bound is per request);
    ``DEFAULT_TIME_LIMIT`` when left empty."""

    time_limit = forms.FloatField(required=False, min_value=0.1, label="Time limit (s)",
                                  widget=forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "class": "vIntegerField"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = max_optimise_time_limit()
        field = self.fields["time_limit"]
        field.max_value = longest
        field.validators.append(MaxValueValidator(longest))
        field.widget.attrs.update(max=f"{longest:g}", placeholder=f"{min(DEFAULT_TIME_LIMIT, longest):g}")

    def clean_time_limit(self):
        value = self.cleaned_data["time_limit"]
        return min(DEFAULT_TIME_LIMIT, max_optimise_time_limit()) if value is None else value


class AssignForm(forms.Form):
    route = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    driver = forms.ModelChoiceField(queryset=Driver.objects.select_related("user"), label="Driver")
    vehicle = forms.ModelChoiceField(queryset=Vehicle.objects.all(), label="Vehicle")


class RouteForm(forms.Form):
    route = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RescheduleForm(forms.Form):
    delivery = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    new_date = forms.DateField(label="New day")

    def clean_new_date(self):
        date = self.cleaned_data["new_date"]
        if date <= timezone.localdate() - datetime.timedelta(days=1):
            raise forms.ValidationError("Choose today or a later day.")
        return date
