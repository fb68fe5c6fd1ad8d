"""The statistics of an A/B test, pure: a proportion's Wilson score interval, the two-proportion z-test
against the control, and the sample size a variant needs to detect a given relative change.

The unit is a list seen: a list clicked (click-through) or one that led to a purchase (conversion)
is a success. Lists of one shopper are not independent, so the intervals are somewhat narrower than
the truth; the README says so.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()


def z_value(confidence: float) -> float:
    """The two-sided normal quantile (1.96 for 0.95)."""
    return _NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def wilson(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``n`` (None when n is 0)."""
    if n <= 0:
        return None
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def p_value(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test (None when it cannot be computed)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return None
    z = (x2 / n2 - x1 / n1) / spread
    return 2 * (1 - _NORMAL.cdf(abs(z)))


def sample_size(baseline: float, relative_effect: float, *, alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Lists seen each arm needs so a change of ``relative_effect`` (0.1: +10 %) from ``baseline`` is
    found with this power at this significance (two-sided): the two-proportion formula. None when
    the baseline is 0 or 1, or the changed rate leaves (0, 1)."""
    p1 = baseline
    p2 = baseline * (1 + relative_effect)
    if not 0 < p1 < 1 or not 0 < p2 < 1 or p1 == p2:
        return None
    z_alpha, z_beta = z_value(1 - alpha), _NORMAL.inv_cdf(power)
    mean = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root * root / (p1 - p2) ** 2)
