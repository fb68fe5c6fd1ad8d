"""The outbox: one row per mail the shop sends, under its idempotency key."""

from django.db import models

from commerce.db_fields import ExactCharField


class Mail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # An identity, compared byte for byte on every backend: "orders.order.shipped:AB12C-DE34F".
    key = ExactCharField(max_length=200, unique=True, editable=False)
    to = models.EmailField(max_length=254, editable=False)
    template = models.CharField(max_length=100, editable=False)
    subject = models.CharField(max_length=200, editable=False)
    body_text = models.TextField(editable=False)
    body_html = models.TextField(editable=False)
    customer_id = models.BigIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, editable=False)
    attempts = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    # A worker sending the mail holds it until then; after a transient failure, until its retry is due.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="mail_status_created"),
            models.Index(fields=["customer_id", "created_at"], name="mail_customer_created"),
        ]
        permissions = [("resend_mail", "Can queue a failed mail again")]

    def __str__(self):
        return f"{self.subject} to {self.to}"
