"""Reactions to orders' events, subscribed on the audit bus in ``LogisticsConfig.ready``: each runs
in Celery after the order's command committed (``commerce.audit.bus``), and calls one service.

The sweep (``deliveries_sweep``: a beat task and ``manage.py deliveries_sweep``) makes what a lost
reaction did not: both are idempotent, one delivery per order.
"""

from logistics.services.deliveries import delivery_cancel_for_order, delivery_create_from_order


def order_ready_to_ship(event) -> None:
    """``orders.order.ready_to_ship``: the order's delivery, scheduled in its zone."""
    delivery_create_from_order(order_id=int(event.payload["order_id"]))


def order_cancelled(event) -> None:
    """``orders.order.cancelled``: its delivery, when not yet on a route, is cancelled too."""
    delivery_cancel_for_order(order_id=int(event.payload["order_id"]))
