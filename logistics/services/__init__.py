"""Logistics commands, each in one transaction, with its span and its event.

- ``deliveries``: made from orders ready to ship (``delivery_create_from_order``, ``deliveries_sweep``),
  ``delivery_schedule``, ``delivery_update_status``, ``delivery_complete``, ``delivery_fail``.
- ``routes``: ``route_create``, ``route_assign``, ``route_start``, ``route_complete``, ``route_cancel``;
  ``optimise``: ``route_optimise`` (the best order of one route's stops); ``planning``: a centre's day.
- ``centroids``: ``centroids_load`` (the offline geocoder's table).
- ``fleet``: centres, zones, vehicles, drivers and their shifts (the back office and the demo).
"""

from logistics.services.centroids import centroids_load
from logistics.services.deliveries import (
    deliveries_sweep,
    delivery_cancel_for_order,
    delivery_complete,
    delivery_create_from_order,
    delivery_fail,
    delivery_schedule,
    delivery_update_status,
)
from logistics.services.fleet import fleet_delete, fleet_save
from logistics.services.optimise import route_optimise
from logistics.services.routes import route_assign, route_cancel, route_complete, route_create, route_start

__all__ = [
    "centroids_load", "deliveries_sweep", "delivery_cancel_for_order", "delivery_complete", "delivery_create_from_order",
    "delivery_fail", "delivery_schedule", "delivery_update_status", "fleet_delete", "fleet_save", "route_assign", "route_cancel", "route_complete", "route_create",
    "route_optimise", "route_start",
]
