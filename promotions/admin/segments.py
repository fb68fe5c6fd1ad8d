"""Segments in the console: the fields of each kind, members, refresh."""

from __future__ import annotations

import itertools

from django.contrib import admin
from django.db.models import Count
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from commerce.admin_services import (
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    copy_saved,
)
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.csv_export import csv_response
from promotions import services
from promotions.admin.common import ConsolePermissionsMixin, ServiceActionsMixin
from promotions.admin_forms import (
    SegmentAdminForm,
)
from promotions.models import Segment

# --- segments -----------------------------------------------------------------------------------------
KIND_FIELDS = {
    Segment.Kind.MANUAL: ("members",),
    Segment.Kind.GROUP: ("group",),
    Segment.Kind.SALES_REGION: ("sales_region",),
    Segment.Kind.NEW_CUSTOMERS: (),
    Segment.Kind.LIFETIME_VALUE: ("min_lifetime_value",),
    Segment.Kind.RFM: ("rfm_label",),
}
SEGMENT_FIELDS = ("description", "group", "sales_region", "min_lifetime_value", "rfm_label")


@admin.register(Segment)
class SegmentAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                   ConsolePermissionsMixin, admin.ModelAdmin):
    form = SegmentAdminForm
    list_display = ("name", "code", "kind", "member_count", "refreshed_at", "promotion_count")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    ordering = ("name",)
    actions = ("refresh",)
    prepopulated_fields = {"code": ("name",)}
    state_fields = ("member_count", "refreshed_at", "created_at")
    MEMBERS_SHOWN = 25

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(promotion_total=Count("promotions", distinct=True))

    @admin.display(description="Promotions", ordering="promotion_total")
    def promotion_count(self, obj):
        return getattr(obj, "promotion_total", 0)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("name", "code", "description", "kind")}),
                ("What the kind needs", {
                    "fields": ("group", "sales_region", "min_lifetime_value", "rfm_label", "members"),
                    "description": "Group → the group; sales region → the region; lifetime value → the threshold; "
                                   "purchase history → the label; hand-picked → the members. New customers need "
                                   "nothing.",
                }),
            )
        return (
            (None, {"fields": ("name", "code", "description", "kind", *KIND_FIELDS.get(obj.kind, ()))}),
            ("State", {"fields": self.state_fields}),
            ("Members", {"fields": ("member_list",)}),
        )

    def get_readonly_fields(self, request, obj=None):
        # The kind and the code define the segment: fixed once created.
        return (*self.state_fields, "kind", "code", "member_list") if obj is not None else self.state_fields

    @admin.display(description="Members")
    def member_list(self, obj):
        """The first members with the figures they were chosen by, and all of them as CSV."""
        rows = list(obj.memberships.select_related("customer").order_by("customer__username", "id")[: self.MEMBERS_SHOWN])
        if not rows:
            return "No members (refresh a computed segment to fill it)."
        items = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (m.customer.get_full_name() or m.customer.get_username(), m.customer.email or "-",
             "-" if m.recency_days is None else m.recency_days, "-" if m.frequency is None else m.frequency,
             "-" if m.monetary is None else m.monetary) for m in rows))
        return format_html(
            '<table><thead><tr><th scope="col">Customer</th><th scope="col">E-mail</th><th scope="col">Days since last order</th>'
            '<th scope="col">Orders</th><th scope="col">Spent</th></tr></thead><tbody>{}</tbody></table>'
            '<p>{} of {} shown. <a href="{}">Download all members (CSV)</a></p>',
            items, len(rows), obj.member_count, reverse("admin:promotions_segment_members_csv", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path("<id:object_id>/members.csv", self.admin_site.admin_view(self.members_csv_view), name="promotions_segment_members_csv"),
            *super().get_urls(),
        ]

    def members_csv_view(self, request, object_id):
        segment = self.get_object(request, str(object_id))
        if segment is None or not self.has_view_permission(request, segment):
            raise Http404("No such segment.")
        rows = segment.memberships.select_related("customer").order_by("customer__username", "id")
        lines = ([m.customer.get_username(), m.customer.get_full_name(), m.customer.email, m.recency_days, m.frequency, m.monetary]
                 for m in rows.iterator(chunk_size=2000))
        header = [["username", "name", "email", "recency_days", "frequency", "monetary"]]
        return csv_response(itertools.chain(header, lines), filename=f"segment-{segment.code}-members.csv")

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in ("name", *SEGMENT_FIELDS)}
            saved = services.segment_update(segment=obj.pk, data=changes) if changes else obj
        else:
            fields = {f: data[f] for f in SEGMENT_FIELDS if data.get(f) not in (None, "")}
            saved = services.segment_create(code=data["code"], name=data["name"], kind=data["kind"], **fields)
        if saved.kind == Segment.Kind.MANUAL and "members" in form.changed_data:
            services.segment_members_set(segment=saved.pk, customers=data["members"])
            saved = Segment.objects.get(pk=saved.pk)
        copy_saved(saved, obj)

    @admin.action(description="Refresh selected segments (recompute their members)", permissions=["manage_promotions"])
    def refresh(self, request, queryset):
        self.run_each(request, list(queryset.order_by("name", "id")), done="Refreshed",
                      call=lambda s: services.segment_refresh(segment=s.pk),
                      describe=lambda s, count: f"{s} ({count} member{'s' if count != 1 else ''})")
