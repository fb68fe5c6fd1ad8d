"""The stock ledger and reservations: read-only browsers of rows only the inventory services write."""


from django.contrib import admin

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.catalog.models import (
    ReservationAllocation,
    StockMovement,
    StockReservation,
)


@admin.register(StockMovement)
class StockMovementAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "batch", "product", "kind", "on_hand_delta", "reserved_delta", "reference", "reason", "actor_repr")
    list_select_related = ("batch__product",)
    list_filter = ("kind", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=batch__batch_number", "reference", "=batch__product__code", "actor_repr")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Product", ordering="batch__product__name")
    def product(self, obj):
        return obj.batch.product


class ReservationAllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReservationAllocation
    extra = 0
    can_delete = False
    fields = ("batch", "quantity", "expires_on", "location")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch")

    @admin.display(description="Expires")
    def expires_on(self, obj):
        return obj.batch.expires_on or "-"

    @admin.display(description="Location")
    def location(self, obj):
        return obj.batch.location

    # Whoever may see a reservation may see where its units come from.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("catalog.view_stockreservation")


@admin.register(StockReservation)
class StockReservationAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "reference", "product", "quantity", "status", "created_at", "closed_at")
    list_select_related = ("product",)
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("reference", "=product__code", "product__name")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    inlines = (ReservationAllocationInline,)
