"""Staff edits in the admin, recorded in the audit trail: the mixin every app's ModelAdmin takes.

The audit app's public API for other apps' admin modules (which import this, never
``commerce.audit.admin``, the event browser's registration).
"""

from contextlib import contextmanager

from django.forms.models import model_to_dict

from commerce.audit import store


def _jsonable(value):
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def snapshot(obj) -> dict:
    """A row's values as JSON (foreign keys as ids), for an addition or a deletion (no id before the
    row is saved: the event that records the addition names it)."""
    values = {k: _jsonable(v) for k, v in model_to_dict(obj).items()}
    if obj.pk is None:
        values.pop(obj._meta.pk.name, None)
    return values


def _entered_values(obj, form) -> dict:
    """An unsaved row's values as staff entered them, many-to-many choices included (the row has
    none in the database yet)."""
    values = snapshot(obj)
    cleaned = getattr(form, "cleaned_data", {})
    for field in obj._meta.many_to_many:
        if field.name in cleaned:
            values[field.name] = sorted(_jsonable(list(cleaned[field.name] or [])), key=str)
    return values


class StaffAuditMixin:
    """One audit row per staff add, change and delete in the admin.

    A save or delete that goes through a service is recorded by the service's event, which carries
    the staff member as actor and the channel ``admin`` (from the request context) and, in its
    payload, what the admin saw change: ``changes`` (field: before and after) for an edit,
    ``values`` for an addition or a deletion (see ``commerce.audit.store.staff_edit``). Only an edit
    that no service records (Django's own user pages) writes an ``admin.<app>.<model>.<verb>`` row
    on the object's stream. ``audit_product_id`` / ``audit_customer_id`` tie that row to a product
    or customer.
    """

    def audit_product_id(self, obj):
        return None

    def audit_customer_id(self, obj):
        return None

    def _audit(self, obj, verb: str, payload: dict) -> None:
        """The admin's own row, for an edit no service event records."""
        meta = obj._meta
        store.append_row(
            event_type=f"admin.{meta.app_label}.{meta.model_name}.{verb}",
            stream_type=f"{meta.app_label}.{meta.model_name}",
            stream_id=obj.pk,
            payload={"object": str(obj), **payload},
            product_id=self.audit_product_id(obj),
            customer_id=self.audit_customer_id(obj),
        )

    def audit_unrecorded(self, request, obj, verb: str, payload: dict) -> None:
        """Called when a staff edit recorded no domain event: write the admin's own row."""
        self._audit(obj, verb, payload)

    @contextmanager
    def staff_edit(self, request, obj, verb: str, details: dict, fallback=None):
        """Run a service call for one staff edit: its first event carries ``details``; if it records
        none, ``audit_unrecorded`` writes ``fallback()`` (default: ``details``) as the admin's row."""
        with store.staff_edit(details, customer_id=self.audit_customer_id(obj), product_id=self.audit_product_id(obj)) as edit:
            yield edit
        if not edit.recorded:
            self.audit_unrecorded(request, obj, verb, fallback() if fallback is not None else details)

    def save_model(self, request, obj, form, change):
        if not change:
            # The object's values as staff entered them; the fallback row (no service) reads them
            # after the save, with the primary key and what the save filled in.
            with self.staff_edit(request, obj, "created", {"values": _entered_values(obj, form)},
                                 fallback=lambda: {"values": snapshot(obj)}):
                super().save_model(request, obj, form, change)
            return
        fields = [f for f in form.changed_data if f in {fld.name for fld in obj._meta.fields}]
        if not fields:
            super().save_model(request, obj, form, change)
            return
        old = type(obj)._default_manager.filter(pk=obj.pk).first()
        before = {f: _jsonable(getattr(old, f)) for f in fields} if old is not None else {}
        changes = {f: {"before": before.get(f), "after": _jsonable(getattr(obj, f))} for f in fields}
        with self.staff_edit(request, obj, "changed", {"changes": changes}):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with self.staff_edit(request, obj, "deleted", {"values": snapshot(obj)}):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
