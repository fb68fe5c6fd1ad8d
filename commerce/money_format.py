"""Money as people read it, in the back office, on pages and in messages: one formatter.

``str(Money)`` is the format (thousands separated, rounded to the currency's minor unit, the
currency after: ``1,234.50 EUR``); this module adds what the callers need around it, so that no app
keeps its own ``_money`` helper.
"""

from __future__ import annotations

from commerce.money import Money


def money_text(amount, currency: str | None = None, *, missing: str = "-") -> str:
    """An amount in ``currency`` (the shop's default when none) as text; ``missing`` when there is no amount."""
    if amount is None:
        return missing
    return str(Money.of(amount, currency))
