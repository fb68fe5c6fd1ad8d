"""Property-based tests of the discount engine (hypothesis): the invariants hold for any cart and rule set.

- no line is discounted below zero, shipping neither, and the total never exceeds the cart's value;
- each promotion's shares add up exactly to its amount; an order discount is spread within a cent
  of its exact proportional share;
- a campaign never grants more than its budget left;
- the result does not depend on the order of the lines nor of the promotions, and is deterministic;
- the chosen combination saves at least as much as any promotion that applies on its own.
"""

import datetime
from collections import defaultdict
from dataclasses import replace
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promotions.engine import (
    BUNDLE_PRICE,
    BUY_X_GET_Y,
    CLASS_ORDER,
    FIXED_AMOUNT,
    FREE_SHIPPING,
    ORDER,
    PERCENTAGE,
    QUANTITY_TIERS,
    SHIPPING,
    Cart,
    CouponInfo,
    Line,
    Rule,
    Tier,
    evaluate,
)

NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
PRODUCTS = range(1, 9)
CATEGORIES = range(1, 5)
MANUFACTURERS = range(1, 4)

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def catalogs(draw):
    """product id -> (unit price, categories, manufacturer): a product looks the same on every line."""
    return {
        pid: (
            draw(st.integers(0, 20000)),
            frozenset(draw(st.sets(st.sampled_from(CATEGORIES), max_size=2))),
            draw(st.none() | st.sampled_from(MANUFACTURERS)),
        )
        for pid in PRODUCTS
    }


@st.composite
def carts(draw, coupon_ids=()):
    catalog = draw(catalogs())
    picks = draw(st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 7)), max_size=8))
    lines = tuple(
        Line(index=i, product_id=pid, quantity=qty, unit_price=catalog[pid][0], category_ids=catalog[pid][1],
             manufacturer_id=catalog[pid][2])
        for i, (pid, qty) in enumerate(picks)
    )
    coupons = tuple(CouponInfo(code=f"CODE{rid}", promotion_id=rid) for rid in coupon_ids if draw(st.booleans()))
    return Cart(lines=lines, currency="EUR", shipping=draw(st.sampled_from([0, 1, 495, 999])), customer_id=1,
                segment_ids=frozenset(draw(st.sets(st.sampled_from([1, 2]), max_size=1))), coupons=coupons, now=NOW)


@st.composite
def rules(draw, rule_id):
    benefit = draw(st.sampled_from([PERCENTAGE, FIXED_AMOUNT, BUY_X_GET_Y, QUANTITY_TIERS, FREE_SHIPPING, BUNDLE_PRICE]))
    discount_class = SHIPPING if benefit == FREE_SHIPPING else draw(st.sampled_from(CLASS_ORDER))
    fields = {}
    if benefit == PERCENTAGE:
        fields["percent_bp"] = draw(st.integers(0, 10000))
    elif benefit == FIXED_AMOUNT:
        fields["amount"] = draw(st.integers(0, 30000))
    elif benefit == BUY_X_GET_Y:
        fields.update(buy_quantity=draw(st.integers(1, 3)), get_quantity=draw(st.integers(1, 2)),
                      get_percent_bp=draw(st.sampled_from([10000, 5000, 3333])))
        if draw(st.booleans()):
            fields["get_product_ids"] = frozenset(draw(st.sets(st.sampled_from(PRODUCTS), min_size=1, max_size=3)))
    elif benefit == QUANTITY_TIERS:
        steps = draw(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 10000)), min_size=1, max_size=3,
                              unique_by=lambda t: t[0]))
        fields["tiers"] = tuple(Tier(q, bp) for q, bp in steps)
    elif benefit == BUNDLE_PRICE:
        fields.update(bundle_quantity=draw(st.integers(1, 4)), amount=draw(st.integers(0, 30000)))
    target = draw(st.sampled_from(["none", "product", "category", "manufacturer"]))
    if target == "product":
        fields["product_ids"] = frozenset(draw(st.sets(st.sampled_from(PRODUCTS), min_size=1, max_size=3)))
    elif target == "category":
        fields["category_ids"] = frozenset(draw(st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=2)))
    elif target == "manufacturer":
        fields["manufacturer_ids"] = frozenset(draw(st.sets(st.sampled_from(MANUFACTURERS), min_size=1, max_size=2)))
    if draw(st.booleans()):
        fields["min_subtotal"] = draw(st.integers(0, 40000))
    if draw(st.booleans()):
        fields["min_quantity"] = draw(st.integers(0, 10))
    if draw(st.integers(0, 4)) == 0:
        fields["segment_ids"] = frozenset({draw(st.sampled_from([1, 2]))})
    if draw(st.integers(0, 3)) == 0:
        fields["campaign_id"] = draw(st.sampled_from([1, 2]))
        fields["budget_left"] = draw(st.integers(0, 5000))
    return Rule(
        id=rule_id, name=f"Rule {rule_id}", discount_class=discount_class, benefit=benefit,
        priority=draw(st.integers(0, 3)),
        combines_with=frozenset(draw(st.sets(st.sampled_from(CLASS_ORDER)))),
        exclusive=draw(st.integers(0, 5)) == 0,
        requires_coupon=draw(st.integers(0, 4)) == 0,
        **fields,
    )


@st.composite
def scenarios(draw):
    """A cart and a rule set; campaigns share one budget left, as the selector gives them."""
    count = draw(st.integers(0, 7))
    ids = draw(st.lists(st.integers(1, 500), min_size=count, max_size=count, unique=True))
    rule_set = [draw(rules(rid)) for rid in ids]
    budgets = {1: draw(st.integers(0, 5000)), 2: draw(st.integers(0, 5000))}
    rule_set = [replace(r, budget_left=budgets[r.campaign_id]) if r.campaign_id else r for r in rule_set]
    cart = draw(carts(coupon_ids=[r.id for r in rule_set if r.requires_coupon]))
    return cart, rule_set


