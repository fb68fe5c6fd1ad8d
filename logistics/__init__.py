"""Logistics: distribution centres, the fleet, deliveries and the routes that carry them.

Part 1 (issue 13): centres, zones, vehicles, drivers, deliveries made from orders ready to ship,
offline geography (geocoder, distance matrix), routes with their stops, and the route planner
(``logistics.planning``: one planning model, OR-Tools and PyVRP back ends). Part 2 (issue 14): the
dispatch console, the driver app, delivery tracking and logistics figures.

It reads orders through ``orders.selectors`` and acts on them through ``orders.services``; nothing
in the core or in orders imports it (``ARCHITECTURE.md``).
"""
