"""The recommendations app's domain events (past tense), written to the audit table.

Streams: ``review`` (one review's life: created, updated, moderated, voted on, flagged, replied
to, its photos, deleted), ``product_rating`` (a product's approved ratings: every change of what a
review counts in the summary; the read model is projected from these alone) and
``review_banned_word``. A review's full text and ratings are in its created and updated events, so
the audit table keeps every version an edit replaced.

``question`` (a question's life), ``answer`` (an answer's life and the votes on it),
``faq_category``, ``representative`` (a manufacturer's representatives, by manufacturer id) and
``official_content``. Payloads are JSON; texts are recorded as written (the audit keeps the history
a moderator may need).
"""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


# --- reviews ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _ReviewEvent(DomainEventData):
    stream_type: ClassVar[str] = "review"
    review_id: int
    product_id: int

    @property
    def stream_id(self):
        return self.review_id


@dataclass(frozen=True, kw_only=True)
class _ReviewContent(_ReviewEvent):
    customer_id: int
    title: str
    text: str
    ratings: dict  # axis -> stars
    score: str
    status: str
    verified_purchase: bool
    held_reasons: list


@dataclass(frozen=True, kw_only=True)
class ReviewCreated(_ReviewContent):
    event_type: ClassVar[str] = "recommendations.review.created"