def line_totals(cart):
    return {line.index: line.quantity * line.unit_price for line in cart.lines}


def check_no_line_below_zero_and_no_total_above_the_cart(cart, result):
    totals = line_totals(cart)
    taken = defaultdict(int)
    shipping = 0
    for a in result.applied:
        assert a.amount > 0
        assert all(v > 0 for v in a.line_amounts.values())
        assert set(a.line_amounts) <= set(totals)
        for index, value in a.line_amounts.items():
            taken[index] += value
        shipping += a.shipping_amount
    assert all(taken[i] <= totals[i] for i in taken)
    assert 0 <= shipping <= cart.shipping
    assert 0 <= result.total <= sum(totals.values()) + cart.shipping


def check_shares_add_up_exactly_to_each_promotion(result):
    for a in result.applied:
        assert sum(a.line_amounts.values()) + a.shipping_amount == a.amount


def check_a_campaign_never_grants_more_than_its_budget(rule_set, result):
    by_id = {r.id: r for r in rule_set}
    granted = defaultdict(int)
    for a in result.applied:
        rule = by_id[a.rule_id]
        if rule.budget_left is not None:
            granted[rule.campaign_id] += a.amount
            assert granted[rule.campaign_id] <= rule.budget_left


def check_every_promotion_and_code_is_answered_once(cart, rule_set, result):
    ids = [a.rule_id for a in result.applied] + [n.rule_id for n in result.not_applied]
    assert sorted(ids) == sorted(r.id for r in rule_set)
    assert [v.code for v in result.coupons] == [c.code.upper() for c in cart.coupons]
    for v in result.coupons:
        assert v.accepted == (v.reason == "")
        assert v.accepted == any(a.rule_id == v.rule_id and a.code == v.code for a in result.applied)


@PROPERTIES
@given(scenarios())
def test_invariants_of_every_result(scenario):
    # one generated scenario checked for each invariant (generating is the slow part)
    cart, rule_set = scenario
    result = evaluate(cart, rule_set)
    check_no_line_below_zero_and_no_total_above_the_cart(cart, result)
    check_shares_add_up_exactly_to_each_promotion(result)
    check_a_campaign_never_grants_more_than_its_budget(rule_set, result)
    check_every_promotion_and_code_is_answered_once(cart, rule_set, result)
    assert evaluate(cart, list(rule_set)) == result  # deterministic


@PROPERTIES
@given(st.data(), scenarios())
def test_the_order_of_the_promotions_does_not_matter(data, scenario):
    cart, rule_set = scenario
    shuffled = data.draw(st.permutations(rule_set))
    assert evaluate(cart, shuffled) == evaluate(cart, rule_set)


@PROPERTIES
@given(st.data(), scenarios())
def test_the_order_of_the_lines_does_not_matter(data, scenario):
    cart, rule_set = scenario
    order = data.draw(st.permutations(range(len(cart.lines))))
    moved = Cart(
        lines=tuple(Line(index=new, product_id=cart.lines[old].product_id, quantity=cart.lines[old].quantity,
                         unit_price=cart.lines[old].unit_price, category_ids=cart.lines[old].category_ids,
                         manufacturer_id=cart.lines[old].manufacturer_id) for new, old in enumerate(order)),
        currency=cart.currency, shipping=cart.shipping, customer_id=cart.customer_id, segment_ids=cart.segment_ids,
        coupons=cart.coupons, now=cart.now,
    )
    before, after = evaluate(cart, rule_set), evaluate(moved, rule_set)

    def by_product(result, c):
        product_of = {line.index: line.product_id for line in c.lines}
        out = {}
        for a in result.applied:
            per_product = defaultdict(int)
            for index, value in a.line_amounts.items():
                per_product[product_of[index]] += value
            out[a.rule_id] = (a.amount, a.shipping_amount, dict(per_product), a.code)
        return out

    assert by_product(before, cart) == by_product(after, moved)
    assert [(n.rule_id, n.reason, n.hint) for n in before.not_applied] == [(n.rule_id, n.reason, n.hint) for n in after.not_applied]
    assert before.coupons == after.coupons


@PROPERTIES
@given(scenarios())
def test_the_choice_saves_at_least_as_much_as_any_single_promotion(scenario):
    cart, rule_set = scenario
    best = evaluate(cart, rule_set).total
    for rule in rule_set:
        alone = evaluate(cart, [rule])
        if alone.applied:
            assert best >= alone.total


@PROPERTIES
@given(carts(), st.sampled_from([FIXED_AMOUNT, PERCENTAGE]), st.integers(0, 10**6))
def test_an_order_discount_is_spread_within_a_cent_of_each_lines_share(cart, benefit, value):
    # given one order discount on the whole cart
    fields = {"amount": value} if benefit == FIXED_AMOUNT else {"percent_bp": value % 10001}
    result = evaluate(cart, [Rule(id=1, name="Order", discount_class=ORDER, benefit=benefit, **fields)])
    totals = line_totals(cart)
    subtotal = sum(totals.values())
    if not result.applied:
        return
    (a,) = result.applied
    # then its amount is exact and each line holds its proportional share, give or take a cent
    if benefit == FIXED_AMOUNT:
        assert a.amount == min(value, subtotal)
    else:
        assert a.amount == (2 * subtotal * fields["percent_bp"] + 10000) // 20000
    for index, price in totals.items():
        exact = Fraction(a.amount * price, subtotal)
        assert abs(a.line_amounts.get(index, 0) - exact) < 1
