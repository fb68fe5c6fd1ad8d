"""Worked examples of the pure discount engine (no database): every benefit, reason and coupon verdict.

Amounts are minor units (cents); percentages basis points. Each example states the cart and the
rules, then the exact cents the shopper gets and where they land.
"""

import datetime

import pytest

from promotions.engine import (
    BUNDLE_PRICE,
    BUY_X_GET_Y,
    FIXED_AMOUNT,
    FREE_SHIPPING,
    ORDER,
    PERCENTAGE,
    PRODUCT,
    QUANTITY_TIERS,
    REASONS,
    SHIPPING,
    Cart,
    CouponInfo,
    Line,
    Rule,
    Tier,
    evaluate,
)

NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
ALL = frozenset({PRODUCT, ORDER, SHIPPING})


def line(index, product, quantity, unit_price, categories=(), manufacturer=None):
    return Line(index=index, product_id=product, quantity=quantity, unit_price=unit_price,
                category_ids=frozenset(categories), manufacturer_id=manufacturer)


def cart(*lines, shipping=0, customer=None, segments=(), coupons=(), now=NOW, currency="EUR", minor_digits=None):
    return Cart(lines=tuple(lines), currency=currency, shipping=shipping, customer_id=customer,
                segment_ids=frozenset(segments), coupons=tuple(coupons), now=now, minor_digits=minor_digits)


def rule(id, benefit, discount_class=PRODUCT, **fields):
    fields.setdefault("name", f"Promotion {id}")
    for key in ("product_ids", "category_ids", "manufacturer_ids", "segment_ids", "get_product_ids", "combines_with"):
        if key in fields:
            fields[key] = frozenset(fields[key])
    return Rule(id=id, discount_class=discount_class, benefit=benefit, **fields)


def applied(result, rule_id):
    return next(a for a in result.applied if a.rule_id == rule_id)


def missed(result, rule_id):
    return next(n for n in result.not_applied if n.rule_id == rule_id)


def verdict(result, code):
    return next(v for v in result.coupons if v.code == code)


# --- percentage off ----------------------------------------------------------------------------


def test_percentage_product_discount_applies_to_each_target_line():
    # given 3 shirts at 10.00 (category 1) and a jacket at 25.00 (category 2), 10 % off category 1
    result = evaluate(cart(line(0, 1, 3, 1000, {1}), line(1, 2, 1, 2500, {2})), [rule(1, PERCENTAGE, percent_bp=1000, category_ids={1})])
    # then only the shirts' line gets 3.00 off
    assert applied(result, 1).line_amounts == {0: 300}
    assert result.total == 300


def test_percentage_product_discount_rounds_half_up_on_each_line():
    # given three lines of 0.05, 10 % off each is 0.005, rounded half up to 0.01 per line
    lines = [line(i, 10 + i, 1, 5) for i in range(3)]
    result = evaluate(cart(*lines), [rule(1, PERCENTAGE, percent_bp=1000)])
    assert applied(result, 1).line_amounts == {0: 1, 1: 1, 2: 1}


def test_percentage_order_discount_rounds_once_and_spreads_the_cents():
    # given the same three lines as an order discount: 10 % of 0.15 = 0.015, rounded to 0.02 once
    lines = [line(i, 10 + i, 1, 5) for i in range(3)]
    result = evaluate(cart(*lines), [rule(1, PERCENTAGE, ORDER, percent_bp=1000)])
    # then the two cents go to the first lines in cart order (equal remainders)
    assert applied(result, 1).amount == 2
    assert applied(result, 1).line_amounts == {0: 1, 1: 1}


def test_percentage_on_shipping_class_discounts_the_shipping():
    result = evaluate(cart(line(0, 1, 1, 2000), shipping=495), [rule(1, PERCENTAGE, SHIPPING, percent_bp=5000)])
    # 50 % of 4.95 = 2.475, half up to 2.48
    assert applied(result, 1).shipping_amount == 248
    assert applied(result, 1).line_amounts == {}


