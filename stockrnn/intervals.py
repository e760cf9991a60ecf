"""Split-conformal prediction intervals for the close, from validation residuals.

The residual is |log(actual close / predicted close)| one step ahead. For a level a, the
half-width q_a is the ceil((n + 1) a) / n empirical quantile of the validation residuals, which
gives at least a coverage on exchangeable data. Over a horizon, step h uses q_a * sqrt(h): errors
of a recursive forecast compound like a random walk's, so later days get wider bands.
"""

from __future__ import annotations

import numpy as np

from stockrnn.limits import LEVELS, check_level


def calibrate(residuals: np.ndarray) -> list[float]:
    """Half-widths (log space) for every level in LEVELS."""
    n = len(residuals)
    out = []
    for level in LEVELS:
        q = min(1.0, np.ceil((n + 1) * level) / n)
        out.append(float(np.quantile(residuals, q, method="higher")))
    return out


def half_width(quantiles: list[float], level: float) -> float:
    """The stored half-width for `level` (0.5 to 0.99, in steps of 0.01)."""
    return quantiles[LEVELS.index(check_level(level))]


def band(close: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds for (batch, steps) predicted closes."""
    steps = np.sqrt(np.arange(1, close.shape[-1] + 1))
    return close * np.exp(-width * steps), close * np.exp(width * steps)


def coverage(pred: np.ndarray, actual: np.ndarray, width: float) -> float:
    """Share of one-step forecasts whose interval holds the actual close."""
    return float(np.mean(np.abs(np.log(actual / pred)) <= width))
