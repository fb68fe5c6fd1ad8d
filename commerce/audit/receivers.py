from django.dispatch import receiver

from commerce.audit import store
from commerce.audit.events import domain_event_recorded


@receiver(domain_event_recorded, dispatch_uid="audit.write_event_row")
def write_event_row(sender, event, **kwargs):
    store.append(event)