def test_percentage_targets_by_product_category_or_manufacturer():
    lines = [line(0, 1, 1, 1000, {5}, 7), line(1, 2, 1, 1000, {6}, 8), line(2, 3, 1, 1000, {6}, 9), line(3, 4, 1, 1000, {9}, 9)]
    rules = [rule(1, PERCENTAGE, percent_bp=1000, product_ids={1}, category_ids={6}, manufacturer_ids={8}, combines_with=ALL)]
    # then a line qualifies through any one of its product, categories or manufacturer
    assert applied(evaluate(cart(*lines), rules), 1).line_amounts == {0: 100, 1: 100, 2: 100}


# --- fixed amount off --------------------------------------------------------------------------


def test_fixed_order_discount_is_spread_by_largest_remainder():
    # given lines of 10.00, 20.00 and 30.00 and 5.00 off the order
    lines = [line(0, 1, 1, 1000), line(1, 2, 1, 2000), line(2, 3, 1, 3000)]
    result = evaluate(cart(*lines), [rule(1, FIXED_AMOUNT, ORDER, amount=500)])
    # then 83.33 / 166.67 / 250 cents become 83 / 167 / 250: the largest remainder gets the odd cent
    assert applied(result, 1).line_amounts == {0: 83, 1: 167, 2: 250}
    assert sum(applied(result, 1).line_amounts.values()) == 500


def test_fixed_discount_on_equal_lines_gives_the_odd_cent_to_the_first_line():
    lines = [line(0, 1, 1, 1000), line(1, 2, 1, 1000), line(2, 3, 1, 1000)]
    result = evaluate(cart(*lines), [rule(1, FIXED_AMOUNT, ORDER, amount=100)])
    assert applied(result, 1).line_amounts == {0: 34, 1: 33, 2: 33}


def test_fixed_product_discount_is_off_the_target_lines_together():
    # given 10.00 off category 1, which holds a 30.00 and a 10.00 line
    lines = [line(0, 1, 3, 1000, {1}), line(1, 2, 1, 1000, {1}), line(2, 3, 1, 5000, {2})]
    result = evaluate(cart(*lines), [rule(1, FIXED_AMOUNT, amount=1000, category_ids={1})])
    assert applied(result, 1).line_amounts == {0: 750, 1: 250}


def test_fixed_discount_never_exceeds_what_it_discounts():
    result = evaluate(cart(line(0, 1, 1, 3000), shipping=495), [rule(1, FIXED_AMOUNT, ORDER, amount=5000)])
    assert applied(result, 1).line_amounts == {0: 3000}
    ship = evaluate(cart(line(0, 1, 1, 3000), shipping=495), [rule(2, FIXED_AMOUNT, SHIPPING, amount=1000)])
    assert applied(ship, 2).shipping_amount == 495


# --- buy X get Y -------------------------------------------------------------------------------


def test_buy_two_get_one_makes_the_third_unit_free():
    result = evaluate(cart(line(0, 1, 3, 1000)), [rule(1, BUY_X_GET_Y, buy_quantity=2, get_quantity=1, product_ids={1})])
    assert applied(result, 1).line_amounts == {0: 1000}


def test_buy_two_get_one_makes_the_cheapest_unit_of_each_group_free():
    # given 4 units at 10.00 and 2 at 4.00 in the category: groups (10, 10, 10) and (10, 4, 4)
    lines = [line(0, 1, 4, 1000, {3}), line(1, 2, 2, 400, {3})]
    result = evaluate(cart(*lines), [rule(1, BUY_X_GET_Y, buy_quantity=2, get_quantity=1, category_ids={3})])
    # then one 10.00 unit and one 4.00 unit are free (units ranked dearest first)
    assert applied(result, 1).line_amounts == {0: 1000, 1: 400}


def test_buy_one_get_one_at_half_price():
    result = evaluate(cart(line(0, 1, 2, 2000)), [rule(1, BUY_X_GET_Y, buy_quantity=1, get_quantity=1, get_percent_bp=5000)])
    assert applied(result, 1).line_amounts == {0: 1000}


