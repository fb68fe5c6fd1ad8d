"""Logistics KPIs: read models projected from the events (``projection``), the queries the REST API
and the admin charts read (``queries``), the admin home's panels (``panels``)."""
