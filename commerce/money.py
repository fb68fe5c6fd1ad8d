"""Money: a Decimal amount with an ISO 4217 currency, rounded to the currency's minor unit.

No floats anywhere: constructing Money from a float is refused.

One rounding rule for money everywhere: half up (away from zero on a tie) to the currency's minor
unit (``MINOR_UNITS``: cents for EUR, whole yen for JPY). ``Money.of``, ``Money * x``,
``Money.share`` (a part of an amount, as a partial refund is) and ``round_amount`` (for a bare
Decimal, e.g. an average) all use it; no caller chooses another mode or hard-codes 0.01.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

# Minor-unit exponents (ISO 4217) of the currencies the shop can price in.
MINOR_UNITS = {
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2,
    "CAD": 2, "AUD": 2, "NZD": 2, "BRL": 2, "MXN": 2, "INR": 2, "CNY": 2, "ZAR": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
#: the one rounding mode of money (see the module's docstring)
ROUNDING = ROUND_HALF_UP


class CurrencyMismatch(ValueError):
    pass


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def minor_unit(currency: str) -> Decimal:
    try:
        exponent = MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(f"Unknown currency {currency!r}") from None
    return Decimal(1).scaleb(-exponent)


def round_amount(amount, currency: str) -> Decimal:
    """``amount`` rounded half up to ``currency``'s minor unit: the one rounding rule of money."""
    return _to_decimal(amount).quantize(minor_unit(currency), rounding=ROUNDING)


def _to_decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money amounts must not be floats; pass a Decimal, int or str")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f"Not a decimal amount: {value!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "amount", _to_decimal(self.amount))
        minor_unit(self.currency)  # validates the currency

    @classmethod
    def of(cls, amount, currency: str | None = None) -> Money:
        """Money rounded (half up) to the currency's minor unit."""
        currency = currency or default_currency()
        return cls(round_amount(amount, currency), currency)

    @classmethod
    def zero(cls, currency: str | None = None) -> Money:
        return cls.of(0, currency)

    def rounded(self) -> Money:
        return Money(round_amount(self.amount, self.currency), self.currency)

    def _check(self, other) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor) -> Money:
        if isinstance(factor, Money):
            raise TypeError("Cannot multiply Money by Money")
        return Money(self.amount * _to_decimal(factor), self.currency).rounded()

    __rmul__ = __mul__

    def share(self, part: int, whole: int) -> Money:
        """``part / whole`` of this amount, rounded by the one rule (e.g. 1 of 3 units of a line)."""
        if whole <= 0 or part < 0:
            raise ValueError("share needs 0 <= part and 0 < whole")
        return Money(self.amount * part / whole, self.currency).rounded()

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def allocate(self, weights: list) -> list[Money]:
        """Split into shares proportional to ``weights`` whose minor units add up exactly.

        Largest-remainder method: used to spread an order-level discount over the lines.
        """
        weights = [_to_decimal(w) for w in weights]
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")
        total_weight = sum(weights, Decimal(0))
        unit = minor_unit(self.currency)
        total_units = int((self.amount / unit).to_integral_value(rounding=ROUNDING))
        if total_weight == 0:
            return [Money.zero(self.currency) for _ in weights]
        raw = [Decimal(total_units) * w / total_weight for w in weights]
        floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
        remainder = total_units - sum(floors)
        order = sorted(range(len(weights)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
        for i in order[:remainder]:
            floors[i] += 1
        return [Money(Decimal(units) * unit, self.currency) for units in floors]

    def __str__(self) -> str:
        return f"{self.rounded().amount:,} {self.currency}"

    def as_dict(self) -> dict:
        return {"amount": str(self.rounded().amount), "currency": self.currency}
