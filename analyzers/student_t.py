"""Student's t distribution: the CDF (for the alert tests) and the 97.5% quantile (for 95%
intervals). Pure Python; no scipy."""

from __future__ import annotations

import functools
import math
from typing import Final

__all__ = ["student_t_cdf", "t975"]

_MAX_DF = 10_000  # t(0.975) is 1.9602 here and 1.9600 at infinity: capping is conservative
_EPS: Final = 1e-15
_TINY: Final = 1e-300
_MAX_TERMS: Final = 10_000


def student_t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t distribution with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * _regularized_beta(df / (df + t * t), df / 2, 0.5)  # P(T ≤ −|t|)
    return tail if t < 0 else 1 - tail


@functools.lru_cache(maxsize=None)
def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom: the multiplier of a
    95% two-sided interval. Bisection on the CDF; ``df`` above 10,000 counts as 10,000."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, not {df}")
    df = min(df, _MAX_DF)
    low, high = 0.0, 1000.0
    for _ in range(80):
        mid = (low + high) / 2
        low, high = (mid, high) if student_t_cdf(mid, df) < 0.975 else (low, mid)
    return (low + high) / 2


def _regularized_beta(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b), by Lentz's continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The fraction converges fast only below the mean of the distribution; use the symmetry
    # I_x(a, b) = 1 − I_{1−x}(b, a) above it.
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(x, a, b) / a
    return 1 - math.exp(log_front) * _beta_fraction(1 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for x={x}, a={a}, b={b}")
