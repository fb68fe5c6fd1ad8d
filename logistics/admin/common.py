"""What the logistics back office shares: the dispatch permission, saves through the fleet service,
and the read-only inline."""

from __future__ import annotations

from django.contrib import admin

from commerce.admin_services import ReadOnlyAdminMixin, RunEachMixin, SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from logistics.selectors import can_dispatch
from logistics.services import fleet_delete, fleet_save


class DispatchPermissionsMixin:
    """Model permissions as usual; ``accounts.dispatch_routes`` (Dispatchers) grants all of them here."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_dispatch(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_dispatch(request.user)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or can_dispatch(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or can_dispatch(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or can_dispatch(request.user)

    def has_dispatch_permission(self, request):
        return can_dispatch(request.user)


class FleetAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, DispatchPermissionsMixin, admin.ModelAdmin):
    """A centre, zone, vehicle or driver page: the row and its inline rows saved by ``fleet_save``,
    removed by ``fleet_delete`` (a refusal comes back as a message, nothing saved)."""

    def persist(self, request, obj, form, change):
        copy_saved(fleet_save(obj=obj), obj)

    def remove(self, request, obj):
        fleet_delete(obj=obj)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            fleet_save(obj=obj)
        for obj in formset.deleted_objects:
            fleet_delete(obj=obj)
        formset.save_m2m()


class FleetInline(DispatchPermissionsMixin, admin.TabularInline):
    extra = 0


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows shown with their parent, changed only by the parent's actions."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return can_dispatch(request.user) or super().has_view_permission(request, obj)


class StateAdmin(SafeChangeListMixin, RunEachMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows whose state only services change: browsed here, moved along by actions."""

    def has_view_permission(self, request, obj=None):
        return can_dispatch(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return can_dispatch(request.user) or super().has_module_permission(request)

    def has_dispatch_permission(self, request):
        return can_dispatch(request.user)
