"""Exact arithmetic in minor units and basis points, and the texts of amounts, percentages and units."""

from __future__ import annotations

from promotions.engine.types import _FULL, Rule

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