def test_buy_x_get_y_of_another_product_discounts_the_cheapest_offered_units():
    # given buy 2 shampoos (product 1), get a conditioner (products 2 or 3) free
    promo = rule(1, BUY_X_GET_Y, buy_quantity=2, get_quantity=1, product_ids={1}, get_product_ids={2, 3})
    one_group = evaluate(cart(line(0, 1, 2, 500), line(1, 2, 1, 300)), [promo])
    assert applied(one_group, 1).line_amounts == {1: 300}
    # four shampoos: two conditioners, the cheapest ones first
    two_groups = evaluate(cart(line(0, 1, 4, 500), line(1, 2, 3, 300), line(2, 3, 1, 250)), [promo])
    assert applied(two_groups, 1).line_amounts == {2: 250, 1: 300}


def test_buy_x_get_y_explains_what_is_missing():
    promo = rule(1, BUY_X_GET_Y, buy_quantity=2, get_quantity=1, product_ids={1}, get_product_ids={2})
    short = missed(evaluate(cart(line(0, 1, 1, 500), line(1, 2, 1, 300)), [promo]), 1)
    assert (short.reason, short.hint) == ("minimum_not_reached", "Add 1 more unit to get 1 free")
    no_gift = missed(evaluate(cart(line(0, 1, 2, 500)), [promo]), 1)
    assert (no_gift.reason, no_gift.hint) == ("no_qualifying_items", "Add an offered item to get 1 free")
    same = missed(evaluate(cart(line(0, 1, 1, 500)), [rule(2, BUY_X_GET_Y, buy_quantity=2, get_quantity=1, get_percent_bp=5000)]), 2)
    assert (same.reason, same.hint) == ("minimum_not_reached", "Add 2 more units to get 1 at 50% off")


# --- quantity tiers ----------------------------------------------------------------------------


TIERS = (Tier(5, 1000), Tier(10, 1500))


def test_quantity_tiers_use_the_highest_tier_reached():
    six = evaluate(cart(line(0, 1, 6, 1000)), [rule(1, QUANTITY_TIERS, tiers=TIERS)])
    assert applied(six, 1).line_amounts == {0: 600}
    twelve = evaluate(cart(line(0, 1, 7, 1000), line(1, 2, 5, 333)), [rule(1, QUANTITY_TIERS, tiers=TIERS)])
    # 15 % of 70.00 and of 16.65 (2.4975 rounds to 2.50)
    assert applied(twelve, 1).line_amounts == {0: 1050, 1: 250}


def test_quantity_tiers_below_the_first_tier_hint_at_it():
    result = evaluate(cart(line(0, 1, 3, 1000)), [rule(1, QUANTITY_TIERS, tiers=TIERS)])
    assert missed(result, 1).reason == "minimum_not_reached"
    assert missed(result, 1).hint == "Add 2 more units for 10% off"


# --- free shipping -----------------------------------------------------------------------------


def test_free_shipping_takes_the_shipping_left():
    result = evaluate(cart(line(0, 1, 1, 2000), shipping=495), [rule(1, FREE_SHIPPING, SHIPPING)])
    assert applied(result, 1).shipping_amount == 495
    assert applied(result, 1).amount == 495


def test_free_shipping_with_nothing_to_ship_has_nothing_to_discount():
    result = evaluate(cart(line(0, 1, 1, 2000), shipping=0), [rule(1, FREE_SHIPPING, SHIPPING)])
    assert missed(result, 1).reason == "nothing_to_discount"


# --- bundle price ------------------------------------------------------------------------------


def test_bundle_price_charges_each_full_bundle_the_bundle_price():
    promo = rule(1, BUNDLE_PRICE, bundle_quantity=3, amount=1000, category_ids={1})
    assert applied(evaluate(cart(line(0, 1, 3, 400, {1})), [promo]), 1).amount == 200
    # seven units: two bundles, the seventh unit at full price
    assert applied(evaluate(cart(line(0, 1, 7, 400, {1})), [promo]), 1).amount == 400


def test_bundle_price_spreads_the_saving_over_the_bundled_units():
    # given 2 x 5.00 and 1 x 4.00 as "3 for 10.00": 14.00 - 10.00 = 4.00 off
    promo = rule(1, BUNDLE_PRICE, bundle_quantity=3, amount=1000)
    result = evaluate(cart(line(0, 1, 2, 500), line(1, 2, 1, 400)), [promo])
    # then 4.00 x 10/14 = 2.857 and 4.00 x 4/14 = 1.143 become 2.86 and 1.14
    assert applied(result, 1).line_amounts == {0: 286, 1: 114}


