"""Split-conformal prediction intervals for the close, from validation residuals.

Normalised by recent volatility: the residual is |log(actual close / predicted close)| one
step ahead divided by the standard deviation of the last VOL_DAYS daily log returns known at
the forecast's origin, so a quiet validation span does not give a stormy test span narrow
bands (nor the reverse). A band is then pred * exp(+-q_h * sigma_origin), q_h from step h's
own residuals.

For a level a and n residuals, the half-width is the k-th smallest residual,
k = ceil((n + 1) a): the textbook split conformal quantile, which covers at least a of new
outcomes on exchangeable data. When k > n the interval is infinite: stored as None and refused
when asked for. Each step h = 1..CAL_STEPS is calibrated on its own h-step validation
residuals (every target inside the validation span); beyond that, the last calibrated step is
widened by sqrt(h / CAL_STEPS), as a random walk's errors grow.

The residuals come from the validation span that also chose the early-stopping epoch, a mild
optimism (the chosen epoch fits that span a little better than new days), stated in the README.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from stockrnn.common.choices import IntervalMethod
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import LEVELS, check_level

VOL_DAYS = 20  # days of returns behind each origin's volatility
CAL_STEPS = 10  # steps calibrated on their own residuals
MIN_SIGMA = 1e-4  # a flat stretch (a halted stock) still gets a band
# Validation origins calibrated at most: each costs CAL_STEPS forecasts, which for a universe
# of tickers dominates a CPU training's time after the epochs. Overlapping h-step paths from
# neighbouring days carry nearly the same residual, so an evenly thinned set loses little
# (bench/calibration.py measures both).
CAL_ORIGINS = 8192


def band_names(levels: Iterable[int]) -> list[str]:
    """The interval columns, as statsforecast and neuralforecast name them: lo-80, hi-80, ..."""
    return [f"{side}-{level}" for level in levels for side in ("lo", "hi")]


def origin_sigma(close_rel: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Std of the daily close log returns over the VOL_DAYS rows up to each origin (known
    there: no look-ahead); fewer rows at the start of a series."""
    x = np.asarray(close_rel, np.float64)
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])
    hi = np.asarray(origins) + 1
    lo = np.maximum(hi - VOL_DAYS, 0)
    n = np.maximum(hi - lo, 1)
    mean = (c1[hi] - c1[lo]) / n
    var = np.maximum((c2[hi] - c2[lo]) / n - mean * mean, 0.0)
    return np.asarray(np.maximum(np.sqrt(var), MIN_SIGMA))


def origin_scale(method: IntervalMethod, close_rel: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """What residuals are divided by and widths multiplied by at each origin: the recent
    volatility (`vol`, the default), or 1 (`fixed`: the unnormalised method, kept to compare)."""
    if method == IntervalMethod.fixed:
        return np.ones(len(origins))
    return origin_sigma(close_rel, origins)


def conformal_rank(n: int, level: float) -> int:
    """The rank (1-based) of the conformal quantile among n sorted residuals."""
    return math.ceil((n + 1) * level - 1e-9)


def calibrate(residuals: np.ndarray) -> list[float | None]:
    """Half-widths (log space) for every level in LEVELS; None where k > n (infinite)."""
    ordered = np.sort(np.asarray(residuals, np.float64))
    n = len(ordered)
    return [float(ordered[k - 1]) if (k := conformal_rank(n, lv)) <= n else None for lv in LEVELS]


def half_width(quantiles: list[float | None], level: float) -> float | None:
    """The stored half-width for `level` (0.5 to 0.99, in steps of 0.01); None if infinite."""
    return quantiles[LEVELS.index(check_level(level))]


def finite_width_or_refuse(width: float | None, level: float, n: int) -> float:
    """`width`, or a clear refusal: too few validation residuals for that level."""
    if width is None:
        need = math.ceil(level / (1 - level) - 1e-9)
        raise UsageError(
            f"a {level:.0%} interval needs at least {need} validation residuals; the model "
            f"has {n}: its interval would be infinite (ask for a lower --level)"
        )
    return width


def step_widths(
    by_step: list[list[float | None]], level: float, steps: int, counts: list[int]
) -> np.ndarray:
    """(steps,) half-widths in units of volatility for steps 1..steps at `level`; refused
    with a clear message where a calibrated one is infinite."""
    idx = LEVELS.index(check_level(level))
    out = []
    for h in range(1, steps + 1):
        k = min(h, len(by_step))
        out.append(
            finite_width_or_refuse(by_step[k - 1][idx], level, counts[k - 1]) * math.sqrt(h / k)
        )
    return np.asarray(out)


def band(close: np.ndarray, sigma: np.ndarray, widths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds for (batch, steps) predicted closes: sigma (batch,) times widths (steps,)."""
    w = np.asarray(sigma, np.float64)[:, None] * np.asarray(widths, np.float64)[None, :]
    return close * np.exp(-w), close * np.exp(w)


def coverage(pred: np.ndarray, actual: np.ndarray, width: float | np.ndarray) -> float:
    """Share of one-step forecasts whose interval holds the actual close."""
    return float(np.mean(np.abs(np.log(actual / pred)) <= width))
