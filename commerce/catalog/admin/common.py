"""What the catalog admins share: the staff permissions they check and their list filters."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from commerce.catalog import selectors
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD
from commerce.catalog.models import (
    Category,
)
from commerce.parsing import parse_id

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
        return [("in", "In stock"), ("low", f"Low (at most {LOW_STOCK_THRESHOLD})"), ("out", "Out of stock")]

    def queryset(self, request, queryset):
        if self.value() == "in":
            return queryset.filter(available__gt=0)
        if self.value() == "low":
            return queryset.filter(available__lte=LOW_STOCK_THRESHOLD)
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
