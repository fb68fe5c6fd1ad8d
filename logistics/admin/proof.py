"""What proof of delivery each delivery method asks of the drivers: recipient's name, photo and
signature, each required, optional or off. Saved through ``proof_policy_save`` (with its event)."""

from __future__ import annotations

from django.contrib import admin

from commerce.admin_services import ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from logistics.admin.common import DispatchPermissionsMixin
from logistics.models import ProofPolicy
from logistics.services.execution import proof_policy_save


@admin.register(ProofPolicy)
class ProofPolicyAdmin(StaffAuditMixin, ServiceSaveMixin, DispatchPermissionsMixin, admin.ModelAdmin):
    list_display = ("method", "recipient_name", "photo", "signature", "updated_at")
    list_editable = ("recipient_name", "photo", "signature")
    fields = ("method", "recipient_name", "photo", "signature")

    def get_readonly_fields(self, request, obj=None):
        return ("method",) if obj is not None else ()

    def persist(self, request, obj, form, change):
        copy_saved(proof_policy_save(method=obj.method, recipient_name=obj.recipient_name, photo=obj.photo,
                                     signature=obj.signature), obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a method always has a policy: change it, never remove it
