"""Campaigns in the console: budget spent and ROI, launch and end."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin

from commerce.admin_services import (
    ReadOnlyAdminMixin,
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    copy_saved,
    status_column,
)
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.money_format import money_text
from promotions import selectors, services
from promotions.admin.common import ConsolePermissionsMixin, ServiceActionsMixin, benefit_summary, can_manage, window
from promotions.models import Campaign, Promotion


# --- campaigns ----------------------------------------------------------------------------------------
class CampaignPromotionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The campaign's promotions, at a glance; each is edited on its own page."""

    model = Promotion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "status", "benefit", "usage", "granted")
    readonly_fields = fields
    verbose_name_plural = "promotions of this campaign"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    @admin.display(description="Benefit")
    def benefit(self, obj):
        return benefit_summary(obj)

    @admin.display(description="Used (orders)")
    def usage(self, obj):
        return f"{obj.usage_count} / {obj.usage_limit if obj.usage_limit is not None else 'no limit'}"

    @admin.display(description="Discount granted")
    def granted(self, obj):
        return money_text(obj.discount_granted, obj.currency)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("promotions.view_promotion") or can_manage(request.user)


@admin.register(Campaign)
class CampaignAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                    ConsolePermissionsMixin, admin.ModelAdmin):
    list_display = ("name", "status_label", "window", "budget", "spent", "spent_share", "revenue", "roi")
    status_label = status_column("status", {
        Campaign.Status.DRAFT: "muted", Campaign.Status.SCHEDULED: "info", Campaign.Status.ACTIVE: "good",
        Campaign.Status.ENDED: "muted",
    })
    list_filter = ("status",)
    search_fields = ("name",)
    ordering = ("-starts_at", "-id")
    list_per_page = 50
    actions = ("launch", "end")
    inlines = (CampaignPromotionInline,)
    fieldsets = (
        (None, {"fields": ("name", "description", ("starts_at", "ends_at"), ("budget_amount", "currency"))}),
        ("State (changed by the actions only)", {
            "fields": ("status", "spent", "spent_share", "performance", "launched_at", "ended_at", "created_at",
                       "updated_at"),
        }),
    )
    readonly_fields = ("status", "spent", "spent_share", "performance", "launched_at", "ended_at", "created_at",
                       "updated_at")
    EDITABLE = ("name", "description", "starts_at", "ends_at", "budget_amount", "currency")

    def has_delete_permission(self, request, obj=None):
        # Promotions and redemptions refer to campaigns: end a campaign instead of deleting it.
        return False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The figures of every campaign on the page in two queries, before the rows render (the
        # page's queryset is evaluated here and its cached rows are the ones the template shows).
        page = list(changelist.result_list)
        figures = selectors.campaign_roi_many(campaigns=page)
        for campaign in page:
            campaign.roi_figures = figures[campaign.pk]
        return changelist

    @staticmethod
    def _figures(obj) -> dict:
        figures = getattr(obj, "roi_figures", None)
        return figures if figures is not None else selectors.campaign_roi(campaign=obj)

    # --- columns ------------------------------------------------------------------------------------
    @admin.display(description="Window", ordering="starts_at")
    def window(self, obj):
        return window(obj.starts_at, obj.ends_at)

    @admin.display(description="Budget", ordering="budget_amount")
    def budget(self, obj):
        return str(obj.budget) if obj.budget is not None else "no budget"

    @admin.display(description="Spent", ordering="spent_amount")
    def spent(self, obj):
        return str(obj.spent)

    @admin.display(description="% of budget spent")
    def spent_share(self, obj):
        if not obj.budget_amount:
            return "-"
        return f"{(obj.spent_amount * 100 / obj.budget_amount).quantize(Decimal('0.1'))} %"

    @admin.display(description="Revenue")
    def revenue(self, obj):
        return money_text(self._figures(obj)["revenue"], obj.currency)

    @admin.display(description="ROI")
    def roi(self, obj):
        return _format_roi(self._figures(obj)["roi"])

    @admin.display(description="Performance")
    def performance(self, obj):
        if obj.pk is None:
            return "-"
        figures = selectors.campaign_roi(campaign=obj)
        return (
            f"{figures['orders']} order(s), revenue {money_text(figures['revenue'], obj.currency)}, "
            f"discount granted {money_text(figures['discount'], obj.currency)}, ROI {_format_roi(figures['roi'])}"
        )

    # --- saving ---------------------------------------------------------------------------------------
    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in self.EDITABLE}
            saved = services.campaign_update(campaign=obj.pk, data=changes) if changes else obj
        else:
            saved = services.campaign_create(
                name=data["name"], starts_at=data["starts_at"], ends_at=data.get("ends_at"),
                budget_amount=data.get("budget_amount"), currency=data.get("currency") or "EUR",
                description=data.get("description", ""),
            )
        copy_saved(saved, obj)

    # --- actions --------------------------------------------------------------------------------------
    @admin.action(description="Launch selected campaigns", permissions=["manage_promotions"])
    def launch(self, request, queryset):
        self.run_each(request, list(queryset.order_by("starts_at", "id")), done="Launched",
                      call=lambda c: services.campaign_launch(campaign=c.pk),
                      describe=lambda c, updated: f"{c} ({updated.get_status_display().lower()})")

    @admin.action(description="End selected campaigns", permissions=["manage_promotions"])
    def end(self, request, queryset):
        self.run_each(request, list(queryset.order_by("starts_at", "id")), done="Ended",
                      call=lambda c: services.campaign_end(campaign=c.pk), describe=lambda c, _updated: str(c))


def _format_roi(value) -> str:
    """ROI as a ratio, e.g. "4.25" (each euro of discount brought 4.25 euros net); "-" when nothing granted."""
    if value is None:
        return "-"
    return f"{Decimal(value).quantize(Decimal('0.01'))}"
