from decimal import Decimal

import pytest

from commerce.money import CurrencyMismatch, Money, round_amount


def test_money_rounds_to_the_currency_minor_unit():
    assert Money.of("10.005", "EUR").amount == Decimal("10.01")
    assert Money.of("10.5", "JPY").amount == Decimal("11")
    assert str(Money.of("1234.5", "EUR")) == "1,234.50 EUR"


def test_money_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")
    with pytest.raises(ValueError):
        Money.of("1", "XXX")


def test_money_arithmetic_keeps_currency():
    a, b = Money.of("3.10", "EUR"), Money.of("1.05", "EUR")
    assert a + b == Money.of("4.15", "EUR")
    assert a - b == Money.of("2.05", "EUR")
    assert a * 3 == Money.of("9.30", "EUR")
    assert (b * Decimal("0.5")).amount == Decimal("0.53")  # half up on 0.525, as Money.of rounds
    with pytest.raises(CurrencyMismatch):
        a + Money.of("1", "USD")
    with pytest.raises(TypeError):
        a * a


@pytest.mark.parametrize(
    "total, weights, expected",
    [
        ("10.00", [1, 1, 1], ["3.34", "3.33", "3.33"]),
        ("0.05", [3, 1], ["0.04", "0.01"]),
        ("100", [0, 0], ["0.00", "0.00"]),
        ("7.00", [Decimal("2.50"), Decimal("7.50")], ["1.75", "5.25"]),
    ],
)
def test_allocate_shares_add_up_exactly(total, weights, expected):
    shares = Money.of(total, "EUR").allocate(weights)
    assert [str(s.amount) for s in shares] == expected
    if any(weights):
        assert sum((s.amount for s in shares), Decimal(0)) == Money.of(total, "EUR").amount


# --- one rounding rule: half up to the currency's minor unit, everywhere ----------------------------
@pytest.mark.parametrize(
    "amount, factor, currency, expected",
    [
        ("1.05", "0.5", "EUR", "0.53"),  # 0.525: half up, not to even (0.52)
        ("1.15", "0.5", "EUR", "0.58"),  # 0.575
        ("0.25", "0.5", "EUR", "0.13"),  # 0.125
        ("5", "0.5", "JPY", "3"),  # 2.5 yen: half up to whole yen (banker's would give 2)
        ("7", "0.5", "JPY", "4"),  # 3.5
        ("-1.05", "0.5", "EUR", "-0.53"),  # away from zero on negatives too
    ],
)
def test_money_multiplication_rounds_half_up_to_the_minor_unit(amount, factor, currency, expected):
    product = Money.of(amount, currency) * Decimal(factor)
    assert product.amount == Decimal(expected)
    assert product == Money.of(Decimal(amount) * Decimal(factor), currency)  # the same rule as Money.of


def test_money_share_of_rounds_half_up_in_the_currency():
    # a part of an amount (a partial refund of 1 of 3 units, a line's share): the currency's unit
    assert Money.of("1000", "JPY").share(1, 3) == Money.of("333", "JPY")
    assert Money.of("1000", "JPY").share(2, 3) == Money.of("667", "JPY")
    assert Money.of("10.00", "EUR").share(1, 3) == Money.of("3.33", "EUR")
    assert Money.of("0.05", "EUR").share(1, 2) == Money.of("0.03", "EUR")  # 0.025 half up
    assert Money.of("5", "JPY").share(1, 2) == Money.of("3", "JPY")  # 2.5 half up
    with pytest.raises(ValueError):
        Money.of("1", "EUR").share(1, 0)


def test_round_amount_is_the_one_rule():
    assert round_amount(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_amount(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert round_amount(Decimal("-0.125"), "EUR") == Decimal("-0.13")
    assert Money.of("2.5", "JPY").amount == round_amount(Decimal("2.5"), "JPY")


def test_money_rounded_has_no_other_rounding_mode():
    # one rule: callers cannot choose banker's rounding (or any other) for money
    with pytest.raises(TypeError):
        Money(Decimal("0.525"), "EUR").rounded("ROUND_HALF_EVEN")
    assert Money(Decimal("0.525"), "EUR").rounded().amount == Decimal("0.53")
    assert Money(Decimal("2.5"), "JPY").rounded().amount == Decimal("3")
