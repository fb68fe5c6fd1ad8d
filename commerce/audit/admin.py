from django.contrib import admin
from django.utils.html import format_html, format_html_join

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.audit.models import DomainEvent, JourneyStep
from commerce.audit.wording import changes_text, event_sentence, value_text


@admin.register(DomainEvent)
class DomainEventAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only event browser: nobody adds, changes or deletes history."""

    # What happened in words (the apps' wording, commerce.audit.wording); the type stays for filtering.
    list_display = ("occurred_at", "what_happened", "who", "channel", "event_type")
    list_display_links = ("occurred_at",)
    list_filter = ("channel", "stream_type", ("occurred_at", admin.DateFieldListFilter), "event_type")
    search_fields = ("=stream_id", "event_type", "actor_repr", "=customer_id", "=product_id", "=trace_id", "=session_id")
    date_hierarchy = "occurred_at"
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-occurred_at", "-id")  # newest first
    # The sentence first; the event's data as a list of its fields instead of one line of JSON (the raw
    # field left out); the actor once, by the name recorded ("Actor", not the user key and "Actor repr").
    readonly_fields = ["what_happened"] + [
        {"payload": "data", "actor": "who"}.get(f.name, f.name) for f in DomainEvent._meta.fields if f.name != "actor_repr"
    ]
    fields = readonly_fields  # only these: a view-only page would show the model's own fields beside them

    @admin.display(description="What happened")
    def what_happened(self, obj):
        return event_sentence(obj)

    @admin.display(description="Actor", ordering="actor_repr")
    def who(self, obj):
        return obj.actor_repr or "the shop"

    @admin.display(description="Event data")
    def data(self, obj):
        payload = obj.payload if isinstance(obj.payload, dict) else {"value": obj.payload}
        if not payload:
            return "-"
        return format_html(
            '<dl class="event-data">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((key, _readable(key, value)) for key, value in payload.items())),
        )

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (
            request.user.has_perm("audit.view_audit_trail") or request.user.has_perm("audit.view_domainevent")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


def _readable(key, value):
    """A payload value as a person reads it (escaped by format_html like the rest): text as is, money
    as money, a change as before → after, a list of records one per line."""
    if key == "changes":
        return changes_text(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return format_html_join("", "<div>{}</div>", ((value_text(v),) for v in value))
    return value_text(value)


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
