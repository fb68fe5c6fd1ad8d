"""Promotions commands: promotions, coupons, campaigns, segments and the time-driven schedule.

Every command is keyword-only, runs in one ``transaction.atomic`` block inside a
``commerce.promotion.*`` (``commerce.coupon.*``, ``commerce.campaign.*``, ``commerce.segment.*``)
span and records its event. Usage counters (``usage_count``, ``used_count``, ``spent_amount``)
are changed only by ``redemptions_record`` / ``redemptions_cancel``, which the discount provider
(``promotions.provider``) calls inside the checkout and cancellation transactions.

Status pipelines, declared once:

* promotion: draft/inactive --activate--> scheduled (``valid_from`` ahead) or active;
  scheduled/active --deactivate--> inactive; the beat moves scheduled -> active and
  scheduled/active -> expired by time; delete: archived when it has redemptions, else gone.
* campaign: draft --launch--> scheduled or active; the beat moves scheduled -> active -> ended;
  end: any -> ended.

The engine checks every window itself, so a late beat never grants a discount out of time.
"""

from __future__ import annotations

from promotions.services.campaigns import (
    CAMPAIGN_FIELDS,
    CAMPAIGN_TRANSITIONS,
    campaign_create,
    campaign_end,
    campaign_launch,
    campaign_update,
)
from promotions.services.coupons import (
    CODE_ALPHABET,
    CODE_RANDOM_LENGTH,
    MAX_BATCH,
    coupon_create,
    coupon_distribute,
    coupon_generate,
    coupon_invalidate,
    new_coupon_code,
)
from promotions.services.promotions import (
    EDITABLE_FIELDS,
    M2M_FIELDS,
    PRODUCT_ONLY_BENEFITS,
    PROMOTION_TRANSITIONS,
    promotion_activate,
    promotion_check,
    promotion_create,
    promotion_deactivate,
    promotion_delete,
    promotion_update,
)
from promotions.services.redemptions import (
    redemptions_cancel,
    redemptions_record,
)
from promotions.services.schedule import (
    promotions_sync_schedule,
)
from promotions.services.segments import (
    SEGMENT_FIELDS,
    segment_create,
    segment_members_set,
    segment_refresh,
    segment_update,
    segments_refresh_all,
)

__all__ = [
    "EDITABLE_FIELDS",
    "M2M_FIELDS",
    "PRODUCT_ONLY_BENEFITS",
    "PROMOTION_TRANSITIONS",
    "promotion_check",
    "promotion_create",
    "promotion_update",
    "promotion_activate",
    "promotion_deactivate",
    "promotion_delete",
    "CODE_ALPHABET",
    "CODE_RANDOM_LENGTH",
    "MAX_BATCH",
    "coupon_create",
    "new_coupon_code",
    "coupon_generate",
    "coupon_distribute",
    "coupon_invalidate",
    "CAMPAIGN_TRANSITIONS",
    "CAMPAIGN_FIELDS",
    "campaign_create",
    "campaign_update",
    "campaign_launch",
    "campaign_end",
    "SEGMENT_FIELDS",
    "segment_create",
    "segment_update",
    "segment_members_set",
    "segment_refresh",
    "segments_refresh_all",
    "redemptions_record",
    "redemptions_cancel",
    "promotions_sync_schedule",
]
