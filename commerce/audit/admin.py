from django.contrib import admin

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.audit.models import DomainEvent, JourneyStep


@admin.register(DomainEvent)
class DomainEventAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only event browser: nobody adds, changes or deletes history."""

    list_display = ("occurred_at", "event_type", "stream_type", "stream_id", "version", "actor_repr", "channel", "customer_id", "product_id")
    list_filter = ("channel", "stream_type", ("occurred_at", admin.DateFieldListFilter), "event_type")
    search_fields = ("=stream_id", "event_type", "actor_repr", "=customer_id", "=product_id", "=trace_id", "=session_id")
    date_hierarchy = "occurred_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [f.name for f in DomainEvent._meta.fields]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (
            request.user.has_perm("audit.view_audit_trail") or request.user.has_perm("audit.view_domainevent")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


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