def test_bundle_price_bundles_the_dearest_units_first():
    # given 5.00, 5.00, 1.00, 1.00 as "2 for 8.00": bundles (5, 5) saves 2.00, (1, 1) saves nothing
    promo = rule(1, BUNDLE_PRICE, bundle_quantity=2, amount=800)
    result = evaluate(cart(line(0, 1, 2, 500), line(1, 2, 2, 100)), [promo])
    assert result.total == 200


def test_bundle_cheaper_than_its_price_has_nothing_to_discount():
    result = evaluate(cart(line(0, 1, 3, 300)), [rule(1, BUNDLE_PRICE, bundle_quantity=3, amount=1000)])
    assert missed(result, 1).reason == "nothing_to_discount"


def test_bundle_short_of_a_full_bundle_hints_at_it():
    result = evaluate(cart(line(0, 1, 2, 500)), [rule(1, BUNDLE_PRICE, bundle_quantity=3, amount=1000)])
    assert (missed(result, 1).reason, missed(result, 1).hint) == ("minimum_not_reached", "Add 1 more unit to get 3 for 10.00")


# --- conditions and their reasons --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"live": False}, "inactive"),
        ({"valid_from": NOW + datetime.timedelta(seconds=1)}, "not_yet_valid"),
        ({"valid_to": NOW - datetime.timedelta(seconds=1)}, "expired"),
        ({"requires_coupon": True}, "coupon_required"),
        ({"segment_ids": {9}}, "not_for_customer"),
        ({"usage_left": 0}, "usage_limit_reached"),
        ({"customer_usage_left": 0}, "customer_limit_reached"),
        ({"budget_left": 0, "campaign_id": 1}, "budget_spent"),
        ({"product_ids": {99}}, "no_qualifying_items"),
        ({"min_quantity": 3}, "minimum_not_reached"),
        ({"min_subtotal": 5000}, "minimum_not_reached"),
    ],
)
def test_each_condition_has_its_reason(fields, reason):
    result = evaluate(cart(line(0, 1, 1, 2000), customer=5, segments={1}), [rule(1, PERCENTAGE, percent_bp=1000, **fields)])
    assert result.applied == ()
    assert missed(result, 1).reason == reason
    assert missed(result, 1).message
    if reason not in ("minimum_not_reached",):
        assert missed(result, 1).message == REASONS[reason]


def test_the_window_includes_its_start_and_ends_at_its_end():
    # the same half-open window as the services and order_placed: valid_from <= now < valid_to
    starting = [rule(1, PERCENTAGE, percent_bp=1000, valid_from=NOW, valid_to=NOW + datetime.timedelta(hours=1))]
    assert evaluate(cart(line(0, 1, 1, 2000)), starting).total == 200
    ending = [rule(1, PERCENTAGE, percent_bp=1000, valid_from=NOW - datetime.timedelta(hours=1), valid_to=NOW)]
    result = evaluate(cart(line(0, 1, 1, 2000)), ending)
    assert result.total == 0 and result.not_applied[0].reason == "expired"


def test_a_window_needs_now():
    with pytest.raises(ValueError, match="now"):
        evaluate(cart(line(0, 1, 1, 2000), now=None), [rule(1, PERCENTAGE, percent_bp=1000, valid_to=NOW)])


def test_segment_member_gets_the_promotion():
    result = evaluate(cart(line(0, 1, 1, 2000), customer=5, segments={1, 9}), [rule(1, PERCENTAGE, percent_bp=1000, segment_ids={9})])
    assert result.total == 200


def test_minimums_hint_at_what_would_qualify():
    rules = [
        rule(1, PERCENTAGE, percent_bp=1000, min_quantity=3),
        rule(2, PERCENTAGE, percent_bp=1000, min_subtotal=3250),
        rule(3, PERCENTAGE, percent_bp=1000, min_quantity=2, min_subtotal=2001),
    ]
    result = evaluate(cart(line(0, 1, 1, 2000)), rules)
    assert missed(result, 1).hint == "Add 2 more units"
    assert missed(result, 1).message == "Needs at least 3 units."
    assert missed(result, 2).hint == "Spend 12.50 more"
    assert missed(result, 2).message == "Needs a subtotal of at least 32.50."
    assert missed(result, 3).hint == "Add 1 more unit and spend 0.01 more"


