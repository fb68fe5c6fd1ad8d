"""Carts, the order read model and gateway notifications: read-only browsers."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.money_format import money_text
from orders.admin.common import ReadOnlyInline, scope_orders
from orders.models import Cart, CartLine, GatewayNotification, OrderSummary


class CartLineInline(ReadOnlyInline):
    model = CartLine
    fields = ("product", "quantity", "seen_unit_price", "added_at")
    readonly_fields = fields
    parent_view_permission = "orders.view_cart"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(Cart)
class CartAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "owner", "status", "line_count", "coupons", "created_at", "updated_at")
    list_select_related = ("customer",)
    list_filter = ("status", ("updated_at", admin.DateFieldListFilter))
    search_fields = ("customer__username", "customer__email", "=id")
    ordering = ("-updated_at", "-id")
    fields = ("owner", "status", "currency", "coupon_codes", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (CartLineInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("lines"))

    @admin.display(description="Owner", ordering="customer__username")
    def owner(self, obj):
        # A guest cart's token is only ever shown in part: it is what the shopper's session holds.
        return str(obj.customer) if obj.customer_id else f"guest (token {obj.session_key[:6]}…)"

    @admin.display(description="Lines", ordering="line_total")
    def line_count(self, obj):
        return obj.line_total

    @admin.display(description="Coupons")
    def coupons(self, obj):
        return ", ".join(obj.coupon_codes) or "-"


@admin.register(OrderSummary)
class OrderSummaryAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The read model, as history, search and analytics see it (rebuilt by ``rebuild_order_summaries``)."""

    list_display = ("number", "order_link", "customer_id", "status", "payment_status", "payment_method", "total",
                    "refunded", "item_count", "placed_at", "version")
    list_filter = ("status", "payment_status", "payment_method", ("placed_at", admin.DateFieldListFilter))
    search_fields = ("=number", "product_codes", "=customer_id")
    date_hierarchy = "placed_at"
    list_per_page = 50
    readonly_fields = [f.name for f in OrderSummary._meta.fields]

    def get_queryset(self, request):
        return scope_orders(request.user, super().get_queryset(request), region_field="region_id")

    @admin.display(description="Order")
    def order_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[obj.order_id]), obj.number)

    @admin.display(description="Total", ordering="total_amount")
    def total(self, obj):
        return money_text(obj.total_amount, obj.currency)

    @admin.display(description="Refunded", ordering="refunded_amount")
    def refunded(self, obj):
        return money_text(obj.refunded_amount, obj.currency) if obj.refunded_amount else "-"


@admin.register(GatewayNotification)
class GatewayNotificationAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "gateway", "notification_id", "event")
    list_filter = ("gateway", "event", ("received_at", admin.DateFieldListFilter))
    search_fields = ("=notification_id", "event")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    readonly_fields = ("gateway", "notification_id", "event", "payload", "received_at")
