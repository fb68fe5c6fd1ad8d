"""The shipping methods and holidays in the back office: saved through the shipping services."""

from __future__ import annotations

from django.contrib import admin

from commerce.admin_services import SafeChangeListMixin, ServiceErrorsOnFormMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.money_format import money_text
from orders.shipping.models import ShippingHoliday, ShippingMethod
from orders.shipping.services import (
    METHOD_FIELDS,
    shipping_holiday_delete,
    shipping_holiday_save,
    shipping_method_save,
)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ("name", "code", "price", "free_over", "promise", "cutoff_time", "is_active", "is_default", "position")
    list_editable = ()
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    fieldsets = (
        (None, {"fields": ("name", "code", "description", "is_active", "is_default", "position")}),
        ("Price", {"fields": ("price_amount", "currency", "free_over_amount")}),
        ("Delivery promise", {"fields": ("cutoff_time", "processing_days", "transit_days_min", "transit_days_max",
                                         "saturday_delivery"),
                              "description": "Working days are Monday to Friday, holidays excepted."}),
    )

    @admin.display(description="Price", ordering="price_amount")
    def price(self, obj):
        return money_text(obj.price_amount, obj.currency)

    @admin.display(description="Free from")
    def free_over(self, obj):
        return money_text(obj.free_over_amount, obj.currency) if obj.free_over_amount is not None else "never"

    @admin.display(description="Ships after / arrives in")
    def promise(self, obj):
        transit = (f"{obj.transit_days_min}" if obj.transit_days_min == obj.transit_days_max
                   else f"{obj.transit_days_min}-{obj.transit_days_max}")
        return f"{obj.processing_days} working day(s) / {transit} day(s)"

    def persist(self, request, obj, form, change):
        saved = shipping_method_save(method=obj if change else None,
                                     **{name: form.cleaned_data[name] for name in METHOD_FIELDS if name in form.cleaned_data})
        copy_saved(saved, obj)

    def remove(self, request, obj):
        # A method is never deleted (orders name it): it is switched off.
        shipping_method_save(method=obj, is_active=False, is_default=False)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShippingHoliday)
class ShippingHolidayAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ("date", "name")
    ordering = ("-date",)
    date_hierarchy = "date"
    fields = ("date", "name")

    def persist(self, request, obj, form, change):
        copy_saved(shipping_holiday_save(holiday=obj if change else None, date=form.cleaned_data["date"],
                                         name=form.cleaned_data["name"]), obj)

    def remove(self, request, obj):
        shipping_holiday_delete(holiday=obj)