def test_minimums_count_only_the_qualifying_lines():
    # given 20.00 in category 1 and 80.00 elsewhere, a minimum of 50.00 in category 1
    lines = [line(0, 1, 2, 1000, {1}), line(1, 2, 1, 8000, {2})]
    result = evaluate(cart(*lines), [rule(1, PERCENTAGE, percent_bp=1000, category_ids={1}, min_subtotal=5000)])
    assert missed(result, 1).hint == "Spend 30.00 more"


def test_hints_use_the_currency_minor_unit():
    result = evaluate(cart(line(0, 1, 1, 2000), currency="JPY"), [rule(1, PERCENTAGE, percent_bp=1000, min_subtotal=2500)])
    assert missed(result, 1).hint == "Spend 500 more"
    explicit = evaluate(cart(line(0, 1, 1, 2000), minor_digits=3), [rule(1, PERCENTAGE, percent_bp=1000, min_subtotal=2500)])
    assert missed(explicit, 1).hint == "Spend 0.500 more"


def test_a_line_at_zero_leaves_nothing_to_discount_for_later_promotions():
    # given 100 % off the product, then 5.00 off the order
    rules = [rule(1, PERCENTAGE, percent_bp=10000, combines_with=ALL), rule(2, FIXED_AMOUNT, ORDER, amount=500, combines_with=ALL)]
    result = evaluate(cart(line(0, 1, 1, 2000)), rules)
    assert applied(result, 1).line_amounts == {0: 2000}
    assert missed(result, 2).reason == "nothing_to_discount"
    assert result.total == 2000


# --- budgets -----------------------------------------------------------------------------------


def test_campaign_budget_caps_the_discount():
    result = evaluate(cart(line(0, 1, 1, 5000)), [rule(1, PERCENTAGE, percent_bp=1000, budget_left=300, campaign_id=1)])
    assert applied(result, 1).amount == 300


def test_campaign_budget_is_shared_by_its_promotions():
    rules = [
        rule(1, FIXED_AMOUNT, amount=500, priority=2, combines_with=ALL, budget_left=700, campaign_id=1),
        rule(2, FIXED_AMOUNT, amount=500, priority=1, combines_with=ALL, budget_left=700, campaign_id=1),
    ]
    result = evaluate(cart(line(0, 1, 1, 5000)), rules)
    assert (applied(result, 1).amount, applied(result, 2).amount) == (500, 200)


def test_budget_cap_keeps_the_lines_in_proportion():
    lines = [line(0, 1, 1, 3000), line(1, 2, 1, 1000)]
    result = evaluate(cart(*lines), [rule(1, PERCENTAGE, percent_bp=5000, budget_left=1000, campaign_id=3)])
    assert applied(result, 1).line_amounts == {0: 750, 1: 250}


# --- combination -------------------------------------------------------------------------------


def test_discounts_apply_one_after_the_other_in_class_order():
    # given 10 % off the product and 5.00 off the order, both combinable: 100.00 -> 90.00 -> 85.00
    rules = [rule(2, FIXED_AMOUNT, ORDER, amount=500, combines_with={PRODUCT}),
             rule(1, PERCENTAGE, percent_bp=1000, combines_with={ORDER})]
    result = evaluate(cart(line(0, 1, 1, 10000)), rules)
    assert [a.rule_id for a in result.applied] == [1, 2]
    assert (applied(result, 1).amount, applied(result, 2).amount) == (1000, 500)


def test_priority_orders_discounts_within_a_class():
    percent = {"percent_bp": 1000, "combines_with": {ORDER}}
    fixed = {"amount": 500, "combines_with": {ORDER}}
    # 10 % first (higher priority): 10.00, then 5.00 = 15.00
    first = evaluate(cart(line(0, 1, 1, 10000)), [rule(1, PERCENTAGE, ORDER, priority=5, **percent), rule(2, FIXED_AMOUNT, ORDER, priority=1, **fixed)])
    assert first.total == 1500
    # 5.00 first: then 10 % of 95.00 = 9.50, 14.50 in all
    second = evaluate(cart(line(0, 1, 1, 10000)), [rule(1, PERCENTAGE, ORDER, priority=1, **percent), rule(2, FIXED_AMOUNT, ORDER, priority=5, **fixed)])
    assert (applied(second, 2).amount, applied(second, 1).amount) == (500, 950)
    assert [a.rule_id for a in second.applied] == [2, 1]


