"""Split-conformal prediction intervals for the close, from validation residuals.

The residual is |log(actual close / predicted close)| one step ahead. For a level a and n
residuals, the half-width is the k-th smallest residual, k = ceil((n + 1) a): the textbook split
conformal quantile, which covers at least a of new outcomes on exchangeable data. When k > n
the interval is infinite: stored as None and refused when asked for. Over a horizon, step h
uses q_a * sqrt(h): errors of a recursive forecast compound like a random walk's.

The residuals come from the validation span that also chose the early-stopping epoch, a mild
optimism (the chosen epoch fits that span a little better than new days), stated in the README.
"""

from __future__ import annotations

import math

import numpy as np

from stockrnn.errors import UsageError
from stockrnn.limits import LEVELS, check_level


def kth(n: int, level: float) -> int:
    """The rank (1-based) of the conformal quantile among n sorted residuals."""
    return math.ceil((n + 1) * level - 1e-9)


def calibrate(residuals: np.ndarray) -> list[float | None]:
    """Half-widths (log space) for every level in LEVELS; None where k > n (infinite)."""
    ordered = np.sort(np.asarray(residuals, np.float64))
    n = len(ordered)
    return [float(ordered[k - 1]) if (k := kth(n, lv)) <= n else None for lv in LEVELS]


def half_width(quantiles: list[float | None], level: float) -> float | None:
    """The stored half-width for `level` (0.5 to 0.99, in steps of 0.01); None if infinite."""
    return quantiles[LEVELS.index(check_level(level))]


def require(width: float | None, level: float, n: int) -> float:
    """`width`, or a clear refusal: too few validation residuals for that level."""
    if width is None:
        need = math.ceil(level / (1 - level) - 1e-9)
        raise UsageError(
            f"a {level:.0%} interval needs at least {need} validation residuals; the model "
            f"has {n}: its interval would be infinite (ask for a lower --level)"
        )
    return width


def band(close: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds for (batch, steps) predicted closes."""
    steps = np.sqrt(np.arange(1, close.shape[-1] + 1))
    return close * np.exp(-width * steps), close * np.exp(width * steps)


def coverage(pred: np.ndarray, actual: np.ndarray, width: float) -> float:
    """Share of one-step forecasts whose interval holds the actual close."""
    return float(np.mean(np.abs(np.log(actual / pred)) <= width))
