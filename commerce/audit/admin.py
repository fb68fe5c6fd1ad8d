import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.audit.models import DomainEvent, JourneyStep


@admin.register(DomainEvent)
class DomainEventAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only event browser: nobody adds, changes or deletes history."""

    list_display = ("occurred_at", "event_type", "stream_type", "stream_id", "version", "actor", "channel", "customer_id", "product_id")
    list_filter = ("channel", "stream_type", ("occurred_at", admin.DateFieldListFilter), "event_type")
    search_fields = ("=stream_id", "event_type", "actor_repr", "=customer_id", "=product_id", "=trace_id", "=session_id")
    date_hierarchy = "occurred_at"
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-occurred_at", "-id")  # newest first
    # The event's data as a list of its fields instead of one line of JSON; the raw field is left out.
    readonly_fields = [f.name if f.name != "payload" else "data" for f in DomainEvent._meta.fields]

    @admin.display(description="Actor", ordering="actor_repr")
    def actor(self, obj):
        return obj.actor_repr or "-"

    @admin.display(description="Event data")
    def data(self, obj):
        payload = obj.payload if isinstance(obj.payload, dict) else {"value": obj.payload}
        if not payload:
            return "-"
        return format_html(
            '<dl class="event-data">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((key, _readable(value)) for key, value in payload.items())),
        )

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (
            request.user.has_perm("audit.view_audit_trail") or request.user.has_perm("audit.view_domainevent")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


def _readable(value):
    """A payload value as a person reads it: text as is, lists of plain values joined, anything
    nested as indented JSON (escaped by format_html like the rest)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str | int | float | bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) or "-"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str))


@admin.register(JourneyStep)
class JourneyStepAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The shopper journey, read-only, for the same staff as the audit trail (it held these rows before)."""

    list_display = ("occurred_at", "action", "customer_id", "session_id", "product_id", "query", "channel")
    list_filter = ("action", "channel", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=customer__id", "=session_id", "=product_id", "query", "=trace_id")
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [f.name for f in JourneyStep._meta.fields]

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and (
            user.has_perm("audit.view_audit_trail") or user.has_perm("audit.view_journeystep")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)
