"""Products in the back office, saved through the catalog services, with their stock batches shown read-only."""


from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from treebeard.forms import TreeNodeChoiceField

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.catalog import product_images, selectors, services
from commerce.catalog.admin.common import CategoryTreeFilter, ProductStockFilter
from commerce.catalog.models import (
    Category,
    Product,
    ProductImage,
    StockBatch,
)
from commerce.errors import ImageInvalid
from commerce.images import clean_image
from commerce.money import Money
from commerce.parsing import parse_id


class StockBatchInline(ReadOnlyAdminMixin, admin.TabularInline):
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
        return obj.quantity_available if obj.pk else None  # a row whose posted id is no batch's: an empty one


class ProductImageForm(forms.ModelForm):
    """One picture row: a new file (required for a new row, replaces the picture on an existing
    one), its alt text and its place. The file is checked here (``clean_image``), so a bad upload
    shows its reason on the field and nothing is saved."""

    upload = forms.FileField(
        label="Picture", required=False, help_text="JPEG, PNG or WebP.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    order = forms.IntegerField(
        label="Order", required=False, min_value=0, max_value=1000,
        widget=forms.NumberInput(attrs={"style": "width: 4em"}),
        help_text="Lower first; the first picture is the cover.",
    )

    class Meta:
        model = ProductImage
        fields = ("alt_text",)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        try:
            return clean_image(upload)
        except ImageInvalid as exc:
            raise forms.ValidationError(exc.message, code="image_invalid") from None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and self.has_changed() and not cleaned.get("upload") and "upload" not in self.errors:
            self.add_error("upload", "Choose a picture to add.")
        return cleaned


class ProductImageInline(admin.TabularInline):
    """The product's pictures: upload, replace, describe, reorder, remove; saved by the picture
    services (``ProductAdmin.save_formset``), never by the formset."""

    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("preview", "upload", "alt_text", "order")
    readonly_fields = ("preview",)
    verbose_name = "picture"
    verbose_name_plural = "pictures (in order; the first is the cover)"

    def get_max_num(self, request, obj=None, **kwargs):
        return product_images.MAX_IMAGES

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The current place is shown in the "Order" field (not the model's ``position``: the form
        # must not check the unique place per row while two rows swap places).
        base_init = formset.form.__init__

        def __init__(form, *args, **kw):
            base_init(form, *args, **kw)
            if form.instance.pk is not None:
                form.fields["order"].initial = form.instance.position

        formset.form = type("ProductImageRowForm", (formset.form,), {"__init__": __init__})
        return formset

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        small = obj.rendition(160)
        return format_html(
            '<a href="{}"><img src="{}" width="{}" height="{}" alt="{}" style="max-width:120px;height:auto"></a>'
            '<br><span class="help">{}×{}</span>',
            obj.url, small["url"], small["width"], small["height"], obj.alt_text, obj.width, obj.height,
        )


@admin.register(Product)
class ProductAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "manufacturer", "price", "is_active", "is_perishable", "sellable_stock")
    list_display_links = ("code", "name")
    list_filter = (CategoryTreeFilter, "manufacturer", "is_active", "is_featured", "is_perishable", ProductStockFilter)
    search_fields = ("code", "name")
    ordering = ("name", "id")
    list_per_page = 50
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("code", "name", "slug", "category", "manufacturer", "description")}),
        ("Price", {"fields": ("price_amount", "price_currency")}),
        ("Sale and logistics", {"fields": ("is_active", "is_featured", "is_perishable", "weight_kg", "volume_l")}),
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
        return [ProductImageInline, StockBatchInline] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        if formset.model is ProductImage:
            self._save_pictures(form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_pictures(self, product, formset) -> None:
        """Each row through its service (remove, add, replace, describe), then one reorder.

        A row's "Order" sorts it among the others (ties keep the page's order); Django's change
        message reads what changed from the lists filled in here, as ``formset.save()`` would.
        """
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        placed = []  # (order typed, row index, image id)
        for index, row in enumerate(formset.forms):
            image = row.instance if row.instance.pk is not None else None
            if formset._should_delete_form(row):
                # A row whose picture is gone (removed meanwhile in another tab, or its id tampered)
                # is an empty row: marked for removal, there is nothing to add.
                if image is not None:
                    product_images.product_image_remove(product=product.pk, image_id=image.pk)
                    formset.deleted_objects.append(image)
                continue
            if not row.has_changed() and image is None:
                continue  # an empty extra row
            data = row.cleaned_data
            picture, alt_text = data.get("upload"), data.get("alt_text", "")
            if image is None:
                image = product_images.product_image_add(product=product.pk, picture=picture, alt_text=alt_text)
                formset.new_objects.append(image)
            elif picture is not None:
                image = product_images.product_image_replace(
                    product=product.pk, image_id=image.pk, picture=picture, alt_text=alt_text
                )
                formset.changed_objects.append((image, ["picture", *(["alt_text"] if "alt_text" in row.changed_data else [])]))
            elif "alt_text" in row.changed_data:
                image = product_images.product_image_update(product=product.pk, image_id=image.pk, alt_text=alt_text)
                formset.changed_objects.append((image, ["alt_text"]))
            typed = data.get("order")
            if typed is None:  # a new picture goes last; an existing one keeps its place
                typed = 10_000 + index if image in formset.new_objects else image.position
            placed.append((typed, index, image.pk))
        order = [image_id for _typed, _index, image_id in sorted(placed)]
        if order != list(product.images.order_by("position", "id").values_list("id", flat=True)):
            product_images.product_images_reorder(product=product.pk, image_ids=order)

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
            services.product_update(product=product.pk, data={"is_active": active})  # its event has before and after
            changed += 1
        state = "active" if active else "inactive"
        self.message_user(request, f"{changed} product(s) marked {state}.", messages.SUCCESS)

    @admin.action(description="Mark selected products active (for sale)", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Mark selected products inactive (not for sale)", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)
