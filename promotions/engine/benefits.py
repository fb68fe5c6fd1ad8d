"""The cart indexed by target set, and what each benefit takes off the lines and the shipping."""

from __future__ import annotations

from promotions.engine.arithmetic import _bp, _half_up, _spread
from promotions.engine.types import (
    _FULL,
    _NO_LINES,
    BUNDLE_PRICE,
    BUY_X_GET_Y,
    FIXED_AMOUNT,
    FREE_SHIPPING,
    ORDER,
    PERCENTAGE,
    QUANTITY_TIERS,
    SHIPPING,
    Cart,
    Rule,
    Tier,
)

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
