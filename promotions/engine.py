"""The discount engine: a pure function from a priced cart snapshot to the promotions it gets.

No database access here: ``promotions.selectors.engine_inputs`` loads the rules, coupons and the
customer's facts in a fixed number of queries and ``promotions.provider`` adapts the orders
pricing hook to this module. Amounts are integers in the currency's minor unit (cents) and
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

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from commerce.money import MINOR_UNITS  # a plain dict: needs no Django settings

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


def normalize_code(code: str) -> str:
    """Coupon codes are stored upper-case and compared case-insensitively."""
    return code.strip().upper()


def application_key(rule: Rule) -> tuple:
    """The fixed order of rule 2: class, then priority (higher first), then id."""
    return (_CLASS_RANK.get(rule.discount_class, len(_CLASS_RANK)), -rule.priority, rule.id)


def combinable(a: Rule, b: Rule) -> bool:
    """Rule 3: neither exclusive and each lists the other's class."""
    return (
        not a.exclusive and not b.exclusive and a.discount_class in b.combines_with and b.discount_class in a.combines_with
    )


# --- arithmetic --------------------------------------------------------------------------------


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (both non-negative, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _bp(value: int | None) -> int:
    return min(max(value or 0, 0), _FULL)


def _spread(total: int, idxs, base) -> dict[int, int]:
    """``total`` over ``idxs`` in proportion to ``base[i]`` by largest remainder, ties to the first index.

    Never gives an index more than its base when ``total`` <= the sum of the bases (callers cap).
    """
    bases = [base[i] for i in idxs]
    whole = sum(bases)
    if total <= 0 or whole <= 0:
        return {}
    if total >= whole:
        return {i: b for i, b in zip(idxs, bases, strict=True) if b}
    shares = [total * b // whole for b in bases]
    extra = total - sum(shares)
    if extra:
        remainders = [total * b % whole for b in bases]
        # a stable sort, reversed: the largest remainders first, equal ones in index order
        for k in sorted(range(len(bases)), key=remainders.__getitem__, reverse=True)[:extra]:
            shares[k] += 1
    return {i: a for i, a in zip(idxs, shares, strict=True) if a}


def _money_text(minor: int, digits: int) -> str:
    if digits <= 0:
        return str(minor)
    whole, frac = divmod(minor, 10**digits)
    return f"{whole}.{frac:0{digits}d}"


def _percent_text(bp: int) -> str:
    whole, frac = divmod(bp, 100)
    return str(whole) if not frac else f"{whole}.{frac:02d}".rstrip("0")


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _units_text(n: int) -> str:
    return f"{n} more unit" if n == 1 else f"{n} more units"


def _names(rules: list[Rule]) -> str:
    names = [r.name for r in rules[:3]]
    if len(rules) > 3:
        return ", ".join(names) + f" and {len(rules) - 3} more"
    return ", ".join(names)


# --- the cart, indexed -------------------------------------------------------------------------


class _Targets:
    """The qualifying lines of a target set: canonical positions, units and undiscounted subtotal."""

    __slots__ = ("idxs", "members", "units", "subtotal", "_by_price_desc")

    def __init__(self, idxs: tuple[int, ...], cx: _CartIndex):
        self.idxs = idxs
        self.members = frozenset(idxs)
        self.units = sum(map(cx.qty.__getitem__, idxs))
        self.subtotal = sum(map(cx.price.__getitem__, idxs))
        self._by_price_desc = None

    def by_price_desc(self, cx: _CartIndex) -> list[int]:
        if self._by_price_desc is None:
            unit = cx.unit
            self._by_price_desc = sorted(self.idxs, key=lambda i: (-unit[i], i))
        return self._by_price_desc


class _CartIndex:
    """The cart's lines in canonical order (product id, unit price, quantity, ..., index), indexed for lookups."""

    def __init__(self, cart: Cart):
        lines = sorted(
            cart.lines,
            key=lambda ln: (
                ln.product_id, ln.unit_price, ln.quantity, ln.manufacturer_id is None, ln.manufacturer_id or 0,
                tuple(sorted(ln.category_ids)), ln.index,
            ),
        )
        self.original = [ln.index for ln in lines]
        self.qty = [max(ln.quantity, 0) for ln in lines]
        self.unit = [max(ln.unit_price, 0) for ln in lines]
        self.price = [u * q for u, q in zip(self.unit, self.qty, strict=True)]
        self.shipping = max(cart.shipping, 0)
        by_product: dict[int, list[int]] = {}
        by_category: dict[int, list[int]] = {}
        by_manufacturer: dict[int, list[int]] = {}
        for i, ln in enumerate(lines):
            by_product.setdefault(ln.product_id, []).append(i)
            for category_id in ln.category_ids:
                by_category.setdefault(category_id, []).append(i)
            if ln.manufacturer_id is not None:
                by_manufacturer.setdefault(ln.manufacturer_id, []).append(i)
        self.by_product = by_product
        self.by_category = by_category
        self.by_manufacturer = by_manufacturer
        self.product_keys = by_product.keys()
        self.category_keys = by_category.keys()
        self.manufacturer_keys = by_manufacturer.keys()
        self.everything = _Targets(tuple(range(len(lines))), self)
        self._cache: dict[tuple, _Targets] = {}

    def targets(self, rule: Rule) -> _Targets:
        products, categories, manufacturers = rule.product_ids, rule.category_ids, rule.manufacturer_ids
        if not (products or categories or manufacturers):
            return self.everything
        key = (products, categories, manufacturers)
        found = self._cache.get(key)
        if found is None:
            idxs: set[int] = set()
            for pid in self.product_keys & products:
                idxs.update(self.by_product[pid])
            for cid in self.category_keys & categories:
                idxs.update(self.by_category[cid])
            for mid in self.manufacturer_keys & manufacturers:
                idxs.update(self.by_manufacturer[mid])
            found = self._cache[key] = _Targets(tuple(sorted(idxs)), self)
        return found

    def lines_of_products(self, product_ids: frozenset[int]) -> list[int]:
        idxs = []
        for pid in self.product_keys & product_ids:
            idxs.extend(self.by_product[pid])
        return sorted(idxs)


# --- benefits ----------------------------------------------------------------------------------


def _percent_lines(idxs, left: list[int], bp: int) -> dict[int, int]:
    out = {}
    for i in idxs:
        amount = (2 * left[i] * bp + _FULL) // (2 * _FULL)
        if amount:
            out[i] = amount if amount <= left[i] else left[i]
    return out


def _units_off(discounted: dict[int, int], cx: _CartIndex, left: list[int], bp: int) -> dict[int, int]:
    """``bp`` off ``units`` of each line, valued at the line's price left per unit."""
    out = {}
    qty = cx.qty
    for i, units in discounted.items():
        amount = _half_up(left[i] * units * bp, qty[i] * _FULL)
        if amount:
            out[i] = min(amount, left[i])
    return out


def _tier(rule: Rule, units: int) -> Tier | None:
    reached = None
    for tier in rule.tiers:
        if tier.min_quantity <= units and (reached is None or tier.min_quantity > reached.min_quantity):
            reached = tier
    return reached


def _buy_get_same(rule: Rule, targets: _Targets, cx: _CartIndex, left: list[int]) -> dict[int, int]:
    buy, get = rule.buy_quantity or 0, rule.get_quantity or 0
    size = buy + get
    if get <= 0 or buy < 0 or targets.units < size:
        return _NO_LINES
    end = (targets.units // size) * size  # units in full groups, dearest first
    bp = _bp(rule.get_percent_bp)
    qty = cx.qty
    out = {}
    start = before = 0  # position of the line's first unit; discounted positions before it
    for i in targets.by_price_desc(cx):
        if start >= end:
            break
        q = qty[i]
        start += q
        groups, rest = divmod(start if start < end else end, size)
        upto = groups * get + (rest - buy if rest > buy else 0)
        units, before = upto - before, upto
        if units:  # bp off those units, valued at the line's price left per unit
            amount = (2 * left[i] * units * bp + q * _FULL) // (2 * q * _FULL)
            if amount:
                out[i] = amount if amount <= left[i] else left[i]
    return out


def _buy_get_other_plan(rule: Rule, targets: _Targets, cx: _CartIndex) -> tuple[dict[int, int], int, int]:
    """(units discounted per line, qualifying units, offered units) for buy X get Y of other products."""
    buy, get = rule.buy_quantity or 0, rule.get_quantity or 0
    offered = cx.lines_of_products(rule.get_product_ids)
    offered.sort(key=lambda i: (cx.unit[i], i))  # cheapest first
    offered_units = sum(cx.qty[i] for i in offered)
    if get <= 0 or buy <= 0:
        return {}, targets.units, offered_units
    qualifying = set(targets.idxs)

    def take(count: int) -> dict[int, int]:
        chosen = {}
        for i in offered:
            if count <= 0:
                break
            n = min(cx.qty[i], count)
            chosen[i] = n
            count -= n
        return chosen

    def feasible(k: int) -> bool:
        chosen = take(k * get)
        overlap = sum(n for i, n in chosen.items() if i in qualifying)
        return targets.units - overlap >= k * buy

    low, high = 0, min(offered_units // get, targets.units // buy)
    while low < high:  # the largest feasible k; feasibility shrinks as k grows
        mid = (low + high + 1) // 2
        if feasible(mid):
            low = mid
        else:
            high = mid - 1
    return (take(low * get) if low else {}), targets.units, offered_units


def _buy_get_other(rule: Rule, targets: _Targets, cx: _CartIndex, left: list[int]) -> dict[int, int]:
    units, _, _ = _buy_get_other_plan(rule, targets, cx)
    return _units_off(units, cx, left, _bp(rule.get_percent_bp)) if units else _NO_LINES


def _bundles(rule: Rule, targets: _Targets, cx: _CartIndex, left: list[int]) -> dict[int, int]:
    size, price = rule.bundle_quantity or 0, max(rule.amount or 0, 0)
    if size <= 0 or targets.units < size:
        return _NO_LINES
    remaining = (targets.units // size) * size  # units in full bundles, dearest first
    qty = cx.qty
    bundled: dict[int, int] = {}  # line -> price left of its units in bundles
    off = 0  # what the bundles save together
    filled = current = 0  # units and price left of the bundle being filled
    for i in targets.by_price_desc(cx):
        if remaining <= 0:
            break
        q = qty[i]
        if not q:
            continue
        taken = q if q < remaining else remaining
        remaining -= taken
        # The line's price left split over its units, the odd cents on the first ones.
        base, odd = divmod(left[i], q)
        high = odd if odd < taken else taken
        bundled[i] = taken * base + high
        for count, value in ((high, base + 1), (taken - high, base)):
            if not count:
                continue
            if filled:
                n = min(count, size - filled)
                current += n * value
                filled += n
                count -= n
                if filled == size:
                    if current > price:
                        off += current - price
                    filled = current = 0
            if count:
                full, rest = divmod(count, size)
                if size * value > price:
                    off += full * (size * value - price)
                filled, current = rest, rest * value
    return _spread(off, sorted(bundled), bundled)


def _amounts(rule: Rule, targets: _Targets, cx: _CartIndex, left: list[int], shipping_left: int) -> tuple[dict[int, int], int]:
    """What ``rule`` takes off the lines (canonical positions) and off the shipping, given the prices left."""
    benefit = rule.benefit
    if benefit == FREE_SHIPPING:
        return _NO_LINES, shipping_left
    if rule.discount_class == SHIPPING and benefit in (PERCENTAGE, FIXED_AMOUNT):
        if benefit == PERCENTAGE:
            return _NO_LINES, min(shipping_left, _half_up(shipping_left * _bp(rule.percent_bp), _FULL))
        return _NO_LINES, min(shipping_left, max(rule.amount or 0, 0))
    idxs = targets.idxs
    if benefit == PERCENTAGE:
        bp = _bp(rule.percent_bp)
        if rule.discount_class == ORDER:
            whole = sum(left[i] for i in idxs)
            return _spread(_half_up(whole * bp, _FULL), idxs, left), 0
        return _percent_lines(idxs, left, bp), 0
    if benefit == FIXED_AMOUNT:
        whole = sum(left[i] for i in idxs)
        return _spread(min(max(rule.amount or 0, 0), whole), idxs, left), 0
    if benefit == QUANTITY_TIERS:
        tier = _tier(rule, targets.units)
        return (_percent_lines(idxs, left, _bp(tier.percent_bp)) if tier else _NO_LINES), 0
    if benefit == BUY_X_GET_Y:
        if rule.get_product_ids:
            return _buy_get_other(rule, targets, cx, left), 0
        return _buy_get_same(rule, targets, cx, left), 0
    if benefit == BUNDLE_PRICE:
        return _bundles(rule, targets, cx, left), 0
    return _NO_LINES, 0


def _depends_on(rule: Rule, targets: _Targets, cx: _CartIndex) -> frozenset[int]:
    """The lines whose price left ``_amounts`` reads for ``rule`` (shipping rules read none)."""
    if rule.benefit == FREE_SHIPPING or (rule.discount_class == SHIPPING and rule.benefit in (PERCENTAGE, FIXED_AMOUNT)):
        return frozenset()
    if rule.benefit == BUY_X_GET_Y and rule.get_product_ids:
        return targets.members | frozenset(cx.lines_of_products(rule.get_product_ids))
    return targets.members


def _cap(line_amounts: dict[int, int], shipping_amount: int, cap: int) -> tuple[dict[int, int], int]:
    """Cut a discount down to ``cap`` (a budget left), keeping each line's share proportional."""
    on_lines = sum(line_amounts.values())
    lines_cap = min(on_lines, cap)
    if lines_cap < on_lines:
        line_amounts = _spread(lines_cap, sorted(line_amounts), line_amounts)
    return line_amounts, min(shipping_amount, cap - lines_cap)


def _budget_key(rule: Rule):
    return ("campaign", rule.campaign_id) if rule.campaign_id is not None else ("promotion", rule.id)


# --- conditions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Miss:
    reason: str
    message: str = ""
    hint: str = ""

    @property
    def text(self) -> str:
        return self.message or REASONS[self.reason]


def _check(rule: Rule, cart: Cart, cx: _CartIndex, unlocked: dict[int, str], digits: int, targets: _Targets) -> _Miss | None:
    """The first condition of rule 1 that ``rule`` (qualifying ``targets``) fails on this cart, or None."""
    if not rule.live:
        return _Miss("inactive")
    if rule.valid_from is not None or rule.valid_to is not None:
        now = _now(cart)
        if rule.valid_from is not None and now < rule.valid_from:
            return _Miss("not_yet_valid")
        if rule.valid_to is not None and now >= rule.valid_to:
            return _Miss("expired")
    if rule.segment_ids and not (rule.segment_ids & cart.segment_ids):
        return _Miss("not_for_customer")
    if rule.requires_coupon and rule.id not in unlocked:
        return _Miss("coupon_required")
    if rule.usage_left is not None and rule.usage_left <= 0:
        return _Miss("usage_limit_reached")
    if rule.customer_usage_left is not None and rule.customer_usage_left <= 0:
        return _Miss("customer_limit_reached")
    if rule.budget_left is not None and rule.budget_left <= 0:
        return _Miss("budget_spent")
    if not targets.idxs:
        return _Miss("no_qualifying_items")
    missing_units = (rule.min_quantity or 0) - targets.units
    missing_amount = (rule.min_subtotal or 0) - targets.subtotal
    if missing_units > 0 or missing_amount > 0:
        needs, hints = [], []
        if missing_units > 0:
            needs.append(f"at least {_units(rule.min_quantity or 0)}")
            hints.append(f"add {_units_text(missing_units)}")
        if missing_amount > 0:
            needs.append(f"a subtotal of at least {_money_text(rule.min_subtotal or 0, digits)}")
            hints.append(f"spend {_money_text(missing_amount, digits)} more")
        hint = " and ".join(hints)
        return _Miss("minimum_not_reached", f"Needs {' and '.join(needs)}.", hint[:1].upper() + hint[1:])
    return _benefit_check(rule, targets, cx, digits)


def _benefit_check(rule: Rule, targets: _Targets, cx: _CartIndex, digits: int) -> _Miss | None:
    """The minimums a benefit itself needs (a full group, a first tier, a full bundle)."""
    benefit = rule.benefit
    if benefit == QUANTITY_TIERS and rule.tiers and _tier(rule, targets.units) is None:
        first = min(rule.tiers, key=lambda t: t.min_quantity)
        return _Miss(
            "minimum_not_reached",
            f"Needs at least {_units(first.min_quantity)}.",
            f"Add {_units_text(first.min_quantity - targets.units)} for {_percent_text(first.percent_bp)}% off",
        )
    if benefit == BUNDLE_PRICE and (rule.bundle_quantity or 0) > targets.units:
        return _Miss(
            "minimum_not_reached",
            f"Needs {_units(rule.bundle_quantity or 0)} for one bundle.",
            f"Add {_units_text(rule.bundle_quantity - targets.units)} to get {rule.bundle_quantity} "
            f"for {_money_text(rule.amount or 0, digits)}",
        )
    if benefit == BUY_X_GET_Y and (rule.get_quantity or 0) > 0:
        buy, get = rule.buy_quantity or 0, rule.get_quantity or 0
        offer = f"{get} free" if _bp(rule.get_percent_bp) == _FULL else f"{get} at {_percent_text(_bp(rule.get_percent_bp))}% off"
        if not rule.get_product_ids:
            if targets.units < buy + get:
                return _Miss(
                    "minimum_not_reached",
                    f"Needs {_units(buy + get)}.",
                    f"Add {_units_text(buy + get - targets.units)} to get {offer}",
                )
            return None
        units, qualifying, offered = _buy_get_other_plan(rule, targets, cx)
        if units:
            return None
        if qualifying < buy:
            return _Miss("minimum_not_reached", f"Needs {_units(buy)}.", f"Add {_units_text(buy - qualifying)} to get {offer}")
        if not offered:
            return _Miss("no_qualifying_items", "None of the offered items is in the cart.", f"Add an offered item to get {offer}")
        return _Miss("minimum_not_reached", f"Needs {_units(buy)} besides the offered ones.")
    return None


def _now(cart: Cart) -> datetime.datetime:
    if cart.now is None:
        raise ValueError("Cart.now is required to check validity windows and coupon expiry")
    return cart.now


# --- coupons -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Code:
    code: str
    rule: Rule | None = None
    verdict: CouponVerdict | None = None  # set when the code fails before the rule is looked at


def _read_codes(cart: Cart, rules_by_id: dict[int, Rule]) -> tuple[list[_Code], dict[int, str]]:
    """Code-level checks in the order entered; returns every code and the promotions they unlock."""
    codes: list[_Code] = []
    unlocked: dict[int, str] = {}
    for info in cart.coupons:
        code = normalize_code(info.code)
        entry = _Code(code)
        codes.append(entry)

        def refuse(reason: str, message: str, *, entry=entry, info=info) -> None:
            entry.verdict = CouponVerdict(code=entry.code, accepted=False, reason=reason, message=message, rule_id=info.promotion_id)

        if info.promotion_id is None:
            entry.verdict = CouponVerdict(code=code, accepted=False, reason="coupon_unknown", message=f"The code {code} is not known.")
        elif info.invalidated:
            refuse("coupon_invalidated", f"The code {code} is no longer valid.")
        elif info.expires_at is not None and _now(cart) >= info.expires_at:
            refuse("coupon_expired", f"The code {code} has expired.")
        elif info.uses_left is not None and info.uses_left <= 0:
            refuse("coupon_exhausted", f"The code {code} has been used up.")
        elif info.assigned_to_id is not None and info.assigned_to_id != cart.customer_id:
            refuse("coupon_not_yours", f"The code {code} belongs to another customer.")
        elif info.promotion_id in unlocked:
            refuse("coupon_duplicate", f"The code {code} is for the same offer as {unlocked[info.promotion_id]}.")
        elif info.promotion_id not in rules_by_id:
            refuse("coupon_not_applicable", f"The offer of the code {code} is not active.")
        else:
            entry.rule = rules_by_id[info.promotion_id]
            unlocked[info.promotion_id] = code
    return codes, unlocked


_COUPON_REASON_FOR = {"not_yet_valid": "coupon_not_yet_valid", "expired": "coupon_expired"}


def _code_verdict(entry: _Code, outcome: dict[int, object], beaten_by: dict[int, str]) -> CouponVerdict:
    if entry.verdict is not None:
        return entry.verdict
    rule = entry.rule
    code = entry.code
    result = outcome[rule.id]
    if isinstance(result, Applied):
        return CouponVerdict(code=code, accepted=True, rule_id=rule.id)
    if result.reason == "not_combinable":
        better = beaten_by.get(rule.id) or "a better offer"
        return CouponVerdict(
            code=code, accepted=False, reason="coupon_not_combinable", rule_id=rule.id,
            message=f"The code {code} cannot be combined with {better}.",
        )
    reason = _COUPON_REASON_FOR.get(result.reason, "coupon_not_applicable")
    message = {
        "coupon_not_yet_valid": f"The code {code} is not valid yet.",
        "coupon_expired": f"The code {code} has expired.",
    }.get(reason, f"The code {code} does not apply: {result.message}")
    return CouponVerdict(code=code, accepted=False, reason=reason, message=message, rule_id=rule.id, hint=result.hint)


# --- the combination ---------------------------------------------------------------------------


_Step = tuple  # (rule, line amounts by canonical position, shipping amount)


@dataclass(frozen=True, slots=True)
class _State:
    total: int
    steps: tuple
    left: list[int]
    shipping_left: int
    budgets: dict
    dirty: frozenset[int]  # lines whose price left is no longer the undiscounted price


@dataclass(slots=True)
class _Context:
    """What one evaluation computed once: the cart index, each eligible rule's lines and its amounts alone."""

    cx: _CartIndex
    targets: dict[int, _Targets] = field(default_factory=dict)
    alone: dict[int, tuple[dict[int, int], int]] = field(default_factory=dict)  # before any budget cap
    depends_on: dict[int, frozenset[int]] = field(default_factory=dict)  # the lines its amounts are computed from
    cache: dict[tuple, _State] = field(default_factory=dict)


def _apply(state: _State, rules: Sequence[Rule], ctx: _Context) -> _State:
    """Apply ``rules`` one after the other from ``state`` (left untouched) and return the new state.

    A rule whose lines (or the shipping) no discount has touched yet takes what it takes alone,
    already computed: amounts depend only on the prices left of the lines they are computed from.
    """
    cx = ctx.cx
    left = state.left[:]
    shipping_left = state.shipping_left
    budgets = dict(state.budgets)
    total = state.total
    steps = list(state.steps)
    dirty = set(state.dirty)
    for rule in rules:
        if shipping_left == cx.shipping and dirty.isdisjoint(ctx.depends_on[rule.id]):
            line_amounts, shipping_amount = ctx.alone[rule.id]
        else:
            line_amounts, shipping_amount = _amounts(rule, ctx.targets[rule.id], cx, left, shipping_left)
        amount = sum(line_amounts.values()) + shipping_amount
        if rule.budget_left is not None:
            key = _budget_key(rule)
            cap = min(budgets.get(key, rule.budget_left), rule.budget_left)
            if amount > cap:
                line_amounts, shipping_amount = _cap(line_amounts, shipping_amount, cap)
                amount = cap
            budgets[key] = cap - amount
        if amount:
            for i, a in line_amounts.items():
                left[i] -= a
            dirty.update(line_amounts)
            shipping_left -= shipping_amount
            total += amount
        steps.append((rule, line_amounts, shipping_amount))
    return _State(total, tuple(steps), left, shipping_left, budgets, frozenset(dirty))


def _run(rules: list[Rule], ctx: _Context) -> tuple[int, tuple]:
    """Apply ``rules`` (in application order); returns the saving and the steps.

    Combinations often share their product (or product and order) discounts, so the state after
    each class is cached by the ids applied so far.
    """
    cx = ctx.cx
    state = _State(0, (), cx.price, cx.shipping, {}, frozenset())
    key: tuple = ()
    start, count = 0, len(rules)
    while start < count:
        rank = _CLASS_RANK.get(rules[start].discount_class)
        end = start + 1
        while end < count and _CLASS_RANK.get(rules[end].discount_class) == rank:
            end += 1
        key += (tuple(rule.id for rule in rules[start:end]),)
        cached = ctx.cache.get(key)
        if cached is None:
            cached = ctx.cache[key] = _apply(state, rules[start:end], ctx)
        state = cached
        start = end
    return state.total, state.steps


def _maximal_cliques(nodes: list, adjacent: dict) -> list[list]:
    """Bron–Kerbosch with pivoting over a small graph; cliques in a deterministic order."""
    found = []

    def expand(clique: list, candidates: list, excluded: list) -> None:
        if not candidates and not excluded:
            found.append(clique)
            return
        pivot = max(candidates + excluded, key=lambda n: sum(1 for c in candidates if c in adjacent[n]))
        for node in [c for c in candidates if c not in adjacent[pivot]]:
            expand(clique + [node], [c for c in candidates if c in adjacent[node]], [x for x in excluded if x in adjacent[node]])
            candidates = [c for c in candidates if c != node]
            excluded = excluded + [node]

    expand([], list(nodes), [])
    return found


def _choose(eligible: list[Rule], standalone: dict[int, tuple], ctx: _Context) -> Sequence[_Step]:
    """Rule 4: the steps of the combination that saves most (zero steps included; the caller drops them)."""
    # The best promotion alone is a candidate (exact and free: computed already), so the choice never
    # saves less than any single promotion, even where rounding breaks rule 4's premise.
    single = min(eligible, key=lambda r: (-standalone[r.id][0], r.id))
    amount, line_amounts, shipping_amount = standalone[single.id]
    candidates: list[tuple] = [(amount, (amount, ((single, line_amounts, shipping_amount),)), None)]  # (bound, exact, clique)
    profiles: dict[tuple, list[Rule]] = {}
    for rule in eligible:
        if not rule.exclusive:
            profiles.setdefault((rule.discount_class, rule.combines_with), []).append(rule)
    members: dict[tuple, list[Rule]] = {}
    if profiles:
        cx = ctx.cx
        nodes = sorted(profiles, key=lambda p: (_CLASS_RANK.get(p[0], 3), p[0], sorted(p[1])))
        on_lines, on_shipping = {}, {}  # per profile: what its members take alone
        for profile in nodes:
            group = profiles[profile]
            if profile[0] not in profile[1]:  # cannot combine with its own kind: the one saving most alone
                group = [min(group, key=lambda r: (-standalone[r.id][0], r.id))]
            members[profile] = group
            on_shipping[profile] = sum(standalone[r.id][2] for r in group)
            on_lines[profile] = sum(standalone[r.id][0] for r in group) - on_shipping[profile]
        adjacent = {p: {q for q in nodes if q != p and p[0] in q[1] and q[0] in p[1]} for p in nodes}
        for clique in _maximal_cliques(nodes, adjacent):
            if sum(len(members[p]) for p in clique) < 2:
                continue  # a single promotion: the best single is in already
            # No step takes more than it takes alone (prices left only shrink), nor more than there is.
            bound = min(sum(on_lines[p] for p in clique), cx.everything.subtotal) + min(
                sum(on_shipping[p] for p in clique), cx.shipping
            )
            candidates.append((bound, None, clique))
    candidates.sort(key=lambda c: -c[0])  # the order among equal bounds does not change the choice
    position = {r.id: n for n, r in enumerate(eligible)}  # eligible is in application order
    best_key = None
    best_steps: Sequence = ()
    for bound, exact, clique in candidates:
        if best_key is not None and bound < -best_key[0]:
            break  # every remaining bound is lower than the best saving found
        if exact is None:
            chosen = [r for _, r in sorted((position[r.id], r) for p in clique for r in members[p])]
            exact = _run(chosen, ctx)
        total, steps = exact
        applied_ids = sorted(rule.id for rule, la, sa in steps if la or sa)
        # on a full tie, the candidate that tried more promotions: those left at zero by it are
        # reported as having nothing left to discount rather than as not combinable
        key = (-total, len(applied_ids), applied_ids, -len(steps))
        if best_key is None or key < best_key:
            best_key, best_steps = key, steps
    return best_steps


# --- the engine --------------------------------------------------------------------------------


def evaluate(cart: Cart, rules: Sequence[Rule]) -> Result:
    """The promotions ``cart`` gets from ``rules``, those it does not get and why, and a verdict per coupon code."""
    digits = cart.minor_digits if cart.minor_digits is not None else MINOR_UNITS.get(cart.currency, 2)
    cx = _CartIndex(cart)
    ordered = sorted(rules, key=application_key)
    rules_by_id = {rule.id: rule for rule in ordered}
    codes, unlocked = _read_codes(cart, rules_by_id)

    outcome: dict[int, Applied | NotApplied] = {}
    ctx = _Context(cx)
    standalone: dict[int, tuple[int, dict[int, int], int]] = {}
    eligible: list[Rule] = []
    for rule in ordered:
        found = cx.targets(rule)
        miss = _check(rule, cart, cx, unlocked, digits, found)
        if miss is not None:
            outcome[rule.id] = NotApplied(rule.id, rule.name, miss.reason, miss.text, miss.hint)
            continue
        line_amounts, shipping_amount = _amounts(rule, found, cx, cx.price, cx.shipping)
        amount = sum(line_amounts.values()) + shipping_amount
        ctx.targets[rule.id] = found
        ctx.alone[rule.id] = (line_amounts, shipping_amount)
        ctx.depends_on[rule.id] = _depends_on(rule, found, cx)
        if rule.budget_left is not None and amount > rule.budget_left:
            line_amounts, shipping_amount = _cap(line_amounts, shipping_amount, rule.budget_left)
            amount = rule.budget_left
        if not amount:
            outcome[rule.id] = NotApplied(rule.id, rule.name, "nothing_to_discount", REASONS["nothing_to_discount"])
            continue
        standalone[rule.id] = (amount, line_amounts, shipping_amount)
        eligible.append(rule)

    applied: list[Applied] = []
    beaten_by: dict[int, str] = {}
    if eligible:
        original = cx.original
        winners = []
        chosen_ids = set()
        for rule, line_amounts, shipping_amount in _choose(eligible, standalone, ctx):
            chosen_ids.add(rule.id)
            amount = sum(line_amounts.values()) + shipping_amount
            if not amount:
                outcome[rule.id] = NotApplied(rule.id, rule.name, "nothing_to_discount", REASONS["nothing_to_discount"])
                continue
            winners.append(rule)
            outcome[rule.id] = entry = Applied(
                rule_id=rule.id,
                name=rule.name,
                discount_class=rule.discount_class,
                amount=amount,
                line_amounts=dict(sorted((original[i], a) for i, a in line_amounts.items())),
                shipping_amount=shipping_amount,
                code=unlocked.get(rule.id, ""),
                campaign_id=rule.campaign_id,
            )
            applied.append(entry)
        conflicts_of: dict[tuple, str] = {}  # the names it conflicts with depend on its profile only
        for rule in eligible:
            if rule.id in chosen_ids:
                continue
            profile = (rule.exclusive, rule.discount_class, rule.combines_with)
            names = conflicts_of.get(profile)
            if names is None:
                names = conflicts_of[profile] = _names([w for w in winners if not combinable(rule, w)])
            if names:
                beaten_by[rule.id] = names
            message = f"Cannot be combined with {names}." if names else REASONS["not_combinable"]
            outcome[rule.id] = NotApplied(rule.id, rule.name, "not_combinable", message)

    not_applied = tuple(outcome[r.id] for r in ordered if isinstance(outcome[r.id], NotApplied))
    return Result(
        applied=tuple(applied),
        not_applied=not_applied,
        coupons=tuple(_code_verdict(entry, outcome, beaten_by) for entry in codes),
    )
