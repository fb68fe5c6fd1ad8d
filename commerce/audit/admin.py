from django.contrib import admin
from django.forms.models import model_to_dict

from commerce.admin_services import SafeChangeListMixin
from commerce.audit.models import DomainEvent
from commerce.audit.store import append_row


def _jsonable(value):
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


class StaffAuditMixin:
    """Records every staff add, change and delete in Admin as an event with before and after.

    Event types: ``admin.<app>.<model>.created|changed|deleted`` on the object's stream.
    ``audit_product_id`` / ``audit_customer_id`` let an admin tie the row to a product or customer.
    """

    def audit_product_id(self, obj):
        return None

    def audit_customer_id(self, obj):
        return None

    def _audit(self, obj, verb: str, payload: dict) -> None:
        meta = obj._meta
        append_row(
            event_type=f"admin.{meta.app_label}.{meta.model_name}.{verb}",
            stream_type=f"{meta.app_label}.{meta.model_name}",
            stream_id=obj.pk,
            payload={"object": str(obj), **payload},
            product_id=self.audit_product_id(obj),
            customer_id=self.audit_customer_id(obj),
        )

    def save_model(self, request, obj, form, change):
        fields = [f for f in form.changed_data if f in {fld.name for fld in obj._meta.fields}]
        before = {}
        if change and fields:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            if old is not None:
                before = {f: _jsonable(getattr(old, f)) for f in fields}
        super().save_model(request, obj, form, change)
        if change:
            if fields:
                after = {f: _jsonable(getattr(obj, f)) for f in fields}
                self._audit(obj, "changed", {"changes": {f: {"before": before.get(f), "after": after[f]} for f in fields}})
        else:
            self._audit(obj, "created", {"values": {k: _jsonable(v) for k, v in model_to_dict(obj).items()}})

    def delete_model(self, request, obj):
        snapshot = {k: _jsonable(v) for k, v in model_to_dict(obj).items()}
        self._audit(obj, "deleted", {"values": snapshot})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(obj, "deleted", {"values": {k: _jsonable(v) for k, v in model_to_dict(obj).items()}})
        super().delete_queryset(request, queryset)


@admin.register(DomainEvent)
class DomainEventAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """A read-only event browser: nobody adds, changes or deletes history."""

    list_display = ("occurred_at", "event_type", "stream_type", "stream_id", "version", "actor_repr", "channel", "customer_id", "product_id")
    list_filter = ("channel", "stream_type", ("occurred_at", admin.DateFieldListFilter), "event_type")
    search_fields = ("=stream_id", "event_type", "actor_repr", "=customer_id", "=product_id", "=trace_id", "=session_id")
    date_hierarchy = "occurred_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [f.name for f in DomainEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (
            request.user.has_perm("audit.view_audit_trail") or request.user.has_perm("audit.view_domainevent")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)
