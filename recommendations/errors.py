"""The recommendations app's error codes (``RecommendationsError``) and the errors that own them.

Validation errors carry ``fields={field: [message]}`` so forms and the API can show each message
next to its field.
"""

from enum import StrEnum, unique

from commerce.catalog.errors import ManufacturerNotFound as ManufacturerNotFound  # one manufacturer_not_found, the catalog's
from commerce.catalog.errors import ProductNotFound as ProductNotFound
from commerce.errors import Conflict, NotFound, PermissionDenied, ValidationError


@unique
class RecommendationsError(StrEnum):
    # --- questions and answers, manufacturer content ---
    TEXT_INVALID = "text_invalid"
    QUESTION_NOT_FOUND = "question_not_found"
    QUESTION_DUPLICATE = "question_duplicate"
    QUESTION_NOT_OPEN = "question_not_open"
    ANSWER_NOT_FOUND = "answer_not_found"
    ANSWER_NOT_ALLOWED = "answer_not_allowed"
    VOTE_NOT_ALLOWED = "vote_not_allowed"
    MODERATION_INVALID = "moderation_invalid"
    MODERATION_NOT_ALLOWED = "moderation_not_allowed"
    FAQ_CATEGORY_INVALID = "faq_category_invalid"
    FAQ_CATEGORY_NOT_FOUND = "faq_category_not_found"
    REPRESENTATIVE_INVALID = "representative_invalid"
    REPRESENTATIVE_NOT_FOUND = "representative_not_found"
    CONTENT_INVALID = "content_invalid"
    CONTENT_NOT_FOUND = "content_not_found"


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


class ModerationInvalid(Conflict):
    """A moderation step the row's status does not allow (approving an approved answer, verifying a rejected one)."""

    default_code = RecommendationsError.MODERATION_INVALID


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