def test_sequential_discounts_are_never_taken_from_the_same_price():
    # given 60 % and 60 % off the same line, stacking: 100.00 -> 40.00 -> 16.00, never 120 % off
    rules = [rule(1, PERCENTAGE, percent_bp=6000, combines_with=ALL), rule(2, PERCENTAGE, percent_bp=6000, combines_with=ALL)]
    result = evaluate(cart(line(0, 1, 1, 10000)), rules)
    assert (applied(result, 1).amount, applied(result, 2).amount) == (6000, 2400)


def test_promotions_not_combinable_with_their_class_keep_the_better_one():
    rules = [rule(1, PERCENTAGE, percent_bp=1000, name="Ten"), rule(2, PERCENTAGE, percent_bp=2000, name="Twenty")]
    result = evaluate(cart(line(0, 1, 1, 10000)), rules)
    assert [a.rule_id for a in result.applied] == [2]
    assert missed(result, 1).reason == "not_combinable"
    assert missed(result, 1).message == "Cannot be combined with Twenty."


def test_an_exclusive_promotion_wins_when_it_saves_more():
    rules = [
        rule(1, PERCENTAGE, percent_bp=1000, combines_with=ALL),
        rule(2, FREE_SHIPPING, SHIPPING, combines_with=ALL),
        rule(3, FIXED_AMOUNT, ORDER, amount=2000, exclusive=True, name="Big"),
    ]
    result = evaluate(cart(line(0, 1, 1, 10000), shipping=495), rules)
    assert [a.rule_id for a in result.applied] == [3]
    assert missed(result, 1).message == "Cannot be combined with Big."
    assert missed(result, 2).reason == "not_combinable"


def test_an_exclusive_promotion_loses_to_a_better_stack():
    rules = [
        rule(1, PERCENTAGE, percent_bp=1000, combines_with=ALL, name="Ten"),
        rule(2, FREE_SHIPPING, SHIPPING, combines_with=ALL, name="Ship"),
        rule(3, FIXED_AMOUNT, ORDER, amount=1200, exclusive=True),
    ]
    result = evaluate(cart(line(0, 1, 1, 10000), shipping=495), rules)
    assert [a.rule_id for a in result.applied] == [1, 2]
    assert result.total == 1495
    assert missed(result, 3).message == "Cannot be combined with Ten, Ship."


def test_combining_needs_both_sides_to_list_the_other_class():
    # the product discount lists order, but the order discount does not list product
    rules = [rule(1, PERCENTAGE, percent_bp=1000, combines_with={ORDER}), rule(2, FIXED_AMOUNT, ORDER, amount=900, combines_with=set())]
    result = evaluate(cart(line(0, 1, 1, 10000)), rules)
    assert [a.rule_id for a in result.applied] == [1]
    assert missed(result, 2).reason == "not_combinable"


def test_ties_go_to_fewer_promotions_then_to_the_smallest_ids():
    # 10.00 alone (rule 5) against 5.00 + 5.00 (rules 1 and 2): same saving, fewer promotions wins
    rules = [
        rule(1, FIXED_AMOUNT, amount=500, combines_with={PRODUCT}),
        rule(2, FIXED_AMOUNT, amount=500, combines_with={PRODUCT}),
        rule(5, FIXED_AMOUNT, ORDER, amount=1000),
    ]
    assert [a.rule_id for a in evaluate(cart(line(0, 1, 1, 10000)), rules).applied] == [5]
    # two exclusive promotions saving the same: the smaller id
    twins = [rule(4, FIXED_AMOUNT, amount=500, exclusive=True), rule(3, FIXED_AMOUNT, amount=500, exclusive=True)]
    assert [a.rule_id for a in evaluate(cart(line(0, 1, 1, 10000)), twins).applied] == [3]


