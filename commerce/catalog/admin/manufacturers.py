"""Manufacturers in the back office, saved through the catalog services."""


from django.contrib import admin
from django.db import models
from django.db.models import Count

from commerce.admin_services import SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.catalog import services
from commerce.catalog.models import (
    Manufacturer,
)


@admin.register(Manufacturer)
class ManufacturerAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("name", "website", "support_email", "support_phone", "product_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug")}),
        ("Official content", {"fields": ("description", "website", "support_email", "support_phone")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="Products", ordering="product_total")
    def product_count(self, obj):
        return obj.product_total

    def has_delete_permission(self, request, obj=None):
        return False

    def persist(self, request, obj, form, change):
        if change:
            data = {f: getattr(obj, f) for f in form.changed_data if f in services.MANUFACTURER_FIELDS}
            saved = services.manufacturer_update(manufacturer=obj.pk, data=data) if data else obj
        else:
            saved = services.manufacturer_create(
                name=obj.name,
                slug=obj.slug,
                **{f: getattr(obj, f) for f in services.MANUFACTURER_FIELDS if f not in ("name", "slug")},
            )
        copy_saved(saved, obj)
