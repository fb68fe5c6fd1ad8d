from decimal import Decimal

import pytest

from commerce.money import CurrencyMismatch, Money


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
    assert (b * Decimal("0.5")).amount == Decimal("0.52")  # banker's rounding on 0.525
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
