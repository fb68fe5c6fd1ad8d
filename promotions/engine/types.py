"""The engine's vocabulary: classes, benefits, the value types it takes and returns, reasons, and the rules of order and combination."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

PRODUCT = "product"
ORDER = "order"
SHIPPING = "shipping"
CLASS_ORDER = (PRODUCT, ORDER, SHIPPING)

PERCENTAGE = "percentage"
FIXED_AMOUNT = "fixed_amount"
BUY_X_GET_Y = "buy_x_get_y"
QUANTITY_TIERS = "quantity_tiers"
FREE_SHIPPING = "free_shipping"
BUNDLE_PRICE = "bundle_price"


@dataclass(frozen=True, slots=True)
class Line:
    """One cart line as the engine sees it. ``index`` is its position in the cart (0-based)."""

    index: int
    product_id: int
    quantity: int
    unit_price: int  # minor units
    category_ids: frozenset[int] = frozenset()  # the product's category and all its ancestors
    manufacturer_id: int | None = None


@dataclass(frozen=True, slots=True)
class Tier:
    min_quantity: int
    percent_bp: int


@dataclass(frozen=True, slots=True)
class Rule:
    """A promotion as the engine sees it (built by ``selectors.engine_rules``)."""

    id: int
    name: str
    discount_class: str  # PRODUCT, ORDER or SHIPPING
    benefit: str  # PERCENTAGE, FIXED_AMOUNT, BUY_X_GET_Y, QUANTITY_TIERS, FREE_SHIPPING, BUNDLE_PRICE
    priority: int = 0
    combines_with: frozenset[str] = frozenset()
    exclusive: bool = False
    requires_coupon: bool = False
    # benefit parameters
    percent_bp: int | None = None
    amount: int | None = None  # minor units: amount off (FIXED_AMOUNT) or bundle price (BUNDLE_PRICE)
    buy_quantity: int | None = None
    get_quantity: int | None = None
    get_percent_bp: int = 10000
    get_product_ids: frozenset[int] = frozenset()  # empty: the qualifying products themselves
    bundle_quantity: int | None = None
    tiers: tuple[Tier, ...] = ()
    # conditions
    live: bool = True  # status (and campaign status) allow it at all; False -> reason "inactive"
    valid_from: datetime.datetime | None = None
    valid_to: datetime.datetime | None = None
    min_subtotal: int | None = None
    min_quantity: int | None = None
    product_ids: frozenset[int] = frozenset()  # targets; all three empty = every line qualifies
    category_ids: frozenset[int] = frozenset()
    manufacturer_ids: frozenset[int] = frozenset()
    segment_ids: frozenset[int] = frozenset()  # empty = every customer
    usage_left: int | None = None  # None = unlimited
    customer_usage_left: int | None = None  # for this customer; None = unlimited
    budget_left: int | None = None  # the campaign's budget left, minor units; None = no budget
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class CouponInfo:
    """A code the shopper entered, as looked up (``promotion_id`` None when no such code exists)."""

    code: str
    promotion_id: int | None = None
    invalidated: bool = False
    expires_at: datetime.datetime | None = None  # usable until (not at) this instant
    uses_left: int | None = None  # None = unlimited
    assigned_to_id: int | None = None


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[Line, ...]
    currency: str
    shipping: int = 0  # minor units
    customer_id: int | None = None
    segment_ids: frozenset[int] = frozenset()
    coupons: tuple[CouponInfo, ...] = ()
    now: datetime.datetime | None = None  # required as soon as a window or a coupon expiry is to be checked
    minor_digits: int | None = None  # decimals of the currency for hints; None: from commerce.money.MINOR_UNITS


@dataclass(frozen=True, slots=True)
class Applied:
    rule_id: int
    name: str
    discount_class: str
    amount: int  # total of line_amounts plus shipping_amount
    line_amounts: dict[int, int] = field(default_factory=dict)  # line index -> minor units
    shipping_amount: int = 0
    code: str = ""  # the coupon that unlocked it
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class NotApplied:
    """Why an active promotion did not apply, and where it is close, what would qualify."""

    rule_id: int
    name: str
    reason: str  # see REASONS
    message: str
    hint: str = ""  # "Add 2 more units", "Spend 12.50 more"


@dataclass(frozen=True, slots=True)
class CouponVerdict:
    code: str
    accepted: bool
    reason: str = ""  # "" when accepted, else one of COUPON_REASONS
    message: str = ""
    rule_id: int | None = None
    hint: str = ""  # for coupon_not_applicable: what would make it apply, where it is close


@dataclass(frozen=True, slots=True)
class Result:
    applied: tuple[Applied, ...]
    not_applied: tuple[NotApplied, ...]
    coupons: tuple[CouponVerdict, ...]

    @property
    def total(self) -> int:
        return sum(a.amount for a in self.applied)


REASONS = {
    "inactive": "Not active.",
    "not_yet_valid": "Not valid yet.",
    "expired": "No longer valid.",
    "coupon_required": "Needs a coupon code.",
    "not_for_customer": "Not for this customer.",
    "usage_limit_reached": "Its usage limit is reached.",
    "customer_limit_reached": "You have used it as often as allowed.",
    "budget_spent": "Its campaign budget is spent.",
    "no_qualifying_items": "No item in the cart qualifies.",
    "minimum_not_reached": "The minimum is not reached.",
    "not_combinable": "Cannot be combined with a better offer.",
    "nothing_to_discount": "There is nothing left to discount.",
}

COUPON_REASONS = {
    "coupon_unknown", "coupon_invalidated", "coupon_expired", "coupon_not_yet_valid", "coupon_exhausted",
    "coupon_not_yours", "coupon_not_applicable", "coupon_not_combinable", "coupon_duplicate",
}

_CLASS_RANK = {PRODUCT: 0, ORDER: 1, SHIPPING: 2}
_FULL = 10000  # 100 % in basis points
_NO_LINES: dict[int, int] = {}  # shared "nothing off the lines": never mutated


def application_key(rule: Rule) -> tuple:
    """The fixed order of rule 2: class, then priority (higher first), then id."""
    return (_CLASS_RANK.get(rule.discount_class, len(_CLASS_RANK)), -rule.priority, rule.id)


def combinable(a: Rule, b: Rule) -> bool:
    """Rule 3: neither exclusive and each lists the other's class."""
    return (
        not a.exclusive and not b.exclusive and a.discount_class in b.combines_with and b.discount_class in a.combines_with
    )
