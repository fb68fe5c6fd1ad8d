"""The discount engine: a pure function from a priced cart snapshot to the promotions it gets.

No database access here: ``promotions.selectors.engine_inputs`` loads the rules, coupons and the
customer's facts in a fixed number of queries and ``promotions.provider`` adapts the orders
discount port to this module. Amounts are integers in the currency's minor unit (cents) and
percentages are integers in basis points (12.5 % = 1250), so the engine is exact and fast.

The rules (also in the README, "How promotions combine"):

1. Conditions are checked against the cart before any discount: status of the promotion and its
   campaign, validity window (``valid_from <= now < valid_to``), segment, coupon, usage and
   budget left, then the targets and the minimums. A line qualifies when the promotion has no
   target at all, or its product is a target product, or one of its categories (the product's
   category and its ancestors) is a target category, or its manufacturer is a target
   manufacturer. ``min_quantity`` counts qualifying units; ``min_subtotal`` is compared with the
   undiscounted subtotal of the qualifying lines (the whole cart when there are no targets).
2. Discounts apply in one fixed order: product discounts, then order discounts, then shipping
   discounts; within a class by priority (higher first), then by id. Each is computed on the
   price left by the ones before it, so no two discounts are ever taken from the same
   undiscounted price.
3. Two promotions combine when neither is exclusive and each one's ``combines_with`` holds the
   other's class (two promotions of one class combine only if both list that class).
4. Of the allowed combinations the engine picks the one that saves the shopper most; ties go to
   the combination with fewer promotions, then to the lexically smallest list of promotion ids.
   The combinations weighed are every promotion alone and the largest combinations: every
   promotion that may join is in (adding a discount never lowers the saving, since each later
   discount loses at most what the earlier one took), and of promotions that cannot combine with
   their own kind (same class and ``combines_with``) the one saving most on its own is taken. An
   exclusive promotion stands alone. Promotions left at zero by the ones before them are dropped
   from the result. The search skips combinations whose upper bound (the sum of what their
   promotions save alone, at most the cart's value) is below the best saving found.
5. No discount exceeds what it discounts: a line never goes below zero, shipping never below zero,
   a campaign never grants more than its budget left (shared by the campaign's promotions).
6. Rounding is half up to the minor unit: a product percentage per line, an order percentage once
   on the total. An order discount (and a fixed amount off several lines) is spread over the lines
   it applies to in proportion to their price left by largest remainder, ties to the line first in
   cart order (product id, unit price, quantity, then line index, so the result does not depend
   on the order of the lines), so the cents add up exactly and a partial refund returns the right
   share.

The benefits:

- Percentage off: on each qualifying line (product class), on the qualifying lines' total (order
  class) or on the shipping left (shipping class).
- Fixed amount off: off the qualifying lines together (all lines when no targets), spread as in
  rule 6 and capped at their price left; or off the shipping left (shipping class).
- Free shipping: the shipping left, whatever the class.
- Buy X get Y, same products (``get_product_ids`` empty): qualifying units are ranked by unit price,
  dearest first, and cut into groups of X + Y; in every full group the Y cheapest units get
  ``get_percent_bp`` off (so "3 for 2" makes the cheapest of every three free, as most shops do).
  Other products (``get_product_ids`` set): for every X qualifying units bought, Y units of those
  products get the discount, cheapest first (a unit counts either as bought or as discounted).
- Quantity tiers: the highest tier whose ``min_quantity`` the qualifying units reach gives its
  percentage off every qualifying line.
- Bundle price: qualifying units ranked dearest first are cut into bundles of ``bundle_quantity``;
  each full bundle costs ``amount`` (never more than its units' price left); what the bundles save
  is spread over the bundled units in proportion to their price left, as in rule 6.

The explanation: every promotion that did not apply gets a ``NotApplied`` with the first reason in
the order of rule 1 (``inactive`` ones too, and ``coupon_required`` ones: the caller decides what
to show), ``not_combinable`` naming the applied promotions it conflicts with, or
``nothing_to_discount``; where only a minimum is missing, a hint of what would qualify ("Add 2
more units", "Spend 12.50 more", "Add 3 more units for 15% off"), amounts in the currency's
decimals.

The coupons: every entered code gets a ``CouponVerdict``, in the order entered; codes compare
case-insensitively (upper-cased). A code is refused as unknown, invalidated, expired (``now`` after
its ``expires_at``), used up, or not yours (assigned to another customer, or to anyone when the
shopper is anonymous); then as a duplicate when an earlier code already unlocked its promotion;
then for its promotion's reason (``coupon_not_yet_valid`` / ``coupon_expired`` for its window,
``coupon_not_applicable`` with the reason and the hint otherwise); then as ``coupon_not_combinable``
when its promotion lost to a better combination. Several codes apply together when their
promotions combine.

Promotion ids are unique; ``Cart.now`` is required as soon as a window or an expiry is to be checked.
"""

from __future__ import annotations

from promotions.engine.combination import (
    evaluate,
)
from promotions.engine.types import (
    BUNDLE_PRICE,
    BUY_X_GET_Y,
    CLASS_ORDER,
    COUPON_REASONS,
    FIXED_AMOUNT,
    FREE_SHIPPING,
    ORDER,
    PERCENTAGE,
    PRODUCT,
    QUANTITY_TIERS,
    REASONS,
    SHIPPING,
    Applied,
    Cart,
    CouponInfo,
    CouponVerdict,
    Line,
    NotApplied,
    Result,
    Rule,
    Tier,
    application_key,
    combinable,
)

__all__ = [
    "PRODUCT",
    "ORDER",
    "SHIPPING",
    "CLASS_ORDER",
    "PERCENTAGE",
    "FIXED_AMOUNT",
    "BUY_X_GET_Y",
    "QUANTITY_TIERS",
    "FREE_SHIPPING",
    "BUNDLE_PRICE",
    "Line",
    "Tier",
    "Rule",
    "CouponInfo",
    "Cart",
    "Applied",
    "NotApplied",
    "CouponVerdict",
    "Result",
    "REASONS",
    "COUPON_REASONS",
    "application_key",
    "combinable",
    "evaluate",
]
