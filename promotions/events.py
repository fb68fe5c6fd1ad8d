"""The promotions app's domain events (past tense), written to the audit table.

Streams: ``promotion`` (a promotion's life and its redemptions), ``coupon`` (one code),
``coupon_batch`` (a bulk generation and its distribution), ``campaign`` and ``segment``.
Payloads are JSON: amounts are strings (``str(Decimal)``), datetimes ISO 8601 strings.
"""

from dataclasses import dataclass, field
from typing import ClassVar

from commerce.audit.events import DomainEventData


# --- promotions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _PromotionEvent(DomainEventData):
    stream_type: ClassVar[str] = "promotion"
    promotion_id: int
    name: str = ""

    @property
    def stream_id(self):
        return self.promotion_id


@dataclass(frozen=True)
class PromotionCreated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.created"
    discount_class: str = ""
    benefit_type: str = ""
    campaign_id: int | None = None
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PromotionUpdated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.updated"
    changes: dict = field(default_factory=dict)  # field -> [old, new]


@dataclass(frozen=True)
class PromotionActivated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.activated"
    status: str = ""  # scheduled or active
    previous_status: str = ""
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True)
class PromotionDeactivated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.deactivated"
    previous_status: str = ""


@dataclass(frozen=True)
class PromotionStarted(_PromotionEvent):
    """A scheduled promotion's window opened (beat)."""

    event_type: ClassVar[str] = "promotions.promotion.started"


@dataclass(frozen=True)
class PromotionExpired(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.expired"
    previous_status: str = ""
    valid_to: str | None = None


@dataclass(frozen=True)
class PromotionDeleted(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.deleted"
    archived: bool = False  # True: kept (it has redemptions) with status archived


@dataclass(frozen=True)
class PromotionRedeemed(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.redeemed"
    redemption_id: int = 0
    order_id: int = 0
    order_number: str = ""
    customer_id: int | None = None
    campaign_id: int | None = None
    coupon_code: str = ""
    amount: str = "0"
    currency: str = ""
    usage_count: int = 0


@dataclass(frozen=True)
class PromotionRedemptionReversed(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.redemption_reversed"
    redemption_id: int = 0
    order_id: int = 0
    order_number: str = ""
    customer_id: int | None = None
    campaign_id: int | None = None
    amount: str = "0"
    currency: str = ""
    usage_count: int = 0


# --- coupons ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CouponEvent(DomainEventData):
    stream_type: ClassVar[str] = "coupon"
    coupon_id: int
    code: str
    promotion_id: int

    @property
    def stream_id(self):
        return self.coupon_id


@dataclass(frozen=True)
class CouponCreated(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.created"
    max_uses: int | None = None
    expires_at: str | None = None
    assigned_to_id: int | None = None


@dataclass(frozen=True)
class CouponRedeemed(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.redeemed"
    order_id: int = 0
    order_number: str = ""
    customer_id: int | None = None
    used_count: int = 0


@dataclass(frozen=True)
class CouponReleased(_CouponEvent):
    """A use given back because its order was cancelled."""

    event_type: ClassVar[str] = "promotions.coupon.released"
    order_id: int = 0
    order_number: str = ""
    customer_id: int | None = None
    used_count: int = 0


@dataclass(frozen=True)
class CouponInvalidated(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.invalidated"
    used_count: int = 0


@dataclass(frozen=True)
class _BatchEvent(DomainEventData):
    stream_type: ClassVar[str] = "coupon_batch"
    batch_id: int
    promotion_id: int

    @property
    def stream_id(self):
        return self.batch_id


@dataclass(frozen=True)
class CouponsGenerated(_BatchEvent):
    # The codes themselves are not in the payload: the audit table is not a place to copy
    # thousands of bearer codes into; the batch's CSV export lists them.
    event_type: ClassVar[str] = "promotions.coupon_batch.generated"
    quantity: int = 0
    prefix: str = ""
    max_uses: int | None = None
    expires_at: str | None = None


@dataclass(frozen=True)
class CouponsDistributed(_BatchEvent):
    event_type: ClassVar[str] = "promotions.coupon_batch.distributed"
    segment_id: int = 0
    assigned: int = 0


# --- campaigns --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CampaignEvent(DomainEventData):
    stream_type: ClassVar[str] = "campaign"
    campaign_id: int
    name: str = ""

    @property
    def stream_id(self):
        return self.campaign_id


@dataclass(frozen=True)
class CampaignCreated(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.created"
    starts_at: str = ""
    ends_at: str | None = None
    budget_amount: str | None = None
    currency: str = ""


@dataclass(frozen=True)
class CampaignUpdated(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.updated"
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignLaunched(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.launched"
    status: str = ""  # scheduled or active


@dataclass(frozen=True)
class CampaignStarted(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.started"


@dataclass(frozen=True)
class CampaignEnded(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.ended"
    previous_status: str = ""
    spent_amount: str = "0"


@dataclass(frozen=True)
class CampaignBudgetSpent(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.budget_spent"
    budget_amount: str = "0"
    spent_amount: str = "0"
    currency: str = ""
    order_id: int | None = None


# --- segments ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _SegmentEvent(DomainEventData):
    stream_type: ClassVar[str] = "segment"
    segment_id: int
    code: str = ""

    @property
    def stream_id(self):
        return self.segment_id


@dataclass(frozen=True)
class SegmentCreated(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.created"
    kind: str = ""
    name: str = ""


@dataclass(frozen=True)
class SegmentUpdated(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.updated"
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentMembersSet(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.members_set"
    added: int = 0
    removed: int = 0
    member_count: int = 0


@dataclass(frozen=True)
class SegmentRefreshed(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.refreshed"
    added: int = 0
    removed: int = 0
    member_count: int = 0
    refreshed_at: str = ""
