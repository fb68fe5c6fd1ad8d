"""The recommendations app's error codes (``RecommendationsError``) and the errors that own them.

Validation errors carry ``fields={field: [message]}`` so forms and the API can show each message
next to its field.
"""

from enum import StrEnum, unique

from commerce.catalog.errors import CategoryNotFound as CategoryNotFound  # the catalog's category_not_found
from commerce.catalog.errors import ManufacturerNotFound as ManufacturerNotFound  # one manufacturer_not_found, the catalog's
from commerce.catalog.errors import ProductNotFound as ProductNotFound
from commerce.errors import Conflict, NotFound, PermissionDenied, ValidationError


@unique
class RecommendationsError(StrEnum):
    REVIEW_INVALID = "review_invalid"
    REVIEW_NOT_FOUND = "review_not_found"
    REVIEW_NOT_ALLOWED = "review_not_allowed"
    REVIEW_NOT_YOURS = "review_not_yours"
    REVIEW_OWN_VOTE = "review_own_vote"
    REVIEW_ALREADY_FLAGGED = "review_already_flagged"
    REVIEW_PHOTO_LIMIT = "review_photo_limit"
    REVIEW_PHOTO_NOT_FOUND = "review_photo_not_found"
    REVIEW_NOT_PUBLISHED = "review_not_published"
    MODERATION_INVALID = "moderation_invalid"
    BANNED_WORD_INVALID = "banned_word_invalid"
    BANNED_WORD_NOT_FOUND = "banned_word_not_found"
    # --- questions and answers, manufacturer content ---
    TEXT_INVALID = "text_invalid"
    QUESTION_NOT_FOUND = "question_not_found"
    QUESTION_DUPLICATE = "question_duplicate"
    QUESTION_NOT_OPEN = "question_not_open"
    ANSWER_NOT_FOUND = "answer_not_found"
    ANSWER_NOT_ALLOWED = "answer_not_allowed"
    VOTE_NOT_ALLOWED = "vote_not_allowed"
    MODERATION_STEP_INVALID = "moderation_step_invalid"
    MODERATION_NOT_ALLOWED = "moderation_not_allowed"
    FAQ_CATEGORY_INVALID = "faq_category_invalid"
    FAQ_CATEGORY_NOT_FOUND = "faq_category_not_found"
    REPRESENTATIVE_INVALID = "representative_invalid"
    REPRESENTATIVE_NOT_FOUND = "representative_not_found"
    CONTENT_INVALID = "content_invalid"
    CONTENT_NOT_FOUND = "content_not_found"
    # --- serving and tracking ---
    PLACEMENT_NOT_FOUND = "placement_not_found"
    PLACEMENT_INVALID = "placement_invalid"
    RECOMMENDATION_LIST_NOT_FOUND = "recommendation_list_not_found"
    RECOMMENDATION_NOT_IN_LIST = "recommendation_not_in_list"
    # --- the recommender engine ---
    MODEL_VERSION_NOT_FOUND = "model_version_not_found"
    MODEL_FILE_UNREADABLE = "model_file_unreadable"
    TRAINING_INVALID = "training_invalid"
    TRAINING_RUN_NOT_FOUND = "training_run_not_found"
    TRAINING_DATA_TOO_SMALL = "training_data_too_small"
    # --- A/B tests ---
    EXPERIMENT_NOT_FOUND = "experiment_not_found"
    EXPERIMENT_INVALID = "experiment_invalid"
    EXPERIMENT_STATE = "experiment_state"


# --- reviews -----------------------------------------------------------------------------------------
class ReviewInvalid(ValidationError):
    """A review's title, text, ratings or filters are not acceptable (``fields`` says which)."""

    default_code = RecommendationsError.REVIEW_INVALID


class ReviewNotFound(NotFound):
    default_code = RecommendationsError.REVIEW_NOT_FOUND


class ReviewNotAllowed(PermissionDenied):
    """Reviews are restricted to verified buyers (``REVIEW_VERIFIED_BUYERS_ONLY``) and this customer
    has no delivered order of the product."""

    default_code = RecommendationsError.REVIEW_NOT_ALLOWED


class ReviewNotYours(PermissionDenied):
    default_code = RecommendationsError.REVIEW_NOT_YOURS


class ReviewOwnVote(Conflict):
    """Customers may not vote on or flag their own review."""

    default_code = RecommendationsError.REVIEW_OWN_VOTE


class ReviewAlreadyFlagged(Conflict):
    default_code = RecommendationsError.REVIEW_ALREADY_FLAGGED


class ReviewPhotoLimit(Conflict):
    """The review has ``REVIEW_MAX_PHOTOS`` photos already."""

    default_code = RecommendationsError.REVIEW_PHOTO_LIMIT


class ReviewPhotoNotFound(NotFound):
    default_code = RecommendationsError.REVIEW_PHOTO_NOT_FOUND


class ReviewNotPublished(Conflict):
    """Votes and flags are for approved reviews only."""

    default_code = RecommendationsError.REVIEW_NOT_PUBLISHED


