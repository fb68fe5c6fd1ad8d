"""Deliveries and routes: browsed with their state read-only, moved along by actions, each calling
one service per selected row (a refusal is reported for its row; the others still run).

The fields beside the action menu (``action_form``) carry what an action needs: the day of a
schedule, the reason of a failure, the driver and vehicle of an assignment.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from commerce.errors import DomainError
from commerce.money_format import money_text
from logistics import services
from logistics.admin.common import ReadOnlyInline, StateAdmin
from logistics.dispatch import services as dispatch
from logistics.history import delivery_history
from logistics.models import Delivery, Driver, Route, Stop, Vehicle

#: a stop closed further than this from its address is flagged to the dispatcher
FAR_FROM_ADDRESS_M = 250


# --- deliveries -----------------------------------------------------------------------------------
class DeliveryActionFields(forms.Form):
    date = forms.DateField(required=False, help_text="Schedule: the day (YYYY-MM-DD).")
    reason = forms.CharField(required=False, max_length=200, help_text="Fail: why.")


class DeliveryActionForm(ActionForm, DeliveryActionFields):
    """The action menu, with the fields an action reads (``DeliveryActionFields``)."""


@admin.register(Delivery)
class DeliveryAdmin(StateAdmin):
    list_display = ("order_number", "status", "date", "window", "zone", "city", "zip_code", "weight_kg", "parcels", "route")
    list_filter = ("status", "centre", "zone", "date")
    search_fields = ("order_number", "recipient", "zip_code", "city")
    list_select_related = ("zone", "open_stop__route")
    date_hierarchy = "date"
    action_form = DeliveryActionForm
    actions = ["schedule", "arrive", "complete", "fail", "cancel"]

    @admin.display(description="Window")
    def window(self, obj):
        return f"{obj.window_start:%H:%M}-{obj.window_end:%H:%M}" if obj.window_start else "-"

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "history")

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "history"]
        return ["history", *fields] if obj is not None else fields

    @admin.display(description="History")
    def history(self, obj):
        sentences = delivery_history(delivery_id=obj.pk) if obj is not None and obj.pk else []
        if not sentences:
            return "-"
        return format_html('<ol class="delivery-history">{}</ol>',
                           format_html_join("", "<li>{}</li>", ((sentence,) for sentence in sentences)))

    @admin.display(description="Route")
    def route(self, obj):
        stop = getattr(obj, "open_stop", None)
        return stop.route.number if stop is not None else "-"

    def _form(self, request) -> forms.Form | None:
        form = DeliveryActionFields(request.POST)
        if not form.is_valid():
            self.message_user(request, f"Nothing done: {form.errors.as_text()}", messages.ERROR)
            return None
        return form

    def _each(self, request, queryset, call, done):
        self.run_each(request, list(queryset.order_by("id")), call=call, done=done,
                      describe=lambda obj, result: f"{obj.order_number} ({result.get_status_display().lower()})")

    @admin.action(description="Schedule selected deliveries on the day given (the zone's window)", permissions=["dispatch"])
    def schedule(self, request, queryset):
        form = self._form(request)
        if form is None:
            return
        if not form.cleaned_data["date"]:
            self.message_user(request, "Nothing done: give the day to schedule them on.", messages.ERROR)
            return
        self._each(request, queryset, lambda d: services.delivery_schedule(delivery=d, date=form.cleaned_data["date"]), "Scheduled")

    @admin.action(description="Driver arrived at selected deliveries", permissions=["dispatch"])
    def arrive(self, request, queryset):
        self._each(request, queryset, lambda d: services.delivery_update_status(delivery=d, status="arrived"), "Arrived")

    @admin.action(description="Complete selected deliveries (delivered)", permissions=["dispatch"])
    def complete(self, request, queryset):
        self._each(request, queryset, lambda d: services.delivery_complete(delivery=d), "Delivered")

    @admin.action(description="Fail selected deliveries (with the reason given)", permissions=["dispatch"])
    def fail(self, request, queryset):
        form = self._form(request)
        if form is None:
            return
        self._each(request, queryset, lambda d: services.delivery_fail(delivery=d, reason=form.cleaned_data["reason"]), "Failed")

    @admin.action(description="Cancel selected deliveries (not on a route)", permissions=["dispatch"])
    def cancel(self, request, queryset):
        self._each(request, queryset, lambda d: services.delivery_update_status(delivery=d, status="cancelled"), "Cancelled")


# --- routes ---------------------------------------------------------------------------------------
class StopInline(ReadOnlyInline):
    model = Stop
    fk_name = "route"
    fields = ("sequence", "order", "address", "window", "planned_arrival", "estimated_arrival", "distance_from_previous_km",
              "load", "state", "locked", "arrived_at", "completed_at", "failure_reason", "proof", "closed_at_distance")
    readonly_fields = fields
    ordering = ("sequence",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("delivery")

    @admin.display(description="Order")
    def order(self, obj):
        return obj.delivery.order_number

    @admin.display(description="Address")
    def address(self, obj):
        d = obj.delivery
        return format_html("{}<br>{} {}", d.street, d.zip_code, d.city)

    @admin.display(description="Window")
    def window(self, obj):
        d = obj.delivery
        return f"{d.window_start:%H:%M}-{d.window_end:%H:%M}" if d.window_start else "-"

    @admin.display(description="Load after (kg / l / parcels)")
    def load(self, obj):
        return f"{obj.load_after_kg} / {obj.load_after_l} / {obj.load_after_parcels}"

    @admin.display(description="Proof of delivery")
    def proof(self, obj):
        parts = [format_html("{}", obj.recipient_name)] if obj.recipient_name else []
        parts += [format_html('<a href="{}">{}</a>', reverse("logistics:stop_proof", args=[obj.pk, kind]), kind)
                  for f, kind in ((obj.proof_photo, "photo"), (obj.proof_signature, "signature")) if f]
        return format_html_join(" · ", "{}", ((part,) for part in parts)) if parts else "-"

    @admin.display(description="Closed from the address")
    def closed_at_distance(self, obj):
        """Where the driver's phone was when the stop closed, in metres from the address (far: worth a look)."""
        if obj.closed_distance_m is None:
            return "-"
        far = obj.closed_distance_m > FAR_FROM_ADDRESS_M
        return format_html('<span class="{}">{} m</span>', "errornote" if far else "", obj.closed_distance_m)


