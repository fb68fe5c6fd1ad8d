"""The manufacturers' official content in the back office: written, changed and deleted through the
content services (each save one event with what staff changed). Whoever may change manufacturers
(the Merchandisers) edits it."""

from __future__ import annotations

from django.contrib import admin

from commerce.accounts import access
from commerce.admin_services import SafeChangeListMixin, ServiceErrorsOnFormMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from recommendations import services
from recommendations.models import OfficialContent


class WhereFilter(admin.SimpleListFilter):
    title = "shown on"
    parameter_name = "on"

    def lookups(self, request, model_admin):
        return [("maker", "The manufacturer's page"), ("product", "A product's page")]

    def queryset(self, request, queryset):
        if self.value() == "maker":
            return queryset.filter(product__isnull=True)
        if self.value() == "product":
            return queryset.filter(product__isnull=False)
        return queryset


@admin.register(OfficialContent)
class OfficialContentAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ("title", "manufacturer", "product", "kind", "position", "is_published", "updated_at", "updated_by")
    list_select_related = ("manufacturer", "product", "updated_by")
    list_filter = ("is_published", "kind", WhereFilter, ("manufacturer", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "body", "manufacturer__name", "product__name", "=product__code")
    ordering = ("manufacturer__name", "product_id", "position", "id")
    autocomplete_fields = ("manufacturer", "product")
    fields = ("manufacturer", "product", "kind", "title", "body", "position", "is_published")

    def _may(self, request) -> bool:
        return access.has_permission(request.user, "catalog.change_manufacturer")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)

    def audit_product_id(self, obj):
        return obj.product_id

    def persist(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in self.fields if field in form.cleaned_data}
        values = {
            "manufacturer_id": data["manufacturer"].pk, "product_id": data["product"].pk if data.get("product") else None,
            "kind": data["kind"], "title": data["title"], "body": data["body"], "position": data["position"],
            "is_published": data["is_published"],
        }
        if change:
            saved = services.official_content_update(content_id=obj.pk, data=values, editor=request.user)
        else:
            saved = services.official_content_create(**values, editor=request.user)
        copy_saved(saved, obj)

    def remove(self, request, obj):
        services.official_content_delete(content_id=obj.pk)
