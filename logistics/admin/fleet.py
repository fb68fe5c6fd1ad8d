"""Centres (with their opening hours and stock locations), zones, vehicles (with their days off),
drivers (with their shifts), and the geocoder's centroid table."""

from __future__ import annotations

from django.contrib import admin

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from logistics.admin.common import DispatchPermissionsMixin, FleetAdmin, FleetInline
from logistics.admin.planning import CentreActionForm, plan_day
from logistics.models import (
    CentreStockLocation,
    DeliveryZone,
    DistributionCentre,
    Driver,
    DriverShift,
    OpeningHours,
    PostcodeCentroid,
    Vehicle,
    VehicleUnavailability,
)


class OpeningHoursInline(FleetInline):
    model = OpeningHours


class StockLocationInline(FleetInline):
    model = CentreStockLocation
    verbose_name_plural = "stock locations it ships from (StockBatch.location codes)"


@admin.register(DistributionCentre)
class DistributionCentreAdmin(FleetAdmin):
    list_display = ("code", "name", "city", "zip_code", "latitude", "longitude", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "city", "zip_code")
    inlines = [OpeningHoursInline, StockLocationInline]
    action_form = CentreActionForm
    actions = [plan_day]


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(FleetAdmin):
    list_display = ("code", "name", "centre", "prefixes", "radius_km", "window_start", "window_end", "speed_kmh", "is_active")
    list_filter = ("centre", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("centre",)

    @admin.display(description="Postcode prefixes")
    def prefixes(self, obj):
        return ", ".join(str(p) for p in obj.postcode_prefixes or [])


class UnavailabilityInline(FleetInline):
    model = VehicleUnavailability


@admin.register(Vehicle)
class VehicleAdmin(FleetAdmin):
    list_display = ("registration", "name", "centre", "licence_required", "capacity_kg", "capacity_l", "capacity_parcels",
                    "fixed_cost_per_day", "cost_per_km", "cost_per_hour", "is_active")
    list_filter = ("centre", "licence_required", "is_active")
    search_fields = ("registration", "name")
    list_select_related = ("centre",)
    inlines = [UnavailabilityInline]


class ShiftInline(FleetInline):
    model = DriverShift
    ordering = ("-date",)


@admin.register(Driver)
class DriverAdmin(FleetAdmin):
    list_display = ("__str__", "home_centre", "licence_class", "phone", "is_active")
    list_filter = ("home_centre", "licence_class", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user", "home_centre")
    raw_id_fields = ("user",)
    inlines = [ShiftInline]


@admin.register(PostcodeCentroid)
class PostcodeCentroidAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, DispatchPermissionsMixin, admin.ModelAdmin):
    """Loaded by ``manage.py load_postcode_centroids``; browsed here."""

    list_display = ("country", "postcode", "city", "latitude", "longitude")
    list_filter = ("country",)
    search_fields = ("postcode", "city")
