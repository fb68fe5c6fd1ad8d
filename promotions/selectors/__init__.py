"""Promotions queries: lists, the engine's inputs, segment membership and analytics.

``engine_inputs`` is on the pricing path of every cart view and checkout, so it runs a fixed
number of queries whatever the number of promotions and lines, and caches the compiled rules
(never the counters) in Django's cache under a version that every promotion, campaign or segment
change bumps (``rules_cache_bump``); each process keeps its own copy of them while that version
holds, so a pricing reads only the version key. A shop without live promotions pays that one
cache round trip.

Analytics read ``Redemption`` rows only (the order figures are copied there at checkout).
"""

from __future__ import annotations

from promotions.selectors._common import LIVE_CAMPAIGN_STATUSES, LIVE_PROMOTION_STATUSES
from promotions.selectors.analytics import (
    campaign_roi,
    campaign_roi_many,
    coupon_usage_stats,
    promotion_performance,
)
from promotions.selectors.lookups import (
    CouponState,
    badge_for,
    campaign_get,
    campaign_list,
    coupon_batch_csv_rows,
    coupon_batch_get,
    coupon_get,
    coupon_state,
    customer_coupon_get,
    customer_coupons,
    customer_get,
    promotion_active_list,
    promotion_get,
    promotion_list,
    promotion_status,
    segment_get,
    segment_list,
    segment_promotions,
    still_live,
)
from promotions.selectors.rules import (
    RULES_CACHE_KEY,
    RULES_VERSION_KEY,
    CompiledRules,
    compile_rules,
    coupon_infos,
    engine_inputs,
    engine_rules,
    from_minor,
    rules_cache_bump,
    to_bp,
    to_minor,
)
from promotions.selectors.segments import (
    customer_segment_ids,
    customer_segments,
    dynamic_segment_members,
    segment_member_ids,
)
from promotions.selectors.shopper import (
    product_badges,
    promotions_for_customer,
    promotions_for_product,
)
from promotions.selectors.simulation import (
    SimulationResult,
    simulate,
)

__all__ = [
    "LIVE_CAMPAIGN_STATUSES",
    "LIVE_PROMOTION_STATUSES",
    "promotion_list",
    "promotion_get",
    "promotion_status",
    "promotion_active_list",
    "campaign_list",
    "segment_list",
    "segment_promotions",
    "still_live",
    "customer_coupons",
    "coupon_batch_csv_rows",
    "campaign_get",
    "segment_get",
    "coupon_batch_get",
    "coupon_get",
    "customer_coupon_get",
    "customer_get",
    "CouponState",
    "coupon_state",
    "badge_for",
    "segment_member_ids",
    "dynamic_segment_members",
    "customer_segment_ids",
    "customer_segments",
    "RULES_CACHE_KEY",
    "RULES_VERSION_KEY",
    "to_minor",
    "from_minor",
    "to_bp",
    "CompiledRules",
    "compile_rules",
    "rules_cache_bump",
    "engine_rules",
    "coupon_infos",
    "engine_inputs",
    "promotions_for_customer",
    "promotions_for_product",
    "product_badges",
    "promotion_performance",
    "coupon_usage_stats",
    "campaign_roi",
    "campaign_roi_many",
    "SimulationResult",
    "simulate",
]
