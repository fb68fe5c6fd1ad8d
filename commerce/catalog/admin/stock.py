"""Stock batches in the back office: receive, adjust, near-expiry and recall pages, each calling inventory or traceability."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from commerce.admin_services import IdAutocompleteSelect, SafeChangeListMixin, add_domain_error
from commerce.audit import wording
from commerce.catalog import inventory, traceability
from commerce.catalog.admin.common import (
    MANAGE_INVENTORY,
    RECALL_BATCHES,
    BatchCategoryFilter,
    ExpiryFilter,
    OnHandFilter,
    _today,
)
from commerce.catalog.errors import BatchNotFound
from commerce.catalog.models import (
    Product,
    StockBatch,
    StockReservation,
)
from commerce.csv_export import csv_response
from commerce.errors import DomainError
from commerce.forms import AsciiIntegerField
from commerce.parsing import parse_id, parse_id_list

#: a reference's part in a recall, as staff say it (a consumed reservation is units that left)
_RESERVATION_STATUS = {StockReservation.Status.CONSUMED: "shipped", StockReservation.Status.ACTIVE: "reserved"}


class ReceiveStockForm(forms.Form):
    batch_number = forms.CharField(max_length=60, help_text="As printed on the delivery (unique).")
    quantity = AsciiIntegerField(min_value=1, max_value=inventory.MAX_QUANTITY)
    received_at = forms.DateField(widget=AdminDateWidget, label="Received on")
    expires_on = forms.DateField(widget=AdminDateWidget, required=False, help_text="Required for perishable products.")
    location = forms.CharField(max_length=40, help_text="Warehouse code.")
    reason = forms.CharField(max_length=200, required=False, help_text="Optional: supplier, delivery note ...")

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "product": forms.ModelChoiceField(
                queryset=Product.objects.all(),
                widget=IdAutocompleteSelect(StockBatch._meta.get_field("product"), admin_site),
                help_text="Search by code or name.",
            ),
            **self.fields,
        }

    def clean(self):
        cleaned = super().clean()
        received, expires = cleaned.get("received_at"), cleaned.get("expires_on")
        if received and expires and expires < received:
            self.add_error("expires_on", "A batch cannot expire before it was received.")
        return cleaned


class AdjustStockForm(forms.Form):
    delta = AsciiIntegerField(
        min_value=-inventory.MAX_QUANTITY,
        max_value=inventory.MAX_QUANTITY,
        label="Change in units on hand",
        help_text="Positive to add units (found in a stock take), negative to remove them (damaged, lost).",
    )
    reason = forms.CharField(max_length=200, help_text="Why: it is kept in the stock ledger.")

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("The change must not be zero.")
        return delta

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the stock is adjusted.")
        return reason


@admin.register(StockBatch)
class StockBatchAdmin(SafeChangeListMixin, admin.ModelAdmin):
    list_display = (
        "batch_number", "product", "received_at", "expiry", "location",
        "quantity_on_hand", "quantity_reserved", "available",
    )
    list_select_related = ("product",)
    list_filter = ("location", ExpiryFilter, OnHandFilter, BatchCategoryFilter)
    search_fields = ("batch_number", "product__code", "product__name")
    ordering = ("-received_at", "-id")
    date_hierarchy = "received_at"
    list_per_page = 50
    actions = ("adjust_stock",)
    fields = (
        "product", "batch_number", "received_at", "expires_on", "location",
        "quantity_received", "quantity_on_hand", "quantity_reserved", "available",
    )
    readonly_fields = fields

    def get_ordering(self, request):
        # The near-expiry view reads soonest first (a column the staff member sorts by still wins).
        if request.GET.get(ExpiryFilter.parameter_name) in ("near", "expired"):
            return ("expires_on", "id")
        return super().get_ordering(request)

    # Counters change only through the inventory services: the batch page itself is read-only.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm(MANAGE_INVENTORY)

    def has_manage_inventory_permission(self, request):
        return request.user.has_perm(MANAGE_INVENTORY)

    @staticmethod
    def can_recall(request) -> bool:
        return request.user.has_perm(RECALL_BATCHES)

    @admin.display(description="Available")
    def available(self, obj):
        return obj.quantity_available if obj.pk else None

    @admin.display(description="Expires", ordering="expires_on")
    def expiry(self, obj):
        if obj.expires_on is None:
            return "-"
        today = _today()
        if obj.expires_on <= today:
            return format_html('{} <strong class="expiry-expired">expired</strong>', obj.expires_on)
        if obj.expires_on <= today + datetime.timedelta(days=settings.NEAR_EXPIRY_DAYS):
            return format_html('{} <strong class="expiry-near">near expiry</strong>', obj.expires_on)
        return str(obj.expires_on)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("receive/", view(self.receive_view), name="catalog_stockbatch_receive"),
            path("adjust/", view(self.adjust_view), name="catalog_stockbatch_adjust"),
            path("recall/", view(self.recall_view), name="catalog_stockbatch_recall"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_add_permission(request):
            extra_context["receive_stock_url"] = reverse("admin:catalog_stockbatch_receive")
        if self.can_recall(request):
            extra_context["recall_url"] = reverse("admin:catalog_stockbatch_recall")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        batch_id = parse_id(object_id)
        batch = StockBatch.objects.filter(pk=batch_id).first() if batch_id is not None else None
        if batch is not None:
            if self.has_manage_inventory_permission(request):
                extra_context["adjust_url"] = f"{reverse('admin:catalog_stockbatch_adjust')}?ids={batch.pk}"
            if self.can_recall(request):
                extra_context["recall_url"] = f"{reverse('admin:catalog_stockbatch_recall')}?batch_number={batch.batch_number}"
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        # New batches arrive through the inventory service: "Add" is "Receive stock".
        if not self.has_add_permission(request):
            raise PermissionDenied
        query = request.GET.urlencode()
        return HttpResponseRedirect(reverse("admin:catalog_stockbatch_receive") + (f"?{query}" if query else ""))

    def _page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    # Receive -------------------------------------------------------------------------------------
    def receive_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"received_at": _today(), "location": "MAIN"}
        product_id = parse_id(request.GET.get("product", ""))
        if product_id is not None:
            initial["product"] = str(product_id)
        form = ReceiveStockForm(request.POST or None, initial=initial, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                batch = inventory.stock_receive(**form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.log_addition(request, batch, [{"added": {}}])
                self.message_user(
                    request,
                    f"Received {batch.quantity_received} units of {batch.product} as batch {batch.batch_number}.",
                    messages.SUCCESS,
                )
                if "_addanother" in request.POST:
                    return HttpResponseRedirect(request.get_full_path())
                return HttpResponseRedirect(reverse("admin:catalog_stockbatch_change", args=[batch.pk]))
        return self._page(
            request,
            "admin/catalog/stockbatch/receive_stock.html",
            "Receive stock",
            form=form,
            media=self.media + form.media,
        )

    # Adjust --------------------------------------------------------------------------------------
    @admin.action(description="Adjust stock of selected batches", permissions=["manage_inventory"])
    def adjust_stock(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("id").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:catalog_stockbatch_adjust')}?ids={ids}")

    def adjust_view(self, request):
        if not self.has_manage_inventory_permission(request):
            raise PermissionDenied
        ids = parse_id_list(request.POST.get("ids") or request.GET.get("ids") or "")
        batches = list(StockBatch.objects.select_related("product").filter(pk__in=ids).order_by("id"))
        if not batches:
            self.message_user(request, "Choose at least one batch to adjust.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:catalog_stockbatch_changelist"))
        form = AdjustStockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            delta, reason = form.cleaned_data["delta"], form.cleaned_data["reason"]
            try:
                with transaction.atomic():  # all selected batches, or none
                    for batch in batches:
                        inventory.stock_adjust(batch_number=batch.batch_number, delta=delta, reason=reason)
                        self.log_change(request, batch, [{"changed": {"fields": ["quantity_on_hand"]}}])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(
                    request, f"Adjusted {len(batches)} batch(es) by {delta:+d} units: {reason}.", messages.SUCCESS
                )
                if len(batches) == 1:
                    return HttpResponseRedirect(reverse("admin:catalog_stockbatch_change", args=[batches[0].pk]))
                return HttpResponseRedirect(reverse("admin:catalog_stockbatch_changelist"))
        return self._page(
            request,
            "admin/catalog/stockbatch/adjust_stock.html",
            "Adjust stock",
            form=form,
            batches=batches,
            ids=",".join(str(b.pk) for b in batches),
        )

    # Recall --------------------------------------------------------------------------------------
    def recall_view(self, request):
        if not self.can_recall(request):
            raise PermissionDenied
        batch_number = request.GET.get("batch_number", "").strip()
        trace, error = None, ""
        if batch_number:
            try:
                trace = traceability.batch_traceability(batch_number=batch_number)
            except BatchNotFound:
                error = f"No batch numbered “{batch_number}”. Check the number on the label; search is exact."
        if trace is not None and request.GET.get("format") == "csv":
            return self._recall_csv(trace)
        rows, history = [], []
        if trace is not None:
            for entry in trace.entries:
                details = dict(entry.details)
                customer_id = details.pop("customer_id", None)
                details.pop("order_id", None)  # the order's number says which
                rows.append(
                    {
                        "entry": entry,
                        "status": _RESERVATION_STATUS.get(entry.status, entry.status),
                        "order": details.pop("order", ""),
                        "order_line": details.pop("order_line", ""),
                        "customer": details.pop("customer", "") or (customer_id or ""),
                        "customer_url": reverse("admin:accounts_user_change", args=[customer_id]) if customer_id else "",
                        "delivery": details.pop("delivery", ""),
                        "other": wording.pairs_text(details),
                    }
                )
            history = [{"event": event, "sentence": wording.event_sentence(event)}
                       for event in traceability.batch_history(trace=trace)]
        expiry_state = ""
        if trace is not None and trace.batch.expires_on is not None:
            today = _today()
            if trace.batch.expires_on <= today:
                expiry_state = "expired"
            elif trace.batch.expires_on <= today + datetime.timedelta(days=settings.NEAR_EXPIRY_DAYS):
                expiry_state = "near expiry"
        return self._page(
            request,
            "admin/catalog/batch_recall.html",
            "Batch recall",
            expiry_state=expiry_state,
            batch_number=batch_number,
            trace=trace,
            rows=rows,
            history=history,
            history_limit=traceability.HISTORY_LIMIT,
            error=error,
        )

    @staticmethod
    def _recall_csv(trace):
        header = ["batch_number", "product_code", "reference", "status", "quantity", "reserved_at",
                  "order", "order_line", "customer_id", "delivery"]
        rows = (
            [trace.batch.batch_number, trace.batch.product.code, e.reference, e.status, e.quantity,
             e.reserved_at.isoformat() if e.reserved_at else "", e.details.get("order", ""),
             e.details.get("order_line", ""), e.details.get("customer_id", ""), e.details.get("delivery", "")]
            for e in trace.entries
        )
        return csv_response([header, *rows], filename=f"recall-{trace.batch.batch_number}.csv")
