"""Back-in-stock alerts: who waits for which product, browsed; unsubscribed only through the service."""

from django.contrib import admin
from django.db.models import Count

from commerce.admin_services import ReadOnlyAdminMixin, RunEachMixin, SafeChangeListMixin
from commerce.catalog.models import StockAlert
from commerce.catalog.stock_alerts import stock_alert_unsubscribe


@admin.register(StockAlert)
class StockAlertAdmin(SafeChangeListMixin, RunEachMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("product", "email", "customer", "status", "round", "created_at", "confirmed_at", "sent_at")
    list_select_related = ("product", "customer")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("email", "=product__code", "product__name")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    list_per_page = 100
    actions = ("unsubscribe",)

    def changelist_view(self, request, extra_context=None):
        # What merchandisers ask first: which products most shoppers are waiting for.
        waiting = (
            StockAlert.objects.filter(status=StockAlert.Status.WAITING).values("product__name", "product__code")
            .annotate(n=Count("id")).order_by("-n", "product__name")[:5]
        )
        extra_context = {**(extra_context or {}), "most_awaited": list(waiting)}
        return super().changelist_view(request, extra_context=extra_context)

    # Staff who may change an alert may unsubscribe it (the action), never edit it.
    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unsubscribe the selected alerts", permissions=["unsubscribe"])
    def unsubscribe(self, request, queryset):
        self.run_each(request, list(queryset.order_by("id")), call=lambda alert: stock_alert_unsubscribe(alert=alert),
                      done="Unsubscribed")

    def has_unsubscribe_permission(self, request):
        return request.user.has_perm("catalog.change_stockalert")
