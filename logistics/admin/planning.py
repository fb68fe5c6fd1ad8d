"""Planning runs: their progress and figures, read-only; the "Plan this day" action on centres
queues one run per centre selected (``planning_run_queue``: the ``logistics.plan_centre`` task).

While a run is running its page and the list show its live progress (the best plan so far, stops
served, seconds spent of its limit), as the solver stores it; reloading the page shows the latest."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone

from commerce.errors import DomainError
from commerce.money_format import money_text
from logistics.admin.common import StateAdmin
from logistics.models import PlanningRun
from logistics.services.planning import planning_run_queue


class PlanActionFields(forms.Form):
    date = forms.DateField(required=False, help_text="Plan this day: the day (YYYY-MM-DD; tomorrow when empty).")
    time_limit = forms.FloatField(required=False, min_value=0.1, help_text=(
        "Plan this day: seconds the solver may search (the configured default when empty)."))


class CentreActionForm(ActionForm, PlanActionFields):
    """The centres' action menu, with the day the plan action reads."""


@admin.action(description="Plan this day for the selected centres (tomorrow when no day is given)", permissions=["dispatch"])
def plan_day(modeladmin, request, queryset):
    form = PlanActionFields(request.POST)
    if not form.is_valid():
        modeladmin.message_user(request, f"Nothing done: {form.errors.as_text()}", messages.ERROR)
        return
    date = form.cleaned_data["date"] or timezone.localdate() + datetime.timedelta(days=1)
    for centre in queryset.order_by("code"):
        try:
            run = planning_run_queue(centre=centre, date=date, time_limit=form.cleaned_data["time_limit"],
                                     requested_by=request.user)
        except DomainError as error:
            modeladmin.message_user(request, f"{centre.code}: {error}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{centre.code}: planning of {date} queued (run {run.pk}).", messages.SUCCESS)


@admin.register(PlanningRun)
class PlanningRunAdmin(StateAdmin):
    list_display = ("id", "centre", "date", "status", "progress_text", "solver", "routes", "stops", "unassigned_count", "cost",
                    "distance_km", "wall_time", "created_at", "finished_at")
    list_filter = ("status", "centre", "date")
    list_select_related = ("centre",)
    date_hierarchy = "date"
    readonly_fields = ("centre", "date", "status", "progress_text", "backend", "time_limit", "batch", "requested_by", "created_at", "started_at",
                       "finished_at", "solver", "solver_status", "routes", "stops", "unassigned_list", "cost", "distance_km",
                       "nearest_text", "wall_time", "notes", "error")
    fields = readonly_fields

    @admin.display(description="Progress")
    def progress_text(self, obj):
        return obj.progress_text

    @admin.display(description="Unassigned")
    def unassigned_count(self, obj):
        return len(obj.unassigned or [])

    @admin.display(description="Unassigned deliveries")
    def unassigned_list(self, obj):
        return "; ".join(f"{u['order_number']}: {u['text']}" for u in obj.unassigned or []) or "-"

    @admin.display(description="Cost")
    def cost(self, obj):
        return money_text(obj.cost_amount, obj.currency)

    @admin.display(description="Against nearest-neighbour dispatch")
    def nearest_text(self, obj):
        if obj.nearest_cost_amount is None:
            return "-"
        return (f"the day's deliveries nearest-first: {money_text(obj.nearest_cost_amount, obj.currency)}, "
                f"{obj.nearest_distance_km} km, {obj.nearest_stops} stop(s) served; the plan saves "
                f"{money_text(obj.nearest_cost_amount - obj.cost_amount, obj.currency)}")
