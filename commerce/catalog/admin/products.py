"""Products in the back office, saved through the catalog services, with their stock batches shown read-only."""


from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from treebeard.forms import TreeNodeChoiceField

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.catalog import selectors, services
from commerce.catalog.admin.common import CategoryTreeFilter, ProductStockFilter
from commerce.catalog.models import (
    Category,
    Product,
    StockBatch,
)
from commerce.money import Money
from commerce.parsing import parse_id


class StockBatchInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Batches with units on hand, read-only: stock arrives through "Receive stock"."""

    model = StockBatch
    extra = 0
    can_delete = False
    show_change_link = True
    fields = (
        "batch_number", "received_at", "expires_on", "location",
        "quantity_received", "quantity_on_hand", "quantity_reserved", "available",
    )
    readonly_fields = fields
    ordering = ("received_at", "id")
    verbose_name_plural = "stock batches with units on hand"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(quantity_on_hand__gt=0)

    @admin.display(description="Available")
    def available(self, obj):
        return obj.quantity_available


@admin.register(Product)
class ProductAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "manufacturer", "price", "is_active", "is_perishable", "sellable_stock")
    list_display_links = ("code", "name")
    list_filter = (CategoryTreeFilter, "manufacturer", "is_active", "is_perishable", ProductStockFilter)
    search_fields = ("code", "name")
    ordering = ("name", "id")
    list_per_page = 50
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("code", "name", "slug", "category", "manufacturer", "description")}),
        ("Price", {"fields": ("price_amount", "price_currency")}),
        ("Sale and logistics", {"fields": ("is_active", "is_perishable", "weight_kg", "volume_l")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        # Sellable stock is annotated by the selector: one subquery, no query per row.
        qs = selectors.product_queryset(include_inactive=True)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_readonly_fields(self, request, obj=None):
        # The code (SKU) is the product's identity: set once, never edited.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [StockBatchInline] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["form_class"] = TreeNodeChoiceField
            kwargs["queryset"] = Category.objects.get_tree()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Orders and the stock ledger refer to products: deactivate instead of deleting.
        return False

    @admin.display(description="Price", ordering="price_amount")
    def price(self, obj):
        return str(obj.price)

    @admin.display(description="Sellable stock", ordering="available")
    def sellable_stock(self, obj):
        return obj.available

    def audit_product_id(self, obj):
        return obj.pk

    def persist(self, request, obj, form, change):
        if change:
            data = {f: getattr(obj, f) for f in form.changed_data if f in services.EDITABLE_FIELDS}
            saved = services.product_update(product=obj.pk, data=data) if data else obj
        else:
            saved = services.product_create(
                code=obj.code,
                name=obj.name,
                slug=obj.slug,
                category=obj.category,
                manufacturer=obj.manufacturer,
                price=Money.of(obj.price_amount, obj.price_currency),
                **{
                    f: getattr(obj, f)
                    for f in services.EDITABLE_FIELDS
                    if f not in ("name", "slug", "category", "manufacturer", "price_amount", "price_currency")
                },
            )
        copy_saved(saved, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        product_id = parse_id(object_id)
        if product_id is not None:
            batches_admin = self.admin_site._registry.get(StockBatch)
            if batches_admin is not None and batches_admin.has_add_permission(request):
                extra_context["receive_stock_url"] = f"{reverse('admin:catalog_stockbatch_receive')}?product={product_id}"
            if batches_admin is not None and batches_admin.has_view_permission(request):
                extra_context["batches_url"] = f"{reverse('admin:catalog_stockbatch_changelist')}?product={product_id}"
        return super().change_view(request, object_id, form_url, extra_context)

    def _set_active(self, request, queryset, active: bool) -> None:
        changed = 0
        for product in queryset:
            if product.is_active == active:
                continue
            services.product_update(product=product.pk, data={"is_active": active})  # its event has before and after
            changed += 1
        state = "active" if active else "inactive"
        self.message_user(request, f"{changed} product(s) marked {state}.", messages.SUCCESS)

    @admin.action(description="Mark selected products active (for sale)", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Mark selected products inactive (not for sale)", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)
