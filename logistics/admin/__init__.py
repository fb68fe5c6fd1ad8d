"""The logistics back office: one module per model admin (centres, zones, fleet, deliveries, routes, planning runs)."""
