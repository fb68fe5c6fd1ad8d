"""A/B tests of recommendations: an experiment on one placement splits its shoppers between variants
(a control that serves the placement as it is, and treatments that serve another model version,
intent or list size), so their click-through and conversion can be compared.

- ``Experiment``: draft, then running (at most one per placement: ``running_for`` holds the
  placement's key while it runs and is unique; NULLs repeat, so drafts and stopped ones do not
  collide, on MariaDB too), then stopped. Its ``salt`` makes its assignment independent of any
  other experiment's.
- ``ExperimentVariant``: its share of the traffic (``weight``) and what it changes; fixed once the
  experiment has started.
- ``ExperimentAssignment``: which variant a customer (``c<id>``) or an anonymous session
  (``s<digest>``) is in. The variant follows from a hash of the salt and the shopper (sticky
  without a read); the row records the shopper's exposure for the sample sizes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.db_fields import ExactCharField
from recommendations.models.engine import ModelVersion
from recommendations.models.serving import Intent


class Experiment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"

    name = models.CharField(max_length=100)
    placement = models.CharField(max_length=40, help_text="The placement's key (home_for_you, product_similar, ...).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    running_for = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False,
                                   help_text="The placement's key while running: one running experiment per placement.")
    salt = models.CharField(max_length=16, editable=False)
    minimum_effect = models.DecimalField(
        max_digits=4, decimal_places=2, default=0.10,
        help_text="The smallest relative change worth detecting (0.10: 10 %), for the sample size needed.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "A/B test"
        verbose_name_plural = "A/B tests"
        constraints = [models.CheckConstraint(condition=Q(minimum_effect__gt=0, minimum_effect__lte=5),
                                              name="rec_experiment_minimum_effect")]

    def __str__(self):
        return self.name


class ExperimentVariant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    is_control = models.BooleanField(default=False, help_text="Serves the placement as it is.")
    weight = models.PositiveSmallIntegerField(default=50, help_text="Its share of the shoppers (relative to the others).")
    intent = models.CharField(max_length=20, choices=Intent.choices, blank=True, help_text="Another intent (blank: the placement's).")
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      help_text="A trained model of its own (blank: the active one).")
    size = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Another list size (blank: the placement's).")

    class Meta:
        ordering = ["experiment", "-is_control", "key"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "key"], name="rec_variant_key_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=1000), name="rec_variant_weight"),
        ]

    def __str__(self):
        return f"{self.key}{' (control)' if self.is_control else ''}"


class ExperimentAssignment(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    variant = models.ForeignKey(ExperimentVariant, on_delete=models.CASCADE, related_name="assignments",
                                db_constraint=False)
    subject = ExactCharField(max_length=66, help_text="c<customer id> or s<session digest>.")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, db_index=False)
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [models.UniqueConstraint(fields=["experiment", "subject"], name="rec_assignment_unique")]

    def __str__(self):
        return f"{self.subject} → {self.variant_id}"
