"""Order statuses the selectors group by meaning."""

from orders.models import Order

#: orders that never became the customer's orders: cancelled ones, and voided checkout attempts
NOT_ORDERED = (Order.Status.CANCELLED, Order.Status.VOIDED)


#: orders whose goods reached the customer (a completed order was delivered first)
RECEIVED = (Order.Status.DELIVERED, Order.Status.COMPLETED)

#: orders that count in sales figures: placed, not pending payment, neither cancelled nor voided
REVENUE_STATUSES = [s for s in Order.Status.values if s not in (Order.Status.PENDING, *NOT_ORDERED)]
