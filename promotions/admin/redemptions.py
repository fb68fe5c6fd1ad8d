"""Redemptions in the console: read-only, filterable by whether their order was cancelled."""

from __future__ import annotations

from django.contrib import admin

from commerce.admin_services import (
    ReadOnlyAdminMixin,
    SafeChangeListMixin,
)
from commerce.money_format import money_text
from promotions.admin.common import ConsolePermissionsMixin
from promotions.models import Redemption


# --- redemptions --------------------------------------------------------------------------------------
class CancelledFilter(admin.SimpleListFilter):
    title = "cancelled"
    parameter_name = "cancelled"

    def lookups(self, request, model_admin):
        return [("yes", "Cancelled"), ("no", "Standing")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cancelled_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


@admin.register(Redemption)
class RedemptionAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, ConsolePermissionsMixin, admin.ModelAdmin):
    """Who got which promotion on which order: written by checkout, reversed by a cancellation."""

    list_display = ("placed_at", "order_number", "promotion", "campaign", "coupon", "customer", "discount",
                    "order_revenue", "cancelled_at")
    list_select_related = ("promotion", "campaign", "coupon", "customer")
    list_filter = ("promotion", "campaign", CancelledFilter, ("placed_at", admin.DateFieldListFilter))
    search_fields = ("=order_number", "=coupon__code", "customer__username", "customer__email")
    date_hierarchy = "placed_at"
    ordering = ("-placed_at", "-id")
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [f.name for f in Redemption._meta.fields]

    @admin.display(description="Discount", ordering="amount")
    def discount(self, obj):
        return money_text(obj.amount, obj.currency)

    @admin.display(description="Order total", ordering="order_total")
    def order_revenue(self, obj):
        return money_text(obj.order_total, obj.currency)