def test_line_amounts_are_keyed_by_the_callers_line_index():
    # lines given out of product order, with indexes of the caller's own
    lines = [line(7, 9, 1, 1000), line(3, 1, 1, 2000)]
    result = evaluate(cart(*lines), [rule(1, PERCENTAGE, percent_bp=1000, product_ids={9})])
    assert applied(result, 1).line_amounts == {7: 100}


def test_equal_remainders_do_not_depend_on_the_order_of_the_lines():
    # the odd cent goes to the lower product id, wherever the line sits in the cart
    forward = evaluate(cart(line(0, 1, 1, 1000), line(1, 2, 1, 1000)), [rule(1, FIXED_AMOUNT, ORDER, amount=101)])
    backward = evaluate(cart(line(0, 2, 1, 1000), line(1, 1, 1, 1000)), [rule(1, FIXED_AMOUNT, ORDER, amount=101)])
    assert applied(forward, 1).line_amounts == {0: 51, 1: 50}
    assert applied(backward, 1).line_amounts == {0: 50, 1: 51}


# --- coupons -----------------------------------------------------------------------------------


COUPON_RULE = {"percent_bp": 1000, "requires_coupon": True, "combines_with": ALL}


def test_a_coupon_unlocks_its_promotion_case_insensitively():
    result = evaluate(cart(line(0, 1, 1, 2000), coupons=[CouponInfo("  spring10 ", promotion_id=1)]), [rule(1, PERCENTAGE, **COUPON_RULE)])
    assert verdict(result, "SPRING10").accepted
    assert verdict(result, "SPRING10").rule_id == 1
    assert applied(result, 1).code == "SPRING10"


@pytest.mark.parametrize(
    ("info", "customer", "reason", "message"),
    [
        (CouponInfo("NOPE"), 5, "coupon_unknown", "The code NOPE is not known."),
        (CouponInfo("NOPE", promotion_id=1, invalidated=True), 5, "coupon_invalidated", "The code NOPE is no longer valid."),
        (CouponInfo("NOPE", promotion_id=1, expires_at=NOW - datetime.timedelta(seconds=1)), 5, "coupon_expired",
         "The code NOPE has expired."),
        (CouponInfo("NOPE", promotion_id=1, uses_left=0), 5, "coupon_exhausted", "The code NOPE has been used up."),
        (CouponInfo("NOPE", promotion_id=1, assigned_to_id=6), 5, "coupon_not_yours", "The code NOPE belongs to another customer."),
        (CouponInfo("NOPE", promotion_id=1, assigned_to_id=6), None, "coupon_not_yours",
         "The code NOPE is for a customer account: log in or sign up to use it."),
        (CouponInfo("NOPE", promotion_id=42), 5, "coupon_not_applicable", "The offer of the code NOPE is not active."),
    ],
)
def test_coupon_refusals_of_the_code_itself(info, customer, reason, message):
    result = evaluate(cart(line(0, 1, 1, 2000), customer=customer, coupons=[info]), [rule(1, PERCENTAGE, **COUPON_RULE)])
    refused = verdict(result, "NOPE")
    assert (refused.accepted, refused.reason, refused.message) == (False, reason, message)
    assert result.applied == ()
    assert missed(result, 1).reason == "coupon_required"


def test_a_coupon_assigned_to_the_customer_is_accepted():
    result = evaluate(cart(line(0, 1, 1, 2000), customer=6, coupons=[CouponInfo("MINE", 1, assigned_to_id=6, uses_left=1)]),
                      [rule(1, PERCENTAGE, **COUPON_RULE)])
    assert verdict(result, "MINE").accepted


def test_a_coupon_is_valid_until_its_expiry_instant():
    just_before = [CouponInfo("LAST", 1, expires_at=NOW + datetime.timedelta(seconds=1))]
    assert verdict(evaluate(cart(line(0, 1, 1, 2000), coupons=just_before), [rule(1, PERCENTAGE, **COUPON_RULE)]), "LAST").accepted
    at_expiry = [CouponInfo("LAST", 1, expires_at=NOW)]
    refused = verdict(evaluate(cart(line(0, 1, 1, 2000), coupons=at_expiry), [rule(1, PERCENTAGE, **COUPON_RULE)]), "LAST")
    assert not refused.accepted and refused.reason == "coupon_expired"