class RouteActionFields(forms.Form):
    driver = forms.ModelChoiceField(Driver.objects.filter(is_active=True).select_related("user"), required=False,
                                    help_text="Assign: the driver.")
    vehicle = forms.ModelChoiceField(Vehicle.objects.filter(is_active=True), required=False, help_text="Assign: the vehicle.")
    reason = forms.CharField(required=False, max_length=200, help_text="Cancel: why.")


class RouteActionForm(ActionForm, RouteActionFields):
    """The action menu, with the fields the assign action reads (``RouteActionFields``)."""


@admin.register(Route)
class RouteAdmin(StateAdmin):
    list_display = ("number", "date", "centre", "state", "driver", "vehicle", "stop_count", "locked_count", "distance_km",
                    "duration", "cost", "version", "console")
    list_filter = ("state", "centre", "date")
    search_fields = ("number",)
    list_select_related = ("centre", "driver__user", "vehicle")
    date_hierarchy = "date"
    inlines = [StopInline]
    action_form = RouteActionForm
    actions = ["assign", "start", "complete", "cancel", "lock_stops", "free_stops"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(stop_total=Count("stops"), locked_total=Count("stops", filter=Q(stops__locked=True)))

    @admin.display(description="Stops", ordering="stop_total")
    def stop_count(self, obj):
        return obj.stop_total

    @admin.display(description="Locked", ordering="locked_total")
    def locked_count(self, obj):
        return obj.locked_total

    @admin.display(description="Console")
    def console(self, obj):
        """Where its stops are moved, locked and re-optimised: the dispatch console at its centre and day."""
        query = urlencode({"centre": obj.centre_id, "date": obj.date.isoformat()})
        return format_html('<a href="{}?{}">edit the day</a>', reverse("admin:logistics_dispatchconsole_changelist"), query)

    @admin.display(description="Duration")
    def duration(self, obj):
        return f"{obj.duration_minutes // 60} h {obj.duration_minutes % 60:02d}"

    @admin.display(description="Cost")
    def cost(self, obj):
        return money_text(obj.cost_amount, obj.currency)

    def _each(self, request, queryset, call, done):
        self.run_each(request, list(queryset.order_by("id")), call=call, done=done,
                      describe=lambda obj, result: f"{obj.number} ({result.get_state_display().lower()})")

    @admin.action(description="Assign the driver and vehicle chosen to the selected route", permissions=["dispatch"])
    def assign(self, request, queryset):
        form = RouteActionFields(request.POST)
        if not form.is_valid() or not form.cleaned_data["driver"] or not form.cleaned_data["vehicle"]:
            self.message_user(request, "Nothing done: choose a driver and a vehicle.", messages.ERROR)
            return
        routes = list(queryset[:2])
        if len(routes) != 1:
            self.message_user(request, "Choose exactly one route to assign.", messages.WARNING)
            return
        data = form.cleaned_data
        self._each(request, queryset, lambda r: services.route_assign(route=r, driver=data["driver"], vehicle=data["vehicle"]),
                   "Assigned")

    @admin.action(description="Start selected routes (ships their orders)", permissions=["dispatch"])
    def start(self, request, queryset):
        self._each(request, queryset, lambda r: services.route_start(route=r), "Started")

    @admin.action(description="Complete selected routes", permissions=["dispatch"])
    def complete(self, request, queryset):
        self._each(request, queryset, lambda r: services.route_complete(route=r), "Completed")

    def _lock(self, request, queryset, locked: bool):
        routes = list(queryset.order_by("id"))
        delivery_ids = list(Stop.objects.filter(route__in=routes, holds__isnull=False).values_list("holds_id", flat=True))
        if not delivery_ids:
            self.message_user(request, "Nothing done: the selected routes have no open stops.", messages.WARNING)
            return
        try:
            dispatch.stops_lock(delivery_ids=delivery_ids, locked=locked)
        except DomainError as error:
            self.message_user(request, f"Nothing done: {error}", messages.ERROR)
            return
        self.message_user(request, f"{len(delivery_ids)} stop(s) {'locked to' if locked else 'freed from'} their routes.")

    @admin.action(description="Lock every stop of the selected routes (re-optimising keeps them)", permissions=["dispatch"])
    def lock_stops(self, request, queryset):
        self._lock(request, queryset, True)

    @admin.action(description="Free every stop of the selected routes", permissions=["dispatch"])
    def free_stops(self, request, queryset):
        self._lock(request, queryset, False)

    @admin.action(description="Cancel selected routes not started (with the reason given; frees their deliveries)",
                  permissions=["dispatch"])
    def cancel(self, request, queryset):
        form = RouteActionFields(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        self._each(request, queryset, lambda r: services.route_cancel(route=r, reason=reason), "Cancelled")
