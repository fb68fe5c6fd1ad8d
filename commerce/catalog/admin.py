"""The catalog back office: categories, manufacturers, products, stock batches, the ledger, recalls.

Every write goes through a service: product and category edits through ``services``, stock
through ``inventory`` (receive, adjust). Stock counters are never edited in a form. Staff edits
are recorded by ``StaffAuditMixin`` with before and after, next to the services' domain events.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from treebeard.admin import TreeAdmin
from treebeard.forms import TreeNodeChoiceField, movenodeform_factory

from commerce.admin_services import (
    IdAutocompleteSelect,
    ReadOnlyAdminMixin,
    SafeChangeListMixin,
    ServiceSaveMixin,
    add_domain_error,
    copy_saved,
)
from commerce.audit.admin import StaffAuditMixin
from commerce.catalog import inventory, selectors, services, traceability
from commerce.catalog.errors import BatchNotFound
from commerce.catalog.models import (
    Category,
    Manufacturer,
    Product,
    ReservationAllocation,
    StockBatch,
    StockMovement,
    StockReservation,
)
from commerce.csv_export import csv_response
from commerce.errors import DomainError
from commerce.forms import AsciiIntegerField
from commerce.money import Money
from commerce.parsing import parse_id, parse_id_list

MANAGE_INVENTORY = "accounts.manage_inventory"
RECALL_BATCHES = "accounts.recall_batches"


def _today() -> datetime.date:
    return timezone.localdate()


# --- list filters ---------------------------------------------------------------------------------
class CategoryTreeFilter(admin.SimpleListFilter):
    """A category and everything below it (a plain FK filter would miss the subcategories)."""

    title = "category"
    parameter_name = "category"
    category_lookup = "category"

    def lookups(self, request, model_admin):
        return [(str(c.pk), "\u2014 " * (c.depth - 1) + c.name) for c in Category.objects.get_tree()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        pk = parse_id(value)
        category = Category.objects.filter(pk=pk).first() if pk is not None else None
        if category is None:
            return queryset.none()
        return queryset.filter(**{f"{self.category_lookup}__path__startswith": category.path})


class BatchCategoryFilter(CategoryTreeFilter):
    title = "product category"
    category_lookup = "product__category"


class ProductStockFilter(admin.SimpleListFilter):
    title = "sellable stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("in", "In stock"), ("out", "Out of stock")]

    def queryset(self, request, queryset):
        if self.value() == "in":
            return queryset.filter(available__gt=0)
        if self.value() == "out":
            return queryset.filter(available__lte=0)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("near", f"Expires within {settings.NEAR_EXPIRY_DAYS} days"),
            ("expired", "Expired"),
            ("none", "No expiry date"),
        ]

    def queryset(self, request, queryset):
        today = _today()
        if self.value() == "near":
            # The selector's rule (on hand, expiring within NEAR_EXPIRY_DAYS), still sellable today.
            near = selectors.near_expiry_batches(today=today).filter(expires_on__gt=today)
            return queryset.filter(pk__in=near.values("pk"))
        if self.value() == "expired":
            return queryset.filter(expires_on__lte=today)
        if self.value() == "none":
            return queryset.filter(expires_on__isnull=True)
        return queryset


class OnHandFilter(admin.SimpleListFilter):
    title = "units on hand"
    parameter_name = "on_hand"

    def lookups(self, request, model_admin):
        return [("yes", "Some on hand"), ("no", "Empty")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(quantity_on_hand__gt=0)
        if self.value() == "no":
            return queryset.filter(quantity_on_hand=0)
        return queryset


# --- categories -----------------------------------------------------------------------------------
class _CategoryMoveForm(forms.Form):
    node = forms.ModelChoiceField(queryset=Category.objects.all())
    target = forms.ModelChoiceField(queryset=Category.objects.all())
    relation = forms.ChoiceField(choices=(("child", "child"), ("sibling", "sibling")))


@admin.register(Category)
class CategoryAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, TreeAdmin):
    form = movenodeform_factory(Category)

    def children_view(self, request, parent_id):
        # treebeard's tree expands a node through this JSON view; it looks the parent id and the
        # filters up unchecked ("¹", 400 digits, unknown fields were 500s).
        if parse_id(parent_id) is None:
            raise Http404("No such category.")
        try:
            return super().children_view(request, parent_id)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Invalid filters.")
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # Products point at categories (PROTECT) and orders at products: reorganise, never delete.
        return False

    def save_form(self, request, form, change):
        # MoveNodeForm.save() writes the tree itself; the services do that here instead.
        return form.instance

    def save_related(self, request, form, formsets, change):
        # No many-to-many fields, and form.save() never ran: nothing for save_m2m to do.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @staticmethod
    def _parent_from_form(form) -> Category | None:
        reference = form.cleaned_data.get("treebeard_ref_node")
        if reference is None:
            return None
        if form.cleaned_data.get("treebeard_position") == "sorted-sibling":
            return Category.objects.get_parent(reference)
        return reference

    def persist(self, request, obj, form, change):
        parent = self._parent_from_form(form)
        if not change:
            saved = services.category_create(name=obj.name, slug=obj.slug, parent=parent, description=obj.description)
            copy_saved(saved, obj)
            return
        data = {f: getattr(obj, f) for f in form.changed_data if f in services.CATEGORY_FIELDS}
        if data:
            services.category_update(category=obj.pk, data=data)
        self._move(obj.pk, parent)
        copy_saved(Category.objects.get(pk=obj.pk), obj)

    def _move(self, category_id: int, parent: Category | None) -> None:
        current = Category.objects.get(pk=category_id)
        old_parent = Category.objects.get_parent(current)
        if (old_parent.pk if old_parent else None) == (parent.pk if parent else None):
            return
        moved = services.category_move(category=category_id, parent=parent)
        self._audit(
            moved,
            "moved",
            {"changes": {"parent": {"before": old_parent.pk if old_parent else None, "after": parent.pk if parent else None}}},
        )

    def move_node(self, request):
        """Drag and drop in the tree: the move goes through ``category_move`` too."""
        form = _CategoryMoveForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest("Invalid form data provided")
        node, target = form.cleaned_data["node"], form.cleaned_data["target"]
        if not self.has_change_permission(request, node):
            messages.error(request, "You do not have permission to change this category.")
            raise PermissionDenied
        parent = target if form.cleaned_data["relation"] == "child" else Category.objects.get_parent(target)
        try:
            with transaction.atomic():
                self._move(node.pk, parent)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseBadRequest(exc.message)
        messages.info(request, f'Moved "{node}" under "{parent}".' if parent else f'Moved "{node}" to the top level.')
        return HttpResponse("OK")


# --- manufacturers --------------------------------------------------------------------------------
@admin.register(Manufacturer)
class ManufacturerAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("name", "website", "support_email", "support_phone", "product_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug")}),
        ("Official content", {"fields": ("description", "website", "support_email", "support_phone")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="Products", ordering="product_total")
    def product_count(self, obj):
        return obj.product_total

    def has_delete_permission(self, request, obj=None):
        return False

    def persist(self, request, obj, form, change):
        if change:
            data = {f: getattr(obj, f) for f in form.changed_data if f in services.MANUFACTURER_FIELDS}
            saved = services.manufacturer_update(manufacturer=obj.pk, data=data) if data else obj
        else:
            saved = services.manufacturer_create(
                name=obj.name,
                slug=obj.slug,
                **{f: getattr(obj, f) for f in services.MANUFACTURER_FIELDS if f not in ("name", "slug")},
            )
        copy_saved(saved, obj)


# --- products -------------------------------------------------------------------------------------
class StockBatchInline(admin.TabularInline):
    """Batches with units on hand, read-only: stock arrives through "Receive stock"."""

    model = StockBatch
    extra = 0
    can_delete = False
    show_change_link = True
    fields = (
        "batch_number", "received_at", "expires_on", "location",
        "quantity_received", "quantity_on_hand", "quantity_reserved", "available",
    )
    readonly_fields = fields
    ordering = ("received_at", "id")
    verbose_name_plural = "stock batches with units on hand"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(quantity_on_hand__gt=0)

    @admin.display(description="Available")
    def available(self, obj):
        return obj.quantity_available

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "manufacturer", "price", "is_active", "is_perishable", "sellable_stock")
    list_display_links = ("code", "name")
    list_filter = (CategoryTreeFilter, "manufacturer", "is_active", "is_perishable", ProductStockFilter)
    search_fields = ("code", "name")
    ordering = ("name", "id")
    list_per_page = 50
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("code", "name", "slug", "category", "manufacturer", "description", "image_url")}),
        ("Price", {"fields": ("price_amount", "price_currency")}),
        ("Sale and logistics", {"fields": ("is_active", "is_perishable", "weight_kg", "volume_l")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        # Sellable stock is annotated by the selector: one subquery, no query per row.
        qs = selectors.product_queryset(include_inactive=True)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_readonly_fields(self, request, obj=None):
        # The code (SKU) is the product's identity: set once, never edited.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [StockBatchInline] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["form_class"] = TreeNodeChoiceField
            kwargs["queryset"] = Category.objects.get_tree()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Orders and the stock ledger refer to products: deactivate instead of deleting.
        return False

    @admin.display(description="Price", ordering="price_amount")
    def price(self, obj):
        return str(obj.price)

    @admin.display(description="Sellable stock", ordering="available")
    def sellable_stock(self, obj):
        return obj.available

    def audit_product_id(self, obj):
        return obj.pk

    def persist(self, request, obj, form, change):
        if change:
            data = {f: getattr(obj, f) for f in form.changed_data if f in services.EDITABLE_FIELDS}
            saved = services.product_update(product=obj.pk, data=data) if data else obj
        else:
            saved = services.product_create(
                code=obj.code,
                name=obj.name,
                slug=obj.slug,
                category=obj.category,
                manufacturer=obj.manufacturer,
                price=Money.of(obj.price_amount, obj.price_currency),
                **{
                    f: getattr(obj, f)
                    for f in services.EDITABLE_FIELDS
                    if f not in ("name", "slug", "category", "manufacturer", "price_amount", "price_currency")
                },
            )
        copy_saved(saved, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        product_id = parse_id(object_id)
        if product_id is not None:
            batches_admin = self.admin_site._registry.get(StockBatch)
            if batches_admin is not None and batches_admin.has_add_permission(request):
                extra_context["receive_stock_url"] = f"{reverse('admin:catalog_stockbatch_receive')}?product={product_id}"
            if batches_admin is not None and batches_admin.has_view_permission(request):
                extra_context["batches_url"] = f"{reverse('admin:catalog_stockbatch_changelist')}?product={product_id}"
        return super().change_view(request, object_id, form_url, extra_context)

    def _set_active(self, request, queryset, active: bool) -> None:
        changed = 0
        for product in queryset:
            if product.is_active == active:
                continue
            with transaction.atomic():
                updated = services.product_update(product=product.pk, data={"is_active": active})
                self._audit(updated, "changed", {"changes": {"is_active": {"before": not active, "after": active}}})
            changed += 1
        state = "active" if active else "inactive"
        self.message_user(request, f"{changed} product(s) marked {state}.", messages.SUCCESS)

    @admin.action(description="Mark selected products active (for sale)", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Mark selected products inactive (not for sale)", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)


# --- stock batches --------------------------------------------------------------------------------
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
        return obj.quantity_available

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
        rows = []
        if trace is not None:
            for entry in trace.entries:
                details = dict(entry.details)
                customer_id = details.pop("customer_id", None)
                rows.append(
                    {
                        "entry": entry,
                        "order": details.pop("order", ""),
                        "order_line": details.pop("order_line", ""),
                        "customer": details.pop("customer", "") or (customer_id or ""),
                        "customer_url": reverse("admin:accounts_user_change", args=[customer_id]) if customer_id else "",
                        "delivery": details.pop("delivery", ""),
                        "other": details,
                    }
                )
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


# --- the ledger and reservations: read-only browsers ----------------------------------------------
@admin.register(StockMovement)
class StockMovementAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "batch", "product", "kind", "on_hand_delta", "reserved_delta", "reference", "reason", "actor_repr")
    list_select_related = ("batch__product",)
    list_filter = ("kind", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=batch__batch_number", "reference", "=batch__product__code", "actor_repr")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Product", ordering="batch__product__name")
    def product(self, obj):
        return obj.batch.product


class ReservationAllocationInline(admin.TabularInline):
    model = ReservationAllocation
    extra = 0
    can_delete = False
    fields = ("batch", "quantity", "expires_on", "location")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch")

    @admin.display(description="Expires")
    def expires_on(self, obj):
        return obj.batch.expires_on or "-"

    @admin.display(description="Location")
    def location(self, obj):
        return obj.batch.location

    # Whoever may see a reservation may see where its units come from.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("catalog.view_stockreservation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockReservation)
class StockReservationAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "reference", "product", "quantity", "status", "created_at", "closed_at")
    list_select_related = ("product",)
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("reference", "=product__code", "product__name")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    inlines = (ReservationAllocationInline,)
