"""The recommendations app's error codes (``RecommendationsError``) and the errors that own them."""

from enum import StrEnum, unique

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


class BannedWordInvalid(ValidationError):
    default_code = RecommendationsError.BANNED_WORD_INVALID


class BannedWordNotFound(NotFound):
    default_code = RecommendationsError.BANNED_WORD_NOT_FOUND
