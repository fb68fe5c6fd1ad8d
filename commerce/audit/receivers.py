from django.dispatch import receiver

from commerce.audit import bus, store
from commerce.audit.events import domain_event_recorded


@receiver(domain_event_recorded, dispatch_uid="audit.write_event_row")
def write_event_row(sender, event, **kwargs):
    row = store.append(event)
    bus.schedule(row.pk, row.event_type)
