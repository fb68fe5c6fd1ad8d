"""Orders queries. History, search and analytics read the ``OrderSummary`` read model only.

This module is the orders app's public read API for other apps: another app reads orders through
these functions (and their frozen value types, ``CustomerPurchaseFacts``, ``OrderFacts``), never
through ``orders.models`` (the import contract in ``pyproject.toml`` checks it, see
``ARCHITECTURE.md``). The promotions app uses ``cart_find`` (the "My coupons" page),
``customer_purchase_facts``, ``customers_with_orders`` and ``customer_has_orders`` (segments) and
``order_facts`` (the redemptions written at checkout); logistics uses ``orders_ready_to_ship`` and
``order_shipping_facts`` (deliveries made from orders ready to ship, planned after
``ShippingFacts.plan_after``: the eve of the day promised at checkout); the recommendations app uses
``customer_received_product_ids`` (verified purchases), ``received_order_lines`` (review figures),
``customer_received_product`` (who may answer a product question as a verified buyer) and
``received_purchases`` (its demo data), ``purchased_lines`` (what the recommender learns from), and to
serve recommendations ``purchased_baskets`` (co-purchases), ``customer_purchases`` (no one-off
purchase just made), ``product_purchase_counts`` (popularity) and ``cart_product_ids`` (never what is
in the cart); logistics also uses ``customer_order_ids_with_product`` (the delivery a review's
delivery stars are about). A new need of another app is a new function here, with its query count in
mind, not an import of a model.

The functions live in modules by concern (``carts``, ``access``, ``history``, ``analytics``,
``backoffice``, ``facts``, ``purchases``); import them from here, ``from orders.selectors import order_get``, as
every caller does: the modules are how this package is kept readable, not part of its API.
"""

from orders.selectors.access import (
    CustomerOverview,
    can_view_order,
    customer_overview,
    order_get,
    order_notes,
    order_timeline,
    visible_summaries,
)
from orders.selectors.analytics import (
    average_order_value,
    best_selling_products,
    customer_lifetime_value,
    customer_purchase_pattern,
    order_statistics,
)
from orders.selectors.backoffice import (
    DaySales,
    FulfilmentQueue,
    QueueOrder,
    fulfilment_queue,
    sales_by_day,
    top_products,
    trace_references,
)
from orders.selectors.carts import (
    cart_find,
    cart_items,
    cart_product_ids,
    cart_summary,
)
from orders.selectors.facts import (
    CustomerPurchaseFacts,
    DeliveredOrder,
    OrderFacts,
    customer_has_orders,
    customer_order_ids_with_product,
    customer_purchase_facts,
    customer_received_product,
    customer_received_product_ids,
    customers_with_orders,
    delivered_order_of,
    order_facts,
    orders_delivered_between,
    received_order_lines,
    received_purchases,
)
from orders.selectors.history import (
    ReorderSuggestion,
    ShippingFacts,
    order_history,
    order_search,
    order_shipping_facts,
    orders_ready_to_ship,
    reorder_suggestions,
)
from orders.selectors.purchases import (
    customer_purchases,
    product_purchase_counts,
    purchased_baskets,
    purchased_lines,
)
from orders.selectors.statuses import (
    NOT_ORDERED,
    RECEIVED,
    REVENUE_STATUSES,
)

__all__ = [
    "NOT_ORDERED", "RECEIVED", "REVENUE_STATUSES", "cart_find", "cart_items", "cart_summary", "can_view_order",
    "customer_overview", "CustomerOverview", "order_get", "order_notes", "order_timeline", "visible_summaries",
    "order_history", "order_search", "order_shipping_facts", "orders_ready_to_ship", "reorder_suggestions",
    "ReorderSuggestion", "ShippingFacts", "average_order_value", "best_selling_products", "customer_lifetime_value",
    "customer_purchase_pattern", "order_statistics", "DaySales", "fulfilment_queue", "FulfilmentQueue", "QueueOrder",
    "sales_by_day", "top_products", "trace_references", "customer_has_orders", "customer_purchase_facts",
    "customer_received_product", "customer_received_product_ids", "CustomerPurchaseFacts", "customers_with_orders",
    "delivered_order_of", "DeliveredOrder", "order_facts", "OrderFacts", "orders_delivered_between", "received_order_lines",
    "received_purchases", "cart_product_ids", "customer_order_ids_with_product", "customer_purchases",
    "product_purchase_counts", "purchased_baskets", "purchased_lines",
]
