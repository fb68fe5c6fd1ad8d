"""The accounts back office: users (staff and shoppers), sales regions, customer profiles, addresses.

A staff edit is one audit row with before and after (``StaffAuditMixin``): the service's event
where a service writes (addresses, profiles, regions), else the admin's own ``admin.accounts.*``
row (Django's user pages). A user's group, permission and sales-region changes are in that row
too, since they decide who may see what.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect

from commerce.accounts import access, services
from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.admin_services import RunEachMixin, SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin, snapshot
from commerce.errors import DomainError

# The many-to-many relations that grant access, audited by name (readable in the event browser).
AUDITED_RELATIONS = ("groups", "user_permissions", "sales_regions")


def _relation_names(user: User, relation: str) -> list[str]:
    manager = getattr(user, relation)
    if relation == "user_permissions":
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in manager.select_related("content_type"))
    return sorted(str(o) for o in manager.all())


@admin.register(User)
class UserAdmin(SafeChangeListMixin, StaffAuditMixin, RunEachMixin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Sales regions", {"fields": ("sales_regions",)}),
                 ("Personal data", {"fields": ("anonymised_at",)}))
    readonly_fields = ("anonymised_at",)
    actions = ("anonymise",)
    filter_horizontal = (*DjangoUserAdmin.filter_horizontal, "sales_regions")
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "group_names", "region_names")
    list_filter = (*DjangoUserAdmin.list_filter, "sales_regions")

    def get_queryset(self, request):
        # Users are customer data: the regional rule of commerce.accounts.access, as on every surface.
        queryset = super().get_queryset(request).prefetch_related("groups", "sales_regions")
        return access.scope_customer_rows(request.user, queryset)

    @admin.action(description="Anonymise selected users (keep their orders and history)", permissions=["change"])
    def anonymise(self, request, queryset):
        # A user whose history forbids deleting them: the service scrubs what names them instead.
        # Each row is refreshed before the admin's history names it: by its new name, not the scrubbed one.
        self.run_each(request, queryset, call=self._anonymise_one, done="Anonymised",
                      describe=lambda user, result: f"user {user.pk}")

    @staticmethod
    def _anonymise_one(user):
        services.user_anonymise(user=user)
        user.refresh_from_db()

    @admin.display(description="Groups")
    def group_names(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "-"

    @admin.display(description="Sales regions")
    def region_names(self, obj):
        return ", ".join(sorted(r.name for r in obj.sales_regions.all())) or "-"

    def audit_customer_id(self, obj):
        return obj.pk if obj.pk and CustomerProfile.objects.filter(user_id=obj.pk).exists() else None

    # Deleting a user: the service, which takes what was only theirs along (profile, addresses, carts,
    # reviews, whose own pages here delete nothing) and refuses one whose orders the shop keeps.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set() if self.has_delete_permission(request) else perms_needed, protected

    def delete_model(self, request, obj):
        with self.staff_edit(request, obj, "deleted", {"values": snapshot(obj)}):
            services.user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except DomainError as exc:  # a race the confirmation could not see: that one stays
                self.message_user(request, exc.message, messages.ERROR)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was deleted: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def audit_unrecorded(self, request, obj, verb, payload):
        # A user edit's field changes wait for save_related, which adds the relation changes: one row.
        if verb == "changed":
            request._user_field_changes = payload["changes"]
            return
        super().audit_unrecorded(request, obj, verb, payload)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        user = form.instance
        before = {r: _relation_names(user, r) for r in AUDITED_RELATIONS}
        super().save_related(request, form, formsets, change)
        after = {r: _relation_names(user, r) for r in AUDITED_RELATIONS}
        changes = {
            **getattr(request, "_user_field_changes", {}),
            **{r: {"before": before[r], "after": after[r]} for r in AUDITED_RELATIONS if before[r] != after[r]},
        }
        if changes:
            self._audit(user, "changed", {"changes": changes})

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():  # the new password and its audit row, together
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, id)
                if user is not None:
                    self._audit(user, "password_changed", {})
        return response


@admin.register(SalesRegion)
class SalesRegionAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name", "staff_count", "customer_count")
    search_fields = ("code", "name")

    def persist(self, request, obj, form, change):
        saved = services.sales_region_save(
            code=form.cleaned_data["code"], name=form.cleaned_data["name"], region=obj if change else None
        )
        copy_saved(saved, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # orders and customers point at regions

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(staff_total=Count("staff", distinct=True), customer_total=Count("customers", distinct=True))
        )

    @admin.display(description="Sales staff", ordering="staff_total")
    def staff_count(self, obj):
        return obj.staff_total

    @admin.display(description="Customers", ordering="customer_total")
    def customer_count(self, obj):
        return obj.customer_total


@admin.register(CustomerProfile)
class CustomerProfileAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("user", "email", "phone", "sales_region", "created_at")
    list_select_related = ("user", "sales_region")
    list_filter = ("sales_region",)
    search_fields = ("user__username", "user__email", "user__last_name", "phone")
    fields = ("user", "phone", "sales_region", "created_at")
    readonly_fields = ("user", "created_at")

    def get_queryset(self, request):
        return access.scope_customer_rows(request.user, super().get_queryset(request), "user")

    @admin.display(description="Email", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def audit_customer_id(self, obj):
        return obj.user_id

    def persist(self, request, obj, form, change):
        saved = services.customer_profile_set(
            user=obj.user, phone=form.cleaned_data["phone"], sales_region=form.cleaned_data["sales_region"]
        )
        copy_saved(saved, obj)

    # A profile is made when a customer registers and goes with the user account.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AddressAdminForm(forms.ModelForm):
    # Not the model field: one default per customer is a constraint that the service keeps by
    # moving the default here, so the form must not refuse a second default on its own.
    make_default = forms.BooleanField(
        required=False, label="Default address", help_text="Make this the customer's default delivery address."
    )

    class Meta:
        model = Address
        fields = ("customer", "label", "recipient", "street", "zip_code", "city", "state", "country", "latitude", "longitude")


@admin.register(Address)
class AddressAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = AddressAdminForm
    list_display = ("customer", "label", "recipient", "street", "zip_code", "city", "country", "is_default", "has_coordinates")
    list_select_related = ("customer",)
    list_filter = ("country", "is_default")
    search_fields = ("customer__username", "city", "zip_code", "recipient", "street")
    autocomplete_fields = ("customer",)
    actions = ("make_default",)

    def get_queryset(self, request):
        return access.scope_customer_rows(request.user, super().get_queryset(request), "customer")

    def get_fieldsets(self, request, obj=None):
        # An address stays with its customer; on an existing address the default moves with the
        # "make default" action.
        first = ("customer", "label", "make_default") if obj is None else ("customer", "label", "is_default")
        return (
            (None, {"fields": first}),
            ("Address", {"fields": ("recipient", "street", "zip_code", "city", "state", "country")}),
            ("Location (for delivery routes)", {"fields": ("latitude", "longitude")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("customer", "is_default") if obj is not None else ()

    @admin.display(description="Coordinates", boolean=True)
    def has_coordinates(self, obj):
        return obj.latitude is not None and obj.longitude is not None

    def audit_customer_id(self, obj):
        return obj.customer_id

    def persist(self, request, obj, form, change):
        if change:
            fields = {f: getattr(obj, f) for f in form.changed_data if f in services.ADDRESS_FIELDS}
            saved = services.address_update(customer=obj.customer, address_id=obj.pk, **fields) if fields else obj
        else:
            saved = services.address_create(
                customer=obj.customer,
                is_default=form.cleaned_data.get("make_default", False),
                **{f: getattr(obj, f) for f in services.ADDRESS_FIELDS},
            )
        copy_saved(saved, obj)

    def remove(self, request, obj):
        services.address_delete(customer=obj.customer, address_id=obj.pk)

    @admin.action(description="Make the selected address its customer's default", permissions=["change"])
    def make_default(self, request, queryset):
        addresses = list(queryset.select_related("customer")[:2])
        if len(addresses) != 1:
            self.message_user(request, "Choose exactly one address to make default.", messages.WARNING)
            return
        address = addresses[0]
        if address.is_default:
            self.message_user(request, "That address already is the default.", messages.INFO)
            return
        with transaction.atomic(), self.staff_edit(
            request, address, "changed", {"changes": {"is_default": {"before": False, "after": True}}}
        ):
            services.address_update(customer=address.customer, address_id=address.pk, is_default=True)
        self.message_user(request, f"{address} is now the default address of {address.customer}.", messages.SUCCESS)
