"""The promotions app's domain events (past tense), written to the audit table.

Streams: ``promotion`` (a promotion's life and its redemptions), ``coupon`` (one code),
``coupon_batch`` (a bulk generation and its distribution), ``campaign`` and ``segment``.
Payloads are JSON: amounts are strings (``str(Decimal)``), datetimes ISO 8601 strings.
"""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


# --- promotions -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _PromotionEvent(DomainEventData):
    stream_type: ClassVar[str] = "promotion"
    promotion_id: int
    name: str

    @property
    def stream_id(self):
        return self.promotion_id


@dataclass(frozen=True, kw_only=True)
class PromotionCreated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.created"
    discount_class: str
    benefit_type: str
    campaign_id: int | None
    fields: dict


@dataclass(frozen=True, kw_only=True)
class PromotionUpdated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.updated"
    changes: dict  # field -> [old, new]


@dataclass(frozen=True, kw_only=True)
class PromotionActivated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.activated"
    status: str  # scheduled or active
    previous_status: str
    valid_from: str | None
    valid_to: str | None


@dataclass(frozen=True, kw_only=True)
class PromotionDeactivated(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.deactivated"
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class PromotionStarted(_PromotionEvent):
    """A scheduled promotion's window opened (beat)."""

    event_type: ClassVar[str] = "promotions.promotion.started"


@dataclass(frozen=True, kw_only=True)
class PromotionExpired(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.expired"
    previous_status: str
    valid_to: str | None


@dataclass(frozen=True, kw_only=True)
class PromotionDeleted(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.deleted"
    archived: bool  # True: kept (it has redemptions) with status archived


@dataclass(frozen=True, kw_only=True)
class PromotionRedeemed(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.redeemed"
    redemption_id: int
    order_id: int
    order_number: str
    customer_id: int | None
    campaign_id: int | None
    coupon_code: str
    amount: str
    currency: str
    usage_count: int


@dataclass(frozen=True, kw_only=True)
class PromotionRedemptionReversed(_PromotionEvent):
    event_type: ClassVar[str] = "promotions.promotion.redemption_reversed"
    redemption_id: int
    order_id: int
    order_number: str
    customer_id: int | None
    campaign_id: int | None
    amount: str
    currency: str
    usage_count: int


# --- coupons ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _CouponEvent(DomainEventData):
    stream_type: ClassVar[str] = "coupon"
    coupon_id: int
    code: str
    promotion_id: int

    @property
    def stream_id(self):
        return self.coupon_id


@dataclass(frozen=True, kw_only=True)
class CouponCreated(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.created"
    max_uses: int | None
    expires_at: str | None
    assigned_to_id: int | None


@dataclass(frozen=True, kw_only=True)
class CouponRedeemed(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.redeemed"
    order_id: int
    order_number: str
    customer_id: int | None
    used_count: int


@dataclass(frozen=True, kw_only=True)
class CouponReleased(_CouponEvent):
    """A use given back because its order was cancelled."""

    event_type: ClassVar[str] = "promotions.coupon.released"
    order_id: int
    order_number: str
    customer_id: int | None
    used_count: int


@dataclass(frozen=True, kw_only=True)
class CouponInvalidated(_CouponEvent):
    event_type: ClassVar[str] = "promotions.coupon.invalidated"
    used_count: int


@dataclass(frozen=True, kw_only=True)
class _BatchEvent(DomainEventData):
    stream_type: ClassVar[str] = "coupon_batch"
    batch_id: int
    promotion_id: int

    @property
    def stream_id(self):
        return self.batch_id


@dataclass(frozen=True, kw_only=True)
class CouponsGenerated(_BatchEvent):
    # The codes themselves are not in the payload: the audit table is not a place to copy
    # thousands of bearer codes into; the batch's CSV export lists them.
    event_type: ClassVar[str] = "promotions.coupon_batch.generated"
    quantity: int
    prefix: str
    max_uses: int | None
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class CouponsDistributed(_BatchEvent):
    event_type: ClassVar[str] = "promotions.coupon_batch.distributed"
    segment_id: int
    assigned: int


# --- campaigns --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _CampaignEvent(DomainEventData):
    stream_type: ClassVar[str] = "campaign"
    campaign_id: int
    name: str

    @property
    def stream_id(self):
        return self.campaign_id


@dataclass(frozen=True, kw_only=True)
class CampaignCreated(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.created"
    starts_at: str
    ends_at: str | None
    budget_amount: str | None
    currency: str


@dataclass(frozen=True, kw_only=True)
class CampaignUpdated(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.updated"
    changes: dict


@dataclass(frozen=True, kw_only=True)
class CampaignLaunched(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.launched"
    status: str  # scheduled or active


@dataclass(frozen=True, kw_only=True)
class CampaignStarted(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.started"


@dataclass(frozen=True, kw_only=True)
class CampaignEnded(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.ended"
    previous_status: str
    spent_amount: str


@dataclass(frozen=True, kw_only=True)
class CampaignBudgetSpent(_CampaignEvent):
    event_type: ClassVar[str] = "promotions.campaign.budget_spent"
    budget_amount: str
    spent_amount: str
    currency: str
    order_id: int | None


# --- segments ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _SegmentEvent(DomainEventData):
    stream_type: ClassVar[str] = "segment"
    segment_id: int
    code: str

    @property
    def stream_id(self):
        return self.segment_id


@dataclass(frozen=True, kw_only=True)
class SegmentCreated(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.created"
    kind: str
    name: str


@dataclass(frozen=True, kw_only=True)
class SegmentUpdated(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.updated"
    changes: dict


@dataclass(frozen=True, kw_only=True)
class SegmentMembersSet(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.members_set"
    added: int
    removed: int
    member_count: int


@dataclass(frozen=True, kw_only=True)
class SegmentRefreshed(_SegmentEvent):
    event_type: ClassVar[str] = "promotions.segment.refreshed"
    added: int
    removed: int
    member_count: int
    refreshed_at: str
