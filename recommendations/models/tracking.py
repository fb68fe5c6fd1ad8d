"""What the lists served led to: adds to cart and purchases attributed to a list (last click within a
window), and the per-day read model of the lists' performance.

- ``RecommendationConversion``: an add to cart or a purchase of a product the shopper last clicked in
  a list within the attribution window (``RECOMMENDATIONS_ATTRIBUTION``). High-volume tracking data,
  written by a task after the fact (never the audit table); ``reference`` makes a retried task
  harmless.
- ``RecommendationDayStat``: one row per day the lists were served, placement, intent, model version
  and currency: the lists, their impressions, clicks, adds to cart, purchases and revenue (a cohort:
  everything that happened to that day's lists, whenever it happened). Rebuilt a day at a time by
  ``recommendations.stats_aggregate``; counts sit on the shop currency's row, a purchase in another
  currency gets its own row, so revenue never mixes currencies and counts still add up.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.db_fields import ExactCharField
from recommendations.models.serving import Intent, RecommendationClick, RecommendationList


class RecommendationConversion(models.Model):
    class Kind(models.TextChoices):
        ADD_TO_CART = "add_to_cart", "Add to cart"
        PURCHASE = "purchase", "Purchase"

    reference = ExactCharField(max_length=80, unique=True,
                                 help_text="What it counts (an order's line, an add to cart): a retried task adds nothing.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recommendation_list = models.ForeignKey(RecommendationList, on_delete=models.CASCADE, related_name="conversions",
                                            db_constraint=False)
    click = models.ForeignKey(RecommendationClick, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_constraint=False, db_index=False)
    product_id = models.BigIntegerField()
    quantity = models.PositiveIntegerField(default=1)
    revenue_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0,
                                         help_text="Purchases: the line's total after discounts.")
    revenue_currency = models.CharField(max_length=3, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, db_index=False)
    session_id = models.CharField(max_length=64, blank=True, help_text="Digest of the session key, never the key.")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["occurred_at"], name="rec_conversion_time_idx")]
        constraints = [models.CheckConstraint(condition=Q(revenue_amount__gte=0), name="rec_conversion_revenue")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.product_id}"


class RecommendationDayStat(models.Model):
    day = models.DateField()
    placement = models.CharField(max_length=40)
    intent = models.CharField(max_length=20, choices=Intent.choices)
    model_version = models.PositiveIntegerField(default=0, help_text="The model that ranked the lists; 0: none did.")
    # 0 for lists served outside any experiment (MariaDB and SQLite let NULLs repeat in a unique key)
    variant_id = models.PositiveIntegerField(default=0, help_text="The A/B test variant the lists were served in; 0: none.")
    currency = models.CharField(max_length=3)
    lists = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0, help_text="Lists seen.")
    clicks = models.PositiveIntegerField(default=0)
    clicked_lists = models.PositiveIntegerField(default=0)
    add_to_carts = models.PositiveIntegerField(default=0)
    carted_lists = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0, help_text="Order lines attributed.")
    purchased_lists = models.PositiveIntegerField(default=0)
    revenue_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "placement", "intent", "model_version"]
        verbose_name = "recommendation performance (day)"
        verbose_name_plural = "recommendation performance (days)"
        constraints = [
            models.UniqueConstraint(fields=["day", "placement", "intent", "model_version", "variant_id", "currency"],
                                    name="rec_day_stat_unique"),
        ]

    def __str__(self):
        return f"{self.day} {self.placement}"
