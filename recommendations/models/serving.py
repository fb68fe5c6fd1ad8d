"""Serving recommendations: placements with their merchandising rules, the lists shown, the clicks on
them, and the frequently-bought-together read model.

- ``Placement``: where a list is shown (``product_similar``, ``product_bought_together``, ``cart``,
  ``home``, ``search_empty``, ``api``), its intent and size; ``PlacementRule`` pins a product at a
  position, excludes it, or boosts its score there (``UpdateRecommendationScore``).
- ``RecommendationList``: one row per list served, keyed by a random UUID that the links carry
  (``?rec=<id>``), so a later click, add to cart or purchase can be attributed to what was shown.
  Page placements count as seen when rendered (``impressed_at`` set at once); an API client reports
  its own impressions. High-volume: its own table, written in one bulk INSERT per request, never
  the audit table.
- ``RecommendationClick``: a click on a product of a list (through the link, or reported by a client).
- ``ProductPair``: co-purchase counts of two products with support, confidence and lift, rebuilt
  by a task from the orders (``recommendations.serving.bought_together``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.catalog.models import Product


class Intent(models.TextChoices):
    FOR_YOU = "for_you", "For you (personalised)"
    SIMILAR = "similar", "Similar products"
    BOUGHT_TOGETHER = "bought_together", "Frequently bought together"
    TRENDING = "trending", "Trending"
    RECENTLY_VIEWED = "recently_viewed", "Recently viewed"
    POPULAR = "popular", "Popular"


class Placement(models.Model):
    """A place where recommendations are shown, with the rules merchandisers set for it."""

    key = models.SlugField(max_length=40, unique=True, help_text="How pages and API clients name it (home, cart, ...).")
    name = models.CharField(max_length=100)
    intent = models.CharField(max_length=20, choices=Intent.choices)
    size = models.PositiveSmallIntegerField(default=6, help_text="How many products the list shows (1-24).")
    is_active = models.BooleanField(default=True, help_text="Inactive: the placement shows nothing.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.CheckConstraint(condition=Q(size__gte=1, size__lte=24), name="recommendations_placement_size")]

    def __str__(self):
        return self.name


class PlacementRule(models.Model):
    class Kind(models.TextChoices):
        PIN = "pin", "Pin at a position"
        EXCLUDE = "exclude", "Exclude"
        BOOST = "boost", "Boost the score"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="rules")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=1, help_text="Pins: 1 is the first place.")
    boost = models.DecimalField(max_digits=5, decimal_places=2, default=1,
                                help_text="Boosts: the score is multiplied by this (0.1-10).")

    class Meta:
        ordering = ["placement", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "product"], name="recommendations_rule_one_per_product"),
            models.CheckConstraint(condition=Q(position__gte=1), name="recommendations_rule_position"),
            models.CheckConstraint(condition=Q(boost__gte=0.1, boost__lte=10), name="recommendations_rule_boost"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.product_id}"


class RecommendationList(models.Model):
    """One list of recommendations served (the id the links carry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.CharField(max_length=40)
    intent = models.CharField(max_length=20, choices=Intent.choices)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, db_index=False)
    session_id = models.CharField(max_length=64, blank=True, help_text="Digest of the session key, never the key.")
    product_ids = models.JSONField(default=list)
    model_version = models.PositiveIntegerField(null=True, blank=True, help_text="The model that ranked it, if one did.")
    variant_id = models.PositiveIntegerField(default=0, help_text="The A/B test variant it was served in; 0: none.")
    channel = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()
    impressed_at = models.DateTimeField(null=True, blank=True, help_text="When it was shown (pages: at once).")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["placement", "created_at"], name="rec_list_placement_time_idx"),
            models.Index(fields=["customer", "created_at"], name="rec_list_customer_time_idx"),
            models.Index(fields=["created_at"], name="rec_list_time_idx"),  # a day's lists (the daily stats)
        ]

    def __str__(self):
        return f"{self.placement} {self.created_at:%Y-%m-%d %H:%M}"


class RecommendationClick(models.Model):
    recommendation_list = models.ForeignKey(RecommendationList, on_delete=models.CASCADE, related_name="clicks",
                                            db_constraint=False)
    product_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField(help_text="1 is the first product of the list.")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, db_index=False)
    session_id = models.CharField(max_length=64, blank=True)
    clicked_at = models.DateTimeField()

    class Meta:
        ordering = ["-clicked_at"]
        indexes = [
            models.Index(fields=["clicked_at"], name="rec_click_time_idx"),
            # a shopper's last clicks (attribution of their adds to cart and purchases)
            models.Index(fields=["customer", "clicked_at"], name="rec_click_customer_time_idx"),
            models.Index(fields=["session_id", "clicked_at"], name="rec_click_session_time_idx"),
        ]

    def __str__(self):
        return f"{self.product_id} at {self.position}"


class ProductPair(models.Model):
    """Two products bought in the same order (the read model of "frequently bought together").

    Both directions are stored (``product`` → ``other``), each with its own confidence:
    ``support`` orders with both, ``confidence`` = support / orders with ``product``, ``lift`` =
    confidence / share of orders with ``other``. Only pairs above the thresholds in settings.
    """

    product_id = models.BigIntegerField()
    other_id = models.BigIntegerField()
    support = models.PositiveIntegerField()
    confidence = models.FloatField()
    lift = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["product_id", "-confidence", "other_id"]
        constraints = [models.UniqueConstraint(fields=["product_id", "other_id"], name="recommendations_pair_unique")]

    def __str__(self):
        return f"{self.product_id} → {self.other_id} ({self.confidence:.2f})"
