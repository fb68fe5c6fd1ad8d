"""Move the shopper journey out of the audit table: every ``journey.*`` DomainEvent row becomes a
JourneyStep row (same action, customer, session digest, product, payload, channel, trace id and
time), then leaves the event table. Batched, so a large history does not sit in memory.

Reversible: going back writes the steps as ``journey.<action>`` events again, on the stream they
had (the session's digest, else the customer), versions continuing each stream.
"""

from django.db import migrations

PREFIX = "journey."
BATCH = 2000


def _batches(queryset):
    """The rows in id order, BATCH at a time, by key (rows of earlier batches may be deleted meanwhile)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("id")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def forwards(apps, schema_editor):
    DomainEvent = apps.get_model("audit", "DomainEvent")
    JourneyStep = apps.get_model("audit", "JourneyStep")
    rows = DomainEvent.objects.filter(event_type__startswith=PREFIX)
    for batch in _batches(rows):
        JourneyStep.objects.bulk_create([
            JourneyStep(
                action=row.event_type[len(PREFIX):][:40],
                customer_id=row.customer_id,
                session_id=row.session_id,
                product_id=row.product_id,
                query=str((row.payload or {}).get("query", ""))[:200] if isinstance(row.payload, dict) else "",
                payload=row.payload if isinstance(row.payload, dict) else {"value": row.payload},
                channel=row.channel,
                trace_id=row.trace_id,
                occurred_at=row.occurred_at,
            )
            for row in batch
        ])
        # The historical model has Django's plain manager: the append-only guard is the live model's.
        DomainEvent.objects.filter(pk__in=[row.pk for row in batch]).delete()


def backwards(apps, schema_editor):
    DomainEvent = apps.get_model("audit", "DomainEvent")
    JourneyStep = apps.get_model("audit", "JourneyStep")
    versions: dict[tuple[str, str], int] = {}
    for batch in _batches(JourneyStep.objects.all()):
        events = []
        for step in batch:
            stream = ("session", step.session_id) if step.session_id else ("customer", str(step.customer_id or "anonymous"))
            if stream not in versions:
                last = DomainEvent.objects.filter(stream_type=stream[0], stream_id=stream[1]).order_by("-version").first()
                versions[stream] = last.version if last else 0
            versions[stream] += 1
            events.append(DomainEvent(
                event_type=f"{PREFIX}{step.action}", stream_type=stream[0], stream_id=stream[1], version=versions[stream],
                payload=step.payload, channel=step.channel, customer_id=step.customer_id, product_id=step.product_id,
                session_id=step.session_id, trace_id=step.trace_id, occurred_at=step.occurred_at,
            ))
        DomainEvent.objects.bulk_create(events)
        JourneyStep.objects.filter(pk__in=[step.pk for step in batch]).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_journey_step")]

    operations = [migrations.RunPython(forwards, backwards)]
