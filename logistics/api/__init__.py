"""The logistics REST API: routes, deliveries, planning; urls.py lists them."""