def test_coupon_for_a_promotion_outside_its_window():
    later = rule(1, PERCENTAGE, valid_from=NOW + datetime.timedelta(days=1), **COUPON_RULE)
    early = evaluate(cart(line(0, 1, 1, 2000), coupons=[CouponInfo("SOON", 1)]), [later])
    assert (verdict(early, "SOON").reason, verdict(early, "SOON").message) == ("coupon_not_yet_valid", "The code SOON is not valid yet.")
    over = rule(1, PERCENTAGE, valid_to=NOW - datetime.timedelta(days=1), **COUPON_RULE)
    late = evaluate(cart(line(0, 1, 1, 2000), coupons=[CouponInfo("GONE", 1)]), [over])
    assert verdict(late, "GONE").reason == "coupon_expired"


def test_a_second_code_for_the_same_promotion_is_a_duplicate():
    coupons = [CouponInfo("FIRST", 1), CouponInfo("SECOND", 1)]
    result = evaluate(cart(line(0, 1, 1, 2000), coupons=coupons), [rule(1, PERCENTAGE, **COUPON_RULE)])
    assert verdict(result, "FIRST").accepted
    assert verdict(result, "SECOND").reason == "coupon_duplicate"
    assert verdict(result, "SECOND").message == "The code SECOND is for the same offer as FIRST."
    assert applied(result, 1).code == "FIRST"
    assert result.total == 200


def test_a_coupon_whose_conditions_fail_says_why_and_what_would_qualify():
    promo = rule(1, PERCENTAGE, min_subtotal=2500, **COUPON_RULE)
    result = evaluate(cart(line(0, 1, 1, 2000), coupons=[CouponInfo("MIN25", 1)]), [promo])
    refused = verdict(result, "MIN25")
    assert (refused.accepted, refused.reason) == (False, "coupon_not_applicable")
    assert refused.message == "The code MIN25 does not apply: Needs a subtotal of at least 25.00."
    assert refused.hint == "Spend 5.00 more"
    assert missed(result, 1).reason == "minimum_not_reached"


def test_a_coupon_beaten_by_a_better_offer_is_not_combinable():
    rules = [rule(1, PERCENTAGE, percent_bp=1000, requires_coupon=True), rule(2, PERCENTAGE, percent_bp=3000, name="Black Friday")]
    result = evaluate(cart(line(0, 1, 1, 2000), coupons=[CouponInfo("TEN", 1)]), rules)
    refused = verdict(result, "TEN")
    assert (refused.accepted, refused.reason) == (False, "coupon_not_combinable")
    assert refused.message == "The code TEN cannot be combined with Black Friday."
    assert [a.rule_id for a in result.applied] == [2]


def test_several_codes_apply_when_their_promotions_combine():
    rules = [
        rule(1, PERCENTAGE, percent_bp=1000, requires_coupon=True, combines_with={SHIPPING}),
        rule(2, FREE_SHIPPING, SHIPPING, requires_coupon=True, combines_with={PRODUCT}),
    ]
    coupons = [CouponInfo("TEN", 1), CouponInfo("SHIP", 2)]
    result = evaluate(cart(line(0, 1, 1, 2000), shipping=495, coupons=coupons), rules)
    assert [v.accepted for v in result.coupons] == [True, True]
    assert {a.rule_id: a.code for a in result.applied} == {1: "TEN", 2: "SHIP"}
    assert result.total == 200 + 495


def test_every_promotion_is_accounted_for_once():
    rules = [rule(i, PERCENTAGE, percent_bp=100 * i, min_quantity=i) for i in range(1, 6)]
    result = evaluate(cart(line(0, 1, 3, 1000)), rules)
    ids = [a.rule_id for a in result.applied] + [n.rule_id for n in result.not_applied]
    assert sorted(ids) == [1, 2, 3, 4, 5]


def test_an_empty_cart_gets_nothing():
    result = evaluate(cart(), [rule(1, PERCENTAGE, ORDER, percent_bp=1000), rule(2, FREE_SHIPPING, SHIPPING)])
    assert result.applied == ()
    assert {n.reason for n in result.not_applied} == {"no_qualifying_items"}
