"""The merchandising console: promotions, coupons, campaigns, segments and redemptions in Admin.

Nothing here writes a promotions row itself. A promotion is edited on one screen (its conditions,
its benefit, its tiers and targets) and saved by ``promotion_create`` / ``promotion_update`` with
the many-to-many fields and the tiers in the same call; state (status, usage, spent budget) is
read-only and changes only through actions that call the services. When a service refuses a save
(``PromotionInvalid``...), the page comes back with its errors next to the fields and nothing is
written. Each object of an action runs in its own transaction and each outcome is reported.

Who may do what: the model permissions, or ``accounts.manage_promotions`` (the Merchandisers'
permission for this console, see ``commerce.accounts.groups``), which grants them all. Simulating a
cart, generating and exporting coupons, and every state-changing action need ``manage_promotions``
(superusers have it).
"""

from __future__ import annotations

from promotions.admin.campaigns import (
    CampaignAdmin,
    CampaignPromotionInline,
)
from promotions.admin.common import (
    MANAGE_PROMOTIONS,
    ConsolePermissionsMixin,
    ServiceActionsMixin,
    benefit_summary,
    can_manage,
    window,
)
from promotions.admin.coupons import (
    CouponAdmin,
    CouponBatchAdmin,
)
from promotions.admin.promotions import (
    PromotionAdmin,
    PromotionTierInline,
    StatusFilter,
    deletion_message,
    simulation_report,
)
from promotions.admin.redemptions import (
    CancelledFilter,
    RedemptionAdmin,
)
from promotions.admin.segments import (
    KIND_FIELDS,
    SEGMENT_FIELDS,
    SegmentAdmin,
)

__all__ = [
    "MANAGE_PROMOTIONS",
    "can_manage",
    "window",
    "benefit_summary",
    "ConsolePermissionsMixin",
    "ServiceActionsMixin",
    "PromotionTierInline",
    "StatusFilter",
    "PromotionAdmin",
    "deletion_message",
    "simulation_report",
    "CouponBatchAdmin",
    "CouponAdmin",
    "CampaignPromotionInline",
    "CampaignAdmin",
    "KIND_FIELDS",
    "SEGMENT_FIELDS",
    "SegmentAdmin",
    "CancelledFilter",
    "RedemptionAdmin",
]
