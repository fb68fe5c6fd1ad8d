"""The promotions app's error codes (``PromotionsError``) and the errors that own them.

Validation errors carry ``fields={field: [message]}`` so forms and the API can show each
message next to its field.
"""

from enum import StrEnum, unique

from commerce.accounts.errors import CustomerNotFound as CustomerNotFound  # one customer_not_found, the accounts app's
from commerce.errors import Conflict, NotFound, ValidationError


@unique
class PromotionsError(StrEnum):
    PROMOTION_INVALID = "promotion_invalid"
    PROMOTION_NOT_FOUND = "promotion_not_found"
    PROMOTION_USAGE_LIMIT_REACHED = "promotion_usage_limit_reached"
    PROMOTION_CUSTOMER_LIMIT_REACHED = "promotion_customer_limit_reached"
    PROMOTION_NOT_LIVE = "promotion_not_live"
    INVALID_TRANSITION = "invalid_transition"
    CAMPAIGN_INVALID = "campaign_invalid"
    CAMPAIGN_NOT_FOUND = "campaign_not_found"
    CAMPAIGN_BUDGET_SPENT = "campaign_budget_spent"
    COUPON_INVALID = "coupon_invalid"
    COUPON_UNKNOWN = "coupon_unknown"
    COUPON_EXHAUSTED = "coupon_exhausted"
    COUPON_INVALIDATED = "coupon_invalidated"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_NOT_YOURS = "coupon_not_yours"
    COUPON_CODE_TAKEN = "coupon_code_taken"
    COUPON_BATCH_NOT_FOUND = "coupon_batch_not_found"
    NOT_ENOUGH_COUPONS = "not_enough_coupons"
    SEGMENT_INVALID = "segment_invalid"
    SEGMENT_NOT_FOUND = "segment_not_found"
    SEGMENT_NOT_MANUAL = "segment_not_manual"
    SIMULATION_INVALID = "simulation_invalid"
    PERIOD_INVALID = "period_invalid"


class PromotionInvalid(ValidationError):
    default_code = PromotionsError.PROMOTION_INVALID


class PromotionNotFound(NotFound):
    default_code = PromotionsError.PROMOTION_NOT_FOUND


class PromotionUsageLimitReached(Conflict):
    default_code = PromotionsError.PROMOTION_USAGE_LIMIT_REACHED


class PromotionCustomerLimitReached(Conflict):
    default_code = PromotionsError.PROMOTION_CUSTOMER_LIMIT_REACHED


class PromotionNotLive(Conflict):
    """Checkout priced a promotion that is no longer live (deactivated or expired meanwhile)."""

    default_code = PromotionsError.PROMOTION_NOT_LIVE


class InvalidTransition(Conflict):
    default_code = PromotionsError.INVALID_TRANSITION


class CampaignInvalid(ValidationError):
    default_code = PromotionsError.CAMPAIGN_INVALID


class CampaignNotFound(NotFound):
    default_code = PromotionsError.CAMPAIGN_NOT_FOUND


class CampaignBudgetSpent(Conflict):
    default_code = PromotionsError.CAMPAIGN_BUDGET_SPENT


class CouponInvalid(ValidationError):
    default_code = PromotionsError.COUPON_INVALID


class CouponNotFound(NotFound):
    default_code = PromotionsError.COUPON_UNKNOWN


class CouponExhausted(Conflict):
    default_code = PromotionsError.COUPON_EXHAUSTED


class CouponNoLongerValid(Conflict):
    """A code taken at checkout that was invalidated (or changed) since the cart was priced."""

    default_code = PromotionsError.COUPON_INVALIDATED


class CouponExpired(Conflict):
    default_code = PromotionsError.COUPON_EXPIRED


class CouponNotYours(Conflict):
    default_code = PromotionsError.COUPON_NOT_YOURS


class CouponCodeTaken(Conflict):
    default_code = PromotionsError.COUPON_CODE_TAKEN


class CouponBatchNotFound(NotFound):
    default_code = PromotionsError.COUPON_BATCH_NOT_FOUND


class NotEnoughCoupons(Conflict):
    default_code = PromotionsError.NOT_ENOUGH_COUPONS


class SegmentInvalid(ValidationError):
    default_code = PromotionsError.SEGMENT_INVALID


class SegmentNotFound(NotFound):
    default_code = PromotionsError.SEGMENT_NOT_FOUND


class SegmentNotManual(SegmentInvalid):
    """Only a hand-picked segment lists its members."""

    default_code = PromotionsError.SEGMENT_NOT_MANUAL


class SimulationInvalid(ValidationError):
    """The sample cart of a promotion simulation is not valid."""

    default_code = PromotionsError.SIMULATION_INVALID


class PeriodInvalid(ValidationError):
    """An analytics period that is not day, week or month."""

    default_code = PromotionsError.PERIOD_INVALID
