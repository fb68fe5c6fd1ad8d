"""Coupon batches (CSV download, distribution to a segment) and coupons (named codes, invalidation) in the console."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from commerce.admin_services import (
    ReadOnlyAdminMixin,
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    add_domain_error,
    copy_saved,
)
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.csv_export import csv_response
from commerce.errors import DomainError
from commerce.parsing import parse_id
from promotions import selectors, services
from promotions.admin.common import ConsolePermissionsMixin, ServiceActionsMixin, can_manage
from promotions.admin_forms import (
    CouponAdminForm,
    DistributeCouponsForm,
)
from promotions.models import Coupon, CouponBatch


# --- coupon batches -----------------------------------------------------------------------------------
@admin.register(CouponBatch)
class CouponBatchAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, ServiceActionsMixin, ConsolePermissionsMixin, admin.ModelAdmin):
    list_display = ("id", "promotion", "prefix", "quantity", "uses_per_code", "assigned", "redeemed", "created_by",
                    "created_at", "csv_link")
    list_display_links = ("id", "promotion")
    list_select_related = ("promotion", "created_by")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("promotion__name", "prefix")
    ordering = ("-created_at", "-id")
    actions = ("distribute_to_segment",)
    fields = ("promotion", "prefix", "quantity", "uses_per_code", "expires_at", "assigned", "redeemed", "created_by",
              "created_at", "csv_link", "codes")
    readonly_fields = fields
    CODES_SHOWN = 20

    def get_queryset(self, request):
        # Two aggregates in the page's one query: no query per row.
        return super().get_queryset(request).annotate(
            assigned_total=Count("coupons", filter=Q(coupons__assigned_to__isnull=False)),
            used_total=Sum("coupons__used_count"),
        )

    @admin.display(description="Uses per code", ordering="max_uses")
    def uses_per_code(self, obj):
        return {None: "unlimited", 1: "single-use"}.get(obj.max_uses, obj.max_uses)

    @admin.display(description="Assigned", ordering="assigned_total")
    def assigned(self, obj):
        return getattr(obj, "assigned_total", 0)

    @admin.display(description="Uses", ordering="used_total")
    def redeemed(self, obj):
        return getattr(obj, "used_total", None) or 0

    @admin.display(description="Codes")
    def codes(self, obj):
        """The batch's first codes with their state, and the list of all of them (filtered coupon list)."""
        rows = list(obj.coupons.order_by("id").select_related("assigned_to")[: self.CODES_SHOWN])
        if not rows:
            return "No codes."
        items = format_html_join(
            "", "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((c.code, c.get_status_display(), f"{c.used_count} / {c.max_uses if c.max_uses is not None else 'unlimited'}",
              c.assigned_to or "-") for c in rows),
        )
        every = f"{reverse('admin:promotions_coupon_changelist')}?batch__id__exact={obj.pk}"
        return format_html(
            '<table><thead><tr><th scope="col">Code</th><th scope="col">Status</th><th scope="col">Used / max</th>'
            '<th scope="col">Assigned to</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">All {} codes of this batch</a></p>',
            items, every, obj.quantity,
        )

    @admin.display(description="CSV")
    def csv_link(self, obj):
        if obj.pk is None:
            return None
        return format_html('<a href="{}">Download CSV</a>', reverse("admin:promotions_couponbatch_csv", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<id:object_id>/csv/", view(self.csv_view), name="promotions_couponbatch_csv"),
            path("<id:object_id>/distribute/", view(self.distribute_view), name="promotions_couponbatch_distribute"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        batch_id = parse_id(object_id)
        if batch_id is not None and can_manage(request.user):
            extra_context["batch_tools"] = [
                {"label": "Download CSV", "url": reverse("admin:promotions_couponbatch_csv", args=[batch_id])},
                {"label": "Distribute to a segment…",
                 "url": reverse("admin:promotions_couponbatch_distribute", args=[batch_id])},
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def csv_view(self, request, object_id):
        """The batch's codes as CSV, streamed: a batch may hold ten thousand of them."""
        self.require_manage(request)
        batch = self.get_object(request, str(object_id))
        if batch is None:
            raise Http404("No such batch.")
        name = f"coupons-{batch.prefix.lower() or 'batch'}-{batch.pk}.csv"
        return csv_response(selectors.coupon_batch_csv_rows(batch=batch), filename=name)

    @admin.action(description="Distribute the selected batch to a segment…", permissions=["manage_promotions"])
    def distribute_to_segment(self, request, queryset):
        batch = self.single(queryset)
        if batch is None:
            self.message_user(request, "Choose exactly one batch to distribute.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:promotions_couponbatch_distribute", args=[batch.pk]))

    def distribute_view(self, request, object_id):
        self.require_manage(request)
        batch = self.get_object(request, str(object_id))
        if batch is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = DistributeCouponsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            segment = form.cleaned_data["segment"]
            try:
                with transaction.atomic():
                    assigned = services.coupon_distribute(batch=batch.pk, segment=segment.pk)
                    self.log_change(request, batch, f"Distributed {assigned} coupons to {segment} (admin).")
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(request, f"Assigned {assigned} coupon(s) to the members of “{segment}”.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:promotions_couponbatch_change", args=[batch.pk]))
        unassigned = batch.coupons.filter(assigned_to__isnull=True, status=Coupon.Status.ACTIVE).count()
        return self.page(
            request, "admin/promotions/couponbatch/distribute.html", f"Distribute batch {batch.pk} to a segment",
            form=form, batch=batch, object=batch, unassigned=unassigned,
        )


# --- coupons ------------------------------------------------------------------------------------------
@admin.register(Coupon)
class CouponAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                  ConsolePermissionsMixin, admin.ModelAdmin):
    form = CouponAdminForm
    list_display = ("code", "promotion", "status", "uses", "assigned_to", "expires_at", "batch")
    list_select_related = ("promotion", "assigned_to", "batch")
    list_filter = ("status", ("expires_at", admin.EmptyFieldListFilter), ("promotion", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code",)
    ordering = ("-created_at", "-id")
    list_per_page = 100
    show_full_result_count = False
    actions = ("invalidate",)
    autocomplete_fields = ("promotion",)
    add_fields = ("code", "promotion", "max_uses", "expires_at", "assigned_to")
    view_fields = ("code", "promotion", "batch", "status", "uses", "assigned_to", "assigned_at", "expires_at",
                   "invalidated_at", "created_at")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.view_fields

    # A code is created (one here, many by "Generate coupons") and invalidated, never edited or deleted.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Used / max", ordering="used_count")
    def uses(self, obj):
        return f"{obj.used_count} / {obj.max_uses if obj.max_uses is not None else 'unlimited'}"

    def audit_customer_id(self, obj):
        return obj.assigned_to_id

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.coupon_create(
            promotion=data["promotion"], code=data["code"], max_uses=data.get("max_uses"),
            expires_at=data.get("expires_at"), assigned_to=data.get("assigned_to"),
        )
        copy_saved(saved, obj)

    @admin.action(description="Invalidate selected coupons (they can no longer be redeemed)",
                  permissions=["manage_promotions"])
    def invalidate(self, request, queryset):
        active = list(queryset.filter(status=Coupon.Status.ACTIVE).order_by("id"))
        skipped = queryset.exclude(status=Coupon.Status.ACTIVE).count()
        self.run_each(request, active, done="Invalidated", call=lambda c: services.coupon_invalidate(coupon=c.pk),
                      describe=lambda c, _updated: c.code)
        if skipped:
            self.message_user(request, f"{skipped} coupon(s) were already invalidated.", messages.INFO)