@dataclass(frozen=True, kw_only=True)
class ReviewUpdated(_ReviewContent):
    """The customer replaced their review (the previous text stays in the earlier events)."""

    event_type: ClassVar[str] = "recommendations.review.updated"
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class ReviewDeleted(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.deleted"
    customer_id: int
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class ReviewVerified(_ReviewEvent):
    """The author's purchase was proved after the review was written: an order of the product they
    claimed (placed as a guest) or that was delivered since."""

    event_type: ClassVar[str] = "recommendations.review.verified"
    customer_id: int


@dataclass(frozen=True, kw_only=True)
class ReviewApproved(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.approved"
    author_id: int
    previous_status: str
    automatic: bool  # approved by the auto-approval rule, not by staff


@dataclass(frozen=True, kw_only=True)
class ReviewRejected(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.rejected"
    author_id: int
    previous_status: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReviewFlagged(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.flagged"
    customer_id: int  # who flagged it
    reason: str
    note: str
    flag_count: int
    hidden: bool  # this flag took it past the threshold: back to pending until moderated


@dataclass(frozen=True, kw_only=True)
class ReviewVoted(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.voted"
    customer_id: int  # the voter
    helpful: bool
    previous: bool | None  # the voter's earlier vote, None when this is the first
    helpful_count: int
    not_helpful_count: int


@dataclass(frozen=True, kw_only=True)
class ReviewVoteWithdrawn(_ReviewEvent):
    """The voter's account was deleted: their vote no longer counts."""

    event_type: ClassVar[str] = "recommendations.review.vote_withdrawn"
    customer_id: int  # the voter
    helpful: bool
    helpful_count: int
    not_helpful_count: int


@dataclass(frozen=True, kw_only=True)
class ReviewReplied(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.replied"
    text: str  # empty: the reply was taken down
    previous_text: str


@dataclass(frozen=True, kw_only=True)
class ReviewPhotoAdded(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.photo_added"
    photo_id: int
    path: str
    width: int
    height: int


@dataclass(frozen=True, kw_only=True)
class ReviewPhotoRemoved(_ReviewEvent):
    event_type: ClassVar[str] = "recommendations.review.photo_removed"
    photo_id: int
    path: str


# --- the product's rating (the read model's only input) ---------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RatingUpdated(DomainEventData):
    """What one review counts in its product's approved ratings changed: ``before`` and ``after`` are
    ``{"ratings": {axis: stars}, "score": "4.20", "verified": bool}`` or None (not counted)."""

    event_type: ClassVar[str] = "recommendations.rating.updated"
    stream_type: ClassVar[str] = "product_rating"
    product_id: int
    review_id: int
    before: dict | None
    after: dict | None

    @property
    def stream_id(self):
        return self.product_id


# --- banned words ------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _BannedWordEvent(DomainEventData):
    stream_type: ClassVar[str] = "review_banned_word"
    banned_word_id: int
    word: str

    @property
    def stream_id(self):
        return self.banned_word_id


@dataclass(frozen=True, kw_only=True)
class BannedWordAdded(_BannedWordEvent):
    event_type: ClassVar[str] = "recommendations.banned_word.added"


@dataclass(frozen=True, kw_only=True)
class BannedWordRemoved(_BannedWordEvent):
    event_type: ClassVar[str] = "recommendations.banned_word.removed"


# --- questions --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _QuestionEvent(DomainEventData):
    stream_type: ClassVar[str] = "question"
    question_id: int
    product_id: int

    @property
    def stream_id(self):
        return self.question_id


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.asked"
    customer_id: int
    text: str
    category_id: int | None
    status: str  # pending, or approved when clean questions are approved at once (setting)
    screen_flags: list


@dataclass(frozen=True, kw_only=True)
class QuestionUpdated(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.updated"
    changes: dict  # field -> {"before", "after"}


@dataclass(frozen=True, kw_only=True)
class QuestionApproved(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.approved"
    previous_status: str
    moderator_id: int | None  # None: approved automatically (a clean question, setting)


@dataclass(frozen=True, kw_only=True)
class QuestionRejected(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.rejected"
    previous_status: str
    moderator_id: int | None
    reason: str


# --- answers ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _AnswerEvent(DomainEventData):
    stream_type: ClassVar[str] = "answer"
    answer_id: int
    question_id: int
    product_id: int

    @property
    def stream_id(self):
        return self.answer_id


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.question.answered"
    author_id: int
    role: str
    text: str
    status: str
    screen_flags: list


@dataclass(frozen=True, kw_only=True)
class AnswerApproved(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.approved"
    previous_status: str
    moderator_id: int | None


@dataclass(frozen=True, kw_only=True)
class AnswerRejected(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.rejected"
    previous_status: str
    moderator_id: int | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnswerVoted(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.voted"
    customer_id: int
    value: str  # up, down, or none (the vote withdrawn)
    previous: str  # up, down or none
    up_votes: int
    down_votes: int


@dataclass(frozen=True, kw_only=True)
class AnswerVerified(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.verified"
    verified: bool  # False: the mark taken off
    moderator_id: int


# --- FAQ categories and representatives -------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FAQCategorySaved(DomainEventData):
    event_type: ClassVar[str] = "recommendations.faq_category.saved"
    stream_type: ClassVar[str] = "faq_category"
    category_id: int
    name: str
    slug: str
    position: int
    created: bool

    @property
    def stream_id(self):
        return self.category_id


@dataclass(frozen=True, kw_only=True)
class _RepresentativeEvent(DomainEventData):
    stream_type: ClassVar[str] = "representative"
    manufacturer_id: int
    user_id: int

    @property
    def stream_id(self):
        return self.manufacturer_id


@dataclass(frozen=True, kw_only=True)
class RepresentativeAdded(_RepresentativeEvent):
    event_type: ClassVar[str] = "recommendations.representative.added"


@dataclass(frozen=True, kw_only=True)
class RepresentativeRemoved(_RepresentativeEvent):
    event_type: ClassVar[str] = "recommendations.representative.removed"


# --- official content -------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _ContentEvent(DomainEventData):
    stream_type: ClassVar[str] = "official_content"
    content_id: int
    manufacturer_id: int
    product_id: int | None

    @property
    def stream_id(self):
        return self.content_id


@dataclass(frozen=True, kw_only=True)
class OfficialContentCreated(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.created"
    values: dict


@dataclass(frozen=True, kw_only=True)
class OfficialContentUpdated(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.updated"
    changes: dict  # field -> {"before", "after"}


@dataclass(frozen=True, kw_only=True)
class OfficialContentDeleted(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.deleted"
    title: str


# --- serving: placements, the pairs read model, lists generated --------------------------------------
@dataclass(frozen=True, kw_only=True)
class _PlacementEvent(DomainEventData):
    stream_type: ClassVar[str] = "recommendation_placement"
    placement_id: int
    key: str

    @property
    def stream_id(self):
        return self.placement_id


@dataclass(frozen=True, kw_only=True)
class PlacementSaved(_PlacementEvent):
    """A placement was created or its name, intent, size or activity changed."""

    event_type: ClassVar[str] = "recommendations.placement.saved"
    values: dict


@dataclass(frozen=True, kw_only=True)
class PlacementRuleSet(_PlacementEvent):
    """A merchandiser pinned, excluded or boosted a product there (``UpdateRecommendationScore``)."""

    event_type: ClassVar[str] = "recommendations.placement.rule_set"
    product_id: int
    kind: str
    position: int
    boost: str
    moved: list[int]  # products whose pins moved one place down to make room


@dataclass(frozen=True, kw_only=True)
class PlacementRuleRemoved(_PlacementEvent):
    event_type: ClassVar[str] = "recommendations.placement.rule_removed"
    product_id: int
    kind: str


@dataclass(frozen=True, kw_only=True)
class ProductPairsRebuilt(DomainEventData):
    """The "frequently bought together" read model was rebuilt from the orders."""

    event_type: ClassVar[str] = "recommendations.bought_together.rebuilt"
    stream_type: ClassVar[str] = "recommendation_pairs"
    orders: int
    pairs: int
    since: str

    @property
    def stream_id(self):
        return "all"


@dataclass(frozen=True, kw_only=True)
class RecommendationsGenerated(DomainEventData):
    """A customer's recommendations were computed again after what they did (coarse: one per
    reaction, never one per product or per page)."""

    event_type: ClassVar[str] = "recommendations.generated"
    stream_type: ClassVar[str] = "recommendation_customer"
    customer_id: int
    trigger: str  # the event type that caused it
    intent: str
    product_ids: list
    model_version: int | None

    @property
    def stream_id(self):
        return self.customer_id


# --- the recommender engine ----------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _TrainingEvent(DomainEventData):
    stream_type: ClassVar[str] = "training_run"
    run_id: int
    purpose: str

    @property
    def stream_id(self):
        return self.run_id


@dataclass(frozen=True, kw_only=True)
class TrainingRequested(_TrainingEvent):
    event_type: ClassVar[str] = "recommendations.training.requested"
    algorithm: str  # blank: the best of the purpose's candidates
    trigger: str


@dataclass(frozen=True, kw_only=True)
class TrainingFailed(_TrainingEvent):
    """Nothing changed: the active model (if any) still serves."""

    event_type: ClassVar[str] = "recommendations.training.failed"
    error: str


@dataclass(frozen=True, kw_only=True)
class _ModelEvent(DomainEventData):
    stream_type: ClassVar[str] = "recommender_model"
    version_id: int
    purpose: str
    algorithm: str

    @property
    def stream_id(self):
        return self.version_id


@dataclass(frozen=True, kw_only=True)
class ModelTrained(_ModelEvent):
    event_type: ClassVar[str] = "recommendations.model.trained"
    run_id: int | None
    params: dict
    metrics: dict
    users: int
    items: int
    interactions: int
    fit_seconds: float
    file: str


@dataclass(frozen=True, kw_only=True)
class ModelActivated(_ModelEvent):
    event_type: ClassVar[str] = "recommendations.model.activated"
    previous_version_id: int | None


@dataclass(frozen=True, kw_only=True)
class RecommendationStatsRebuilt(DomainEventData):
    """A day's performance rows were computed again from the tracking tables (one per day rebuilt)."""

    event_type: ClassVar[str] = "recommendations.stats.rebuilt"
    stream_type: ClassVar[str] = "recommendation_stats"
    day: str
    rows: int
    lists: int
    purchases: int

    @property
    def stream_id(self):
        return self.day


@dataclass(frozen=True, kw_only=True)
class _ExperimentEvent(DomainEventData):
    stream_type: ClassVar[str] = "recommendation_ab_test"
    experiment_id: int
    placement: str

    @property
    def stream_id(self):
        return self.experiment_id


@dataclass(frozen=True, kw_only=True)
class ExperimentCreated(_ExperimentEvent):
    """An A/B test was drafted on a placement."""

    event_type: ClassVar[str] = "recommendations.ab_test.created"
    name: str
    minimum_effect: str


@dataclass(frozen=True, kw_only=True)
class ExperimentVariantSaved(_ExperimentEvent):
    """A draft's variant was added or changed."""

    event_type: ClassVar[str] = "recommendations.ab_test.variant_saved"
    variant_id: int
    key: str
    values: dict


@dataclass(frozen=True, kw_only=True)
class ExperimentVariantRemoved(_ExperimentEvent):
    event_type: ClassVar[str] = "recommendations.ab_test.variant_removed"
    variant_id: int
    key: str


@dataclass(frozen=True, kw_only=True)
class ExperimentStarted(_ExperimentEvent):
    """Shoppers of the placement are now split between the variants (their keys and weights)."""

    event_type: ClassVar[str] = "recommendations.ab_test.started"
    variants: list


@dataclass(frozen=True, kw_only=True)
class ExperimentStopped(_ExperimentEvent):
    """The placement serves as it is again; the results stay."""

    event_type: ClassVar[str] = "recommendations.ab_test.stopped"
    reason: str
