"""The orders back office: orders, carts, the order read model and gateway notifications.

Nothing here writes an order row. The order page is read-only for everyone, superusers included
(the status is never a form field); every change is an admin action or a small form that calls
the same lifecycle and payment services the shop and the API call. Each order is handled in its
own transaction, and each one's outcome is reported: one order refusing a transition does not
stop the others. Which orders a staff member sees follows ``commerce.accounts.access``:
``view_all_orders`` sees every order, Sales staff see the orders of their sales regions.
"""

from orders.admin.browsers import (
    CartAdmin,
    CartLineInline,
    GatewayNotificationAdmin,
    OrderSummaryAdmin,
)
from orders.admin.common import (
    MANAGE_ORDERS,
    REFUND_ORDERS,
    ReadOnlyInline,
    scope_orders,
)
from orders.admin.forms import (
    CancelForm,
    RefundForm,
    ShipForm,
)
from orders.admin.orders import (
    TRANSITIONS,
    OrderAdmin,
    OrderLineInline,
    PaymentInline,
    RefundInline,
)
from orders.shipping.admin import ShippingHolidayAdmin, ShippingMethodAdmin  # noqa: F401 (registers them)

__all__ = [
    "MANAGE_ORDERS",
    "REFUND_ORDERS",
    "scope_orders",
    "ReadOnlyInline",
    "ShipForm",
    "CancelForm",
    "RefundForm",
    "OrderLineInline",
    "PaymentInline",
    "RefundInline",
    "TRANSITIONS",
    "OrderAdmin",
    "CartLineInline",
    "CartAdmin",
    "OrderSummaryAdmin",
    "GatewayNotificationAdmin",
]
