from django.dispatch import receiver

from commerce.audit.events import events_stored
from commerce.catalog.traceability import register_resolver
from orders import read_model
from orders.selectors import trace_references


@receiver(events_stored, dispatch_uid="orders.project_order_summaries")
def project_order_summaries(sender, rows, **kwargs):
    read_model.project(rows)


register_resolver(trace_references)
