"""The append-only domain event store: the history of the business."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from commerce.context import Channel


class AppendOnlyError(RuntimeError):
    pass


class DomainEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Domain events are append-only")

    def delete(self):
        raise AppendOnlyError("Domain events are append-only")


class DomainEvent(models.Model):
    event_type = models.CharField(max_length=100)
    stream_type = models.CharField(max_length=40)
    stream_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    actor_repr = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    customer_id = models.BigIntegerField(null=True, blank=True)
    product_id = models.BigIntegerField(null=True, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    trace_id = models.CharField(max_length=32, blank=True)
    occurred_at = models.DateTimeField(db_index=False)

    objects = DomainEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stream_type", "stream_id", "version"], name="audit_event_stream_version_uniq"),
        ]
        indexes = [
            models.Index(fields=["event_type", "occurred_at"], name="audit_event_type_time_idx"),
            models.Index(fields=["customer_id", "occurred_at"], name="audit_event_customer_idx"),
            models.Index(fields=["product_id", "occurred_at"], name="audit_event_product_idx"),
            models.Index(fields=["occurred_at"], name="audit_event_time_idx"),
            models.Index(fields=["session_id", "occurred_at"], name="audit_event_session_idx"),
        ]
        permissions = [("view_audit_trail", "Can browse the audit trail")]

    def __str__(self):
        return f"{self.event_type} {self.stream_type}:{self.stream_id} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Domain events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Domain events are append-only")


class JourneyStep(models.Model):
    """One step of a shopper's clickstream (search, product view, cart, checkout): high volume,
    written with one INSERT (one per request, bulk when a request makes several), never versioned
    and never part of the audit trail. ``DomainEvent`` holds state changes; this table holds what
    shoppers looked at and clicked. Read by ``selectors.customer_journey`` and ``journey_steps``.
    """

    action = models.CharField(max_length=40)
    customer = models.ForeignKey(  # no FK constraint and no index of its own: the composite index covers it
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False, db_index=False,
    )
    session_id = models.CharField(max_length=64, blank=True, help_text="Digest of the session key, never the key.")
    product_id = models.BigIntegerField(null=True, blank=True)
    query = models.CharField(max_length=200, blank=True, help_text="The search text of a search step.")
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    trace_id = models.CharField(max_length=32, blank=True)
    occurred_at = models.DateTimeField(db_index=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="journey_customer_time_idx"),
            models.Index(fields=["session_id", "occurred_at"], name="journey_session_time_idx"),
            models.Index(fields=["action", "occurred_at"], name="journey_action_time_idx"),
            models.Index(fields=["product_id", "occurred_at"], name="journey_product_time_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.session_id or self.customer_id or '-'} {self.occurred_at:%Y-%m-%d %H:%M}"
