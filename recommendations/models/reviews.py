"""Reviews and ratings: a customer's one review of a product, its photos, helpful votes and flags,
the banned words of the abuse screen, and the per-product rating summary (a read model).

A rating has five axes (``AXES``), each 1 to 5, checked by the database; the weighted score uses
the weights of ``settings.REVIEW_RATING_WEIGHTS``. Only approved reviews count in the summary and
are shown to shoppers. Nothing here writes: ``recommendations.services.reviews`` does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

#: the spec's ProductRating axes, in the order they are shown
AXES = ("overall", "quality", "price", "utility", "delivery")
STARS = (1, 2, 3, 4, 5)


def _rating_field(axis: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(help_text=f"{axis.title()} rating, 1 to 5 stars.")


class ReviewQuerySet(models.QuerySet):
    """Reviews; ``with_count(n)`` marks a list whose size is known already (from the rating summary), so
    a paginator takes ``n`` instead of counting a product's reviews. Any further filter forgets it."""

    _known_count: int | None = None

    def with_count(self, count: int) -> ReviewQuerySet:
        clone = self._chain()
        clone._known_count = count
        return clone

    def count(self) -> int:
        return self._known_count if self._known_count is not None else super().count()


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(max_length=120, blank=True)
    text = models.TextField(blank=True)
    rating_overall = _rating_field("overall")
    rating_quality = _rating_field("quality")
    rating_price = _rating_field("price")
    rating_utility = _rating_field("utility")
    rating_delivery = _rating_field("delivery")
    score = models.DecimalField(max_digits=3, decimal_places=2, help_text="Weighted score (REVIEW_RATING_WEIGHTS).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(max_length=300, blank=True)
    held_reasons = models.JSONField(default=list, blank=True, help_text="Why the abuse screen held it for moderation.")
    verified_purchase = models.BooleanField(default=False, help_text="The customer received this product (a delivered order).")
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    flag_count = models.PositiveIntegerField(default=0)
    photo_count = models.PositiveSmallIntegerField(default=0)
    reply_text = models.TextField(blank=True, help_text="The shop's public reply, shown under the review.")
    reply_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(help_text="When this text was submitted (an edit submits again).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="reviews_one_per_customer_product"),
            *[
                models.CheckConstraint(condition=Q(**{f"rating_{axis}__gte": 1, f"rating_{axis}__lte": 5}),
                                       name=f"reviews_rating_{axis}_1_to_5")
                for axis in AXES
            ],
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="reviews_score_1_to_5"),
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "rejected"]), name="reviews_status_valid"),
        ]
        # One index per sort of a product's list (``selectors.reviews.SORTS``), ending in the list's own
        # tie-breaks, so a page is read from the index in order, never sorted whole; the same again after
        # the verified-purchase filter, and the most helpful after the stars filter (stars with the other
        # sorts use highest/lowest). The plans, checked with EXPLAIN on MariaDB, are in the README.
        indexes = [
            models.Index(fields=["product", "status", "-created_at", "-id"], name="reviews_product_newest"),
            models.Index(fields=["product", "status", "-helpful_count", "-created_at", "-id"], name="reviews_product_helpful"),
            models.Index(fields=["product", "status", "-rating_overall", "-created_at", "-id"], name="reviews_product_highest"),
            models.Index(fields=["product", "status", "rating_overall", "-created_at", "-id"], name="reviews_product_lowest"),
            models.Index(fields=["product", "status", "verified_purchase", "-created_at", "-id"], name="reviews_verified_newest"),
            models.Index(fields=["product", "status", "verified_purchase", "-helpful_count", "-created_at", "-id"],
                         name="reviews_verified_helpful"),
            models.Index(fields=["product", "status", "verified_purchase", "-rating_overall", "-created_at", "-id"],
                         name="reviews_verified_highest"),
            models.Index(fields=["product", "status", "verified_purchase", "rating_overall", "-created_at", "-id"],
                         name="reviews_verified_lowest"),
            models.Index(fields=["product", "status", "rating_overall", "-helpful_count", "-created_at", "-id"],
                         name="reviews_stars_helpful"),
            # with photos: a range on the count, then the (few) reviews with photos are sorted
            models.Index(fields=["product", "status", "photo_count"], name="reviews_product_photos"),
            models.Index(fields=["customer", "-created_at"], name="reviews_customer"),
            models.Index(fields=["status", "submitted_at"], name="reviews_queue"),
        ]

    def __str__(self):
        return f"Review {self.pk} of {self.product_id} by {self.customer_id} ({self.status})"

    @property
    def ratings(self) -> dict[str, int]:
        return {axis: getattr(self, f"rating_{axis}") for axis in AXES}

    @property
    def author_name(self) -> str:
        """How the author is shown: first name and the initial of the last, else the user name."""
        first, last = self.customer.first_name.strip(), self.customer.last_name.strip()
        return f"{first} {last[:1]}.".strip() if first else self.customer.username

    @property
    def is_star_only(self) -> bool:
        return not self.title.strip() and not self.text.strip()


def _photo_path(instance, filename):
    return f"reviews/{instance.review_id}/{filename}"


class ReviewPhoto(models.Model):
    """A cleaned picture (``commerce.images``) and its thumbnail, stored through Django's storage."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=_photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Photo {self.pk} of review {self.review_id}"


class ReviewVote(models.Model):
    """One customer's helpful / not helpful vote on a review (changeable; never on their own)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "customer"], name="reviews_one_vote_per_customer")]

    def __str__(self):
        return f"{'Helpful' if self.helpful else 'Not helpful'}: review {self.review_id} by {self.customer_id}"


class ReviewFlag(models.Model):
    """A customer's report of a review as inappropriate; one per customer and review."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        OFFENSIVE = "offensive", "Offensive or abusive"
        OFF_TOPIC = "off_topic", "Not about the product"
        PERSONAL_DATA = "personal_data", "Contains personal data"
        OTHER = "other", "Something else"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["review", "customer"], name="reviews_one_flag_per_customer")]

    def __str__(self):
        return f"Flag on review {self.review_id}: {self.reason}"


class BannedWord(models.Model):
    """A word or phrase that holds a review, question or answer for moderation (``recommendations.screening``;
    matched as a whole word, any case)."""

    word = models.CharField(max_length=60, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word


class ProductRatingSummary(models.Model):
    """The read model of a product's approved ratings, projected from ``recommendations.rating.updated``
    in the transaction that records it (``recommendations.rating_summary``); product lists and pages
    read it and never aggregate reviews on the fly. ``manage.py rebuild_rating_summaries`` replays it."""

    product = models.OneToOneField("catalog.Product", primary_key=True, on_delete=models.CASCADE, related_name="rating_summary")
    review_count = models.PositiveIntegerField(default=0)
    verified_count = models.PositiveIntegerField(default=0)
    #: {"overall": [n1, n2, n3, n4, n5], "quality": [...], ...}: approved reviews by stars, per axis
    distribution = models.JSONField(default=dict)
    average_overall = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    average_quality = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    average_price = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    average_utility = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    average_delivery = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    average_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text="When the last rating event was recorded.")

    class Meta:
        verbose_name = "product rating summary"
        verbose_name_plural = "product rating summaries"
        indexes = [models.Index(fields=["-average_overall"], name="rating_summary_average")]

    def __str__(self):
        return f"Ratings of product {self.product_id}: {self.review_count}"

    @property
    def verified_share(self):
        return round(self.verified_count / self.review_count, 4) if self.review_count else None
