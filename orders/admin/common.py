"""What the orders admins share: the staff permissions, which orders a staff member sees, and the read-only inline."""

from __future__ import annotations

from django.contrib import admin

from commerce.accounts import access
from commerce.admin_services import ReadOnlyAdminMixin
from commerce.parsing import parse_id_list
from orders.models import Order

MANAGE_ORDERS = "accounts.manage_orders"
REFUND_ORDERS = "accounts.refund_orders"


def scope_orders(user, queryset, region_field: str = "region"):
    """The rows of ``queryset`` this staff member may see: all, their regions' (Sales), or none."""
    if access.can_view_all_orders(user):
        return queryset
    if access.has_permission(user, "view_region_orders"):
        return queryset.filter(**{f"{region_field}__in": access.region_ids_of(user)})
    return queryset.none()


def _ids_param(request) -> list[int]:
    return parse_id_list(request.POST.get("ids") or request.GET.get("ids") or "")


# --- inlines ------------------------------------------------------------------------------------------
class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows shown with their parent, never edited; visible to whoever may view the parent."""

    extra = 0
    can_delete = False
    parent_view_permission = "orders.view_order"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.parent_view_permission)


S, P = Order.Status, Order.PaymentStatus
#: the colour of each state in the lists: waiting for staff, on its way, done, gone wrong, over
ORDER_STATUS_TONES = {
    S.PENDING: "muted", S.CONFIRMED: "warn", S.PAID: "warn", S.ALLOCATED: "info", S.READY_TO_SHIP: "info",
    S.SHIPPED: "info", S.DELIVERED: "good", S.COMPLETED: "good", S.CANCELLED: "muted", S.REFUNDED: "bad", S.VOIDED: "bad",
}
PAYMENT_STATUS_TONES = {
    P.UNPAID: "warn", P.DUE_ON_DELIVERY: "info", P.PAID: "good", P.PARTIALLY_REFUNDED: "bad", P.REFUNDED: "bad",
}