class ModerationInvalid(ValidationError):
    """A moderation command that does not apply: a rejection without a reason, a reply too long."""

    default_code = RecommendationsError.MODERATION_INVALID


# --- questions and answers ----------------------------------------------------------------------------
class TextInvalid(ValidationError):
    """A question, answer or reason that is empty, too long, or holds HTML markup."""

    default_code = RecommendationsError.TEXT_INVALID


class QuestionNotFound(NotFound):
    """No such question, or not one the requester may see (pending and rejected ones are their author's)."""

    default_code = RecommendationsError.QUESTION_NOT_FOUND


class QuestionDuplicate(Conflict):
    """The customer asked the same question about the product already."""

    default_code = RecommendationsError.QUESTION_DUPLICATE


class QuestionNotOpen(Conflict):
    """The question is not approved (pending or rejected): it takes no answers."""

    default_code = RecommendationsError.QUESTION_NOT_OPEN


class AnswerNotFound(NotFound):
    default_code = RecommendationsError.ANSWER_NOT_FOUND


class AnswerNotAllowed(PermissionDenied):
    """Only the shop's staff, the manufacturer's representative or a buyer who received the product answer."""

    default_code = RecommendationsError.ANSWER_NOT_ALLOWED


class VoteNotAllowed(PermissionDenied):
    """A vote on one's own answer."""

    default_code = RecommendationsError.VOTE_NOT_ALLOWED


class ModerationStepInvalid(Conflict):
    """A moderation step the row's status does not allow (approving an approved answer, verifying a rejected one)."""

    default_code = RecommendationsError.MODERATION_STEP_INVALID


class ModerationNotAllowed(PermissionDenied):
    """Moderating, verifying, answering as the shop and managing categories need ``accounts.moderate_reviews``."""

    default_code = RecommendationsError.MODERATION_NOT_ALLOWED


class FAQCategoryInvalid(ValidationError):
    default_code = RecommendationsError.FAQ_CATEGORY_INVALID


class FAQCategoryNotFound(NotFound):
    default_code = RecommendationsError.FAQ_CATEGORY_NOT_FOUND


class RepresentativeInvalid(ValidationError):
    """Not a user who can represent a manufacturer (unknown, inactive), or represents it already."""

    default_code = RecommendationsError.REPRESENTATIVE_INVALID


class RepresentativeNotFound(NotFound):
    default_code = RecommendationsError.REPRESENTATIVE_NOT_FOUND


# --- manufacturer content -----------------------------------------------------------------------------
class ContentInvalid(ValidationError):
    default_code = RecommendationsError.CONTENT_INVALID


class ContentNotFound(NotFound):
    default_code = RecommendationsError.CONTENT_NOT_FOUND


class BannedWordInvalid(ValidationError):
    default_code = RecommendationsError.BANNED_WORD_INVALID


class BannedWordNotFound(NotFound):
    default_code = RecommendationsError.BANNED_WORD_NOT_FOUND


# --- serving and tracking ------------------------------------------------------------------------------
class PlacementNotFound(NotFound):
    default_code = RecommendationsError.PLACEMENT_NOT_FOUND


class PlacementInvalid(ValidationError):
    """A placement's or a rule's values are not acceptable (``fields`` says which)."""

    default_code = RecommendationsError.PLACEMENT_INVALID


class RecommendationListNotFound(NotFound):
    """No list with this id was served to this shopper (unknown, or someone else's)."""

    default_code = RecommendationsError.RECOMMENDATION_LIST_NOT_FOUND


class RecommendationNotInList(ValidationError):
    """The product reported as clicked is not in the list."""

    default_code = RecommendationsError.RECOMMENDATION_NOT_IN_LIST


# --- the recommender engine ----------------------------------------------------------------------------
class ModelVersionNotFound(NotFound):
    default_code = RecommendationsError.MODEL_VERSION_NOT_FOUND


class ModelFileUnreadable(Conflict):
    """A version's file is missing from the storage or is not a model: it cannot be activated."""

    default_code = RecommendationsError.MODEL_FILE_UNREADABLE


class TrainingInvalid(ValidationError):
    """A training request names an unknown purpose or algorithm (``fields`` says which)."""

    default_code = RecommendationsError.TRAINING_INVALID


class TrainingRunNotFound(NotFound):
    default_code = RecommendationsError.TRAINING_RUN_NOT_FOUND


class TrainingDataTooSmall(Conflict):
    """Too few interactions to train on (``RECOMMENDATIONS_TRAINING["min_interactions"]``)."""

    default_code = RecommendationsError.TRAINING_DATA_TOO_SMALL


# --- A/B tests -------------------------------------------------------------------------------------------
class ExperimentNotFound(NotFound):
    default_code = RecommendationsError.EXPERIMENT_NOT_FOUND


class ExperimentInvalid(ValidationError):
    """An experiment's or a variant's values are not acceptable (``fields`` says which)."""

    default_code = RecommendationsError.EXPERIMENT_INVALID


class ExperimentState(Conflict):
    """Not in this state: variants change only in a draft, a draft starts, a running test stops; one
    running test per placement."""

    default_code = RecommendationsError.EXPERIMENT_STATE
