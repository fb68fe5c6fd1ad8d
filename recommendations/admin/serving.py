"""Placements in the back office: their size, intent and activity, and the merchandisers' rules (pin a
product at a position, exclude it, boost its score), each saved through the placement services
(one event each, the serving cache's version bumped after commit). The lists served are browsed
read-only, with their clicks. The Merchandisers group has the permissions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin, ServiceErrorsOnFormMixin, ServiceSaveMixin
from recommendations.models import Placement, PlacementRule, RecommendationClick, RecommendationList
from recommendations.services import serving as services
from recommendations.tasks import bought_together_rebuild_task


class PlacementRuleInline(admin.TabularInline):
    model = PlacementRule
    extra = 1
    fields = ("product", "kind", "position", "boost")
    autocomplete_fields = ("product",)

    # The rules are part of the placement: whoever may change it may change them.
    def _may(self, request) -> bool:
        return request.user.has_perm("recommendations.change_placement")

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)


@admin.register(Placement)
class PlacementAdmin(SafeChangeListMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ("key", "name", "intent", "size", "is_active", "rule_count", "updated_at")
    list_filter = ("intent", "is_active")
    fields = ("key", "name", "intent", "size", "is_active")
    readonly_fields = ("key",)
    inlines = [PlacementRuleInline]
    actions = ["rebuild_bought_together"]

    def has_add_permission(self, request):
        return False  # the pages and the API name their placements; a migration creates them

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Each field carries the value the page was loaded with (a hidden ``initial-`` input), so the
        form tells what this merchandiser changed from what another saved meanwhile."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in services.PLACEMENT_FIELDS:
            field.show_hidden_initial = True
        return field

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(rules_n=Count("rules"))

    @admin.display(description="rules", ordering="rules_n")
    def rule_count(self, placement):
        return placement.rules_n

    def persist(self, request, obj, form, change):
        # only what this merchandiser changed from the page as loaded (the hidden initial values):
        # another's change of another field, saved since, stays
        data = {field: form.cleaned_data[field] for field in ("name", "intent", "size", "is_active")
                if field in form.changed_data}
        saved = services.placement_update(placement_id=obj.pk, data=data)
        obj.updated_at = saved.updated_at

    def save_formset(self, request, form, formset, change):
        """Each rule through its service: a removed row, a changed one (its product changed: the old
        rule goes), a new one."""
        placement = form.instance
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.placement_rule_remove(rule_id=row.instance.pk)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data:
                continue
            data = row.cleaned_data
            if row.instance.pk and "product" in row.changed_data:
                services.placement_rule_remove(rule_id=row.instance.pk)
            services.placement_rule_set(placement_id=placement.pk, product_id=data["product"].pk, kind=data["kind"],
                                        position=data["position"], boost=data["boost"])
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Recount \"frequently bought together\" from the orders now")
    def rebuild_bought_together(self, request, queryset):
        transaction.on_commit(bought_together_rebuild_task.delay)
        self.message_user(request, "The recount is queued; the lists use it once it is done.", level=messages.SUCCESS)


class ClickInline(admin.TabularInline):
    model = RecommendationClick
    extra = 0
    fields = ("product_id", "position", "clicked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RecommendationList)
class RecommendationListAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "placement", "intent", "customer_id", "channel", "created_at", "impressed_at", "model_version")
    list_filter = ("placement", "intent", "channel")
    date_hierarchy = "created_at"
    search_fields = ("=id", "=customer__username")
    fields = ("id", "placement", "intent", "customer", "session_id", "product_ids", "model_version", "channel",
              "created_at", "impressed_at")
    readonly_fields = fields
    inlines = [ClickInline]
    show_full_result_count = False  # a high-volume table: no COUNT(*) of it on every page

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("recommendations.view_recommendationlist")
