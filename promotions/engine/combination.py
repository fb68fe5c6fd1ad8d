"""The combination search and ``evaluate``: the allowed combination that saves the shopper most."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from commerce.money import MINOR_UNITS  # a plain dict: needs no Django settings
from promotions.engine.arithmetic import _names
from promotions.engine.benefits import _amounts, _budget_key, _cap, _CartIndex, _depends_on, _Targets
from promotions.engine.explanations import _check, _code_verdict, _read_codes
from promotions.engine.types import _CLASS_RANK, REASONS, Applied, Cart, NotApplied, Result, Rule, application_key, combinable

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
