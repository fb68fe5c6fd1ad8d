from django.dispatch import receiver

from commerce.audit import bus, store
from commerce.audit.events import domain_event_recorded, domain_events_recorded, events_stored
from commerce.audit.models import DomainEvent


@receiver(domain_event_recorded, dispatch_uid="audit.write_event_row")
def write_event_row(sender, event, **kwargs):
    row = store.append(event)
    events_stored.send(sender=DomainEvent, rows=[row])
    bus.schedule(row.pk, row.event_type)


@receiver(domain_events_recorded, dispatch_uid="audit.write_event_rows")
def write_event_rows(sender, events, **kwargs):
    rows = store.append_many(events)
    events_stored.send(sender=DomainEvent, rows=rows)
    for row in rows:
        if row.pk is not None:
            bus.schedule(row.pk, row.event_type)
