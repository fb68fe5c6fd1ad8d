"""The recommender's trained models and the runs that train them.

A ``ModelVersion`` is one trained model: its algorithm, what it serves (``purpose``), the
parameters and offline metrics it was chosen with, and its file (an ``.npz`` written by
``recommendations.engine``, kept through Django's storage API so every worker reads the same one).
At most one version per purpose is ``active``: ``services.training.model_version_activate`` swaps
it in one transaction under the lock of the purpose's versions (MariaDB drops conditional unique
constraints, so the service, not the schema, keeps it one). A ``TrainingRun`` is one training:
queued, running (its phase and progress updated as it goes, which the admin shows), then done
(with the version it made) or failed (nothing else changed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Purpose(models.TextChoices):
    """What a model serves: personalised lists, or products like a product."""

    FOR_YOU = "for_you", "For you"
    SIMILAR = "similar", "Similar products"


class Algorithm(models.TextChoices):
    ALS = "als", "ALS (implicit)"
    BPR = "bpr", "BPR (implicit)"
    ITEM_KNN = "item_knn", "Item-item nearest neighbours"
    POPULARITY = "popularity", "Popularity"


def _model_path(instance, filename):
    return f"recommendations/models/{instance.purpose}/{filename}"


class ModelVersion(models.Model):
    class State(models.TextChoices):
        READY = "ready", "Ready"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    algorithm = models.CharField(max_length=20, choices=Algorithm.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.READY)
    params = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="Offline hold-out figures of every candidate weighed.")
    file = models.FileField(upload_to=_model_path, max_length=200)
    file_size = models.PositiveBigIntegerField(default=0)
    users = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    interactions = models.PositiveBigIntegerField(default=0)
    fit_seconds = models.FloatField(default=0)
    training_run = models.ForeignKey("recommendations.TrainingRun", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="versions")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["purpose", "state"], name="recs_model_purpose_state")]

    def __str__(self):
        return f"{self.get_purpose_display()} model v{self.pk} ({self.algorithm}, {self.state})"


class TrainingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    algorithm = models.CharField(max_length=20, blank=True,
                                 help_text="Blank: weigh the purpose's candidates on a hold-out and keep the best.")
    activate = models.BooleanField(default=True, help_text="Activate the trained version when done.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=80, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=10, default="admin", help_text="admin, nightly, demo, command")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    interactions = models.PositiveBigIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Training of {self.purpose} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
