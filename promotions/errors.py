"""The promotions app's error codes. Every one maps to a status through ``commerce.errors``.

Validation errors carry ``fields={field: [message]}`` so forms and the API can show each
message next to its field.
"""

from commerce.errors import Conflict, NotFound, ValidationError


class PromotionInvalid(ValidationError):
    default_code = "promotion_invalid"


class PromotionNotFound(NotFound):
    default_code = "promotion_not_found"


class PromotionUsageLimitReached(Conflict):
    default_code = "promotion_usage_limit_reached"


class PromotionCustomerLimitReached(Conflict):
    default_code = "promotion_customer_limit_reached"


class PromotionNotLive(Conflict):
    """Checkout priced a promotion that is no longer live (deactivated or expired meanwhile)."""

    default_code = "promotion_not_live"


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class CampaignInvalid(ValidationError):
    default_code = "campaign_invalid"


class CampaignNotFound(NotFound):
    default_code = "campaign_not_found"


class CampaignBudgetSpent(Conflict):
    default_code = "campaign_budget_spent"


class CouponInvalid(ValidationError):
    default_code = "coupon_invalid"


class CouponNotFound(NotFound):
    default_code = "coupon_unknown"


class CouponExhausted(Conflict):
    default_code = "coupon_exhausted"


class CouponNoLongerValid(Conflict):
    """A code taken at checkout that was invalidated (or changed) since the cart was priced."""

    default_code = "coupon_invalidated"


class CouponExpired(Conflict):
    default_code = "coupon_expired"


class CouponNotYours(Conflict):
    default_code = "coupon_not_yours"


class CouponCodeTaken(Conflict):
    default_code = "coupon_code_taken"


class CouponBatchNotFound(NotFound):
    default_code = "coupon_batch_not_found"


class NotEnoughCoupons(Conflict):
    default_code = "not_enough_coupons"


class SegmentInvalid(ValidationError):
    default_code = "segment_invalid"


class SegmentNotFound(NotFound):
    default_code = "segment_not_found"


class CustomerNotFound(NotFound):
    default_code = "customer_not_found"
