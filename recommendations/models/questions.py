"""Product questions and answers (the spec's ``ProductFAQ`` and ``FAQCategory``).

A shopper asks a ``Question`` about a product; the shop's staff, the manufacturer's representative
(``ManufacturerRepresentative``) or a verified buyer answers it (``Answer``, its ``role`` fixed when
it is written); customers vote answers up or down (``AnswerVote``, one per customer and answer).
Questions and answers are moderated (pending, approved, rejected with a reason).

The counters (``Answer.up_votes``/``down_votes``, ``Question.answer_count``/``vote_count``) are
kept by the services in the same transaction as the change, so "popular questions" is an index
read, never an aggregation over the votes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.catalog.models import Manufacturer, Product

QUESTION_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 300


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class FAQCategory(models.Model):
    """A topic questions are filed under (sizing, use, care, delivery...), edited by staff."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=90, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "FAQ category"
        verbose_name_plural = "FAQ categories"

    def __str__(self):
        return self.name


class ManufacturerRepresentative(models.Model):
    """A user who answers for a manufacturer: their answers on its products are the maker's."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="represents")
    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.CASCADE, related_name="representatives")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["manufacturer_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "manufacturer"], name="recs_rep_unique")]

    def __str__(self):
        return f"{self.user} for {self.manufacturer}"


class Question(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField(max_length=QUESTION_MAX_LENGTH)
    category = models.ForeignKey(FAQCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    screen_flags = models.JSONField(default=list, blank=True, help_text="What the spam screen noticed (links, repeated text).")
    rejection_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer_count = models.PositiveIntegerField(default=0, help_text="Approved answers.")
    vote_count = models.PositiveIntegerField(default=0, help_text="Votes (up and down) on its approved answers.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # a product's approved questions, popular first: an index read
            models.Index(fields=["product", "status", "-vote_count", "-answer_count", "-id"],
                         name="recs_q_popular"),
            models.Index(fields=["product", "status", "-created_at"], name="recs_q_newest"),
            models.Index(fields=["author", "-created_at"], name="recs_q_author"),
            models.Index(fields=["status", "created_at"], name="recs_q_queue"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"Q{self.pk}: {text}"

    @property
    def is_public(self) -> bool:
        return self.status == ModerationStatus.APPROVED


class Answer(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", "The shop"
        REPRESENTATIVE = "representative", "The manufacturer"
        BUYER = "buyer", "Verified buyer"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers")
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField(max_length=ANSWER_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    screen_flags = models.JSONField(default=list, blank=True)
    rejection_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    is_verified = models.BooleanField(default=False, help_text="Marked correct and official by the shop.")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    up_votes = models.PositiveIntegerField(default=0)
    down_votes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_verified", "-up_votes", "down_votes", "id"]
        indexes = [
            models.Index(fields=["question", "status"], name="recs_a_question"),
            models.Index(fields=["status", "created_at"], name="recs_a_queue"),
            models.Index(fields=["author", "-created_at"], name="recs_a_author"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(is_verified=False) | Q(status=ModerationStatus.APPROVED),
                                   name="recs_a_verified_is_approved"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"A{self.pk} to Q{self.question_id}: {text}"

    @property
    def score(self) -> int:
        return self.up_votes - self.down_votes


class AnswerVote(models.Model):
    class Value(models.IntegerChoices):
        UP = 1, "Helpful"
        DOWN = -1, "Not helpful"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_votes")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "customer"], name="recs_vote_once"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="recs_vote_value"),
        ]

    def __str__(self):
        return f"{self.customer_id} {'+' if self.value > 0 else '-'} A{self.answer_id}"
