"""Diebold-Mariano tests of equal mean absolute error, and Holm's adjustment for many of them.

The test (Diebold and Mariano, 1995, with the Harvey, Leybourne and Newbold, 1997, small-sample
correction) on a loss-differential series d_1..d_n of h-step forecasts:
- the long-run variance is the rectangular ("acf") estimate gamma_0 + 2 * sum(gamma_k,
  k = 1..h-1), the autocovariances divided by n: the estimator HLN's correction was derived
  for, and the `dieboldmariano` package's default;
- when that estimate is not positive, the Bartlett (Newey-West) estimate with bandwidth h,
  gamma_0 + 2 * sum((1 - k/(h+1)) * gamma_k, k = 1..h), which always is; the result says so;
- statistic = sqrt((n + 1 - 2h + h(h-1)/n) / n) * mean(d) / sqrt(variance / n), two-sided
  p-value from Student's t with n - 1 degrees of freedom.
Callers hand in one value per independent-enough observation: a per-origin average over the
horizon's steps, or a per-date average over tickers (see compare.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from stockrnn.evaluate import student

LEVEL = 0.05  # significance level for the plain-words verdicts
ACF, BARTLETT = "acf", "bartlett"


@dataclass(frozen=True, kw_only=True)
class Significance:
    """A Diebold-Mariano (HLN) test of equal mean absolute error against one baseline."""

    statistic: float | None  # negative: the model's errors are smaller
    p_value: float | None  # two-sided
    n: int  # observations tested (origins, or dates when pooled over tickers)
    h: int  # forecast horizon the variance allows for
    estimator: str = ACF  # acf, or bartlett where the acf estimate was not positive
    p_adjusted: float | None = None  # Holm-adjusted within its table's family of tests
    family: int = 1  # tests in that family (1: a test on its own, not adjusted)

    @property
    def significant(self) -> bool:
        """At LEVEL, after the family's adjustment when it has one."""
        p = self.p_adjusted if self.family > 1 else self.p_value
        return p is not None and p < LEVEL

    def words(self, baseline: str) -> str:
        if self.p_value is None or self.statistic is None:
            return f"no test against {baseline} (too few forecasts, or identical errors)"
        shown = f"DM p = {self.p_value:.3g}"
        if self.family > 1 and self.p_adjusted is not None:
            shown += f", Holm-adjusted over {self.family} tests {self.p_adjusted:.3g}"
        if not self.significant:
            return f"not significantly different from {baseline} at 5% ({shown})"
        side = "better" if self.statistic < 0 else "worse"
        return f"significantly {side} than {baseline} at 5% ({shown})"


def dm_test(d: np.ndarray, h: int = 1) -> Significance:
    """The test of mean(d) = 0 for the loss differentials `d` (model minus baseline)."""
    d = np.asarray(d, np.float64)
    n = len(d)
    if n < 3 or h >= n:
        return Significance(statistic=None, p_value=None, n=n, h=h)
    mean = float(d.mean())
    dev = d - mean
    gamma = [float(dev[k:] @ dev[: n - k]) / n for k in range(min(h, n - 1) + 1)]
    var, estimator = gamma[0] + 2 * sum(gamma[1:h]), ACF
    if var <= 0:
        var = gamma[0] + 2 * sum((1 - k / (h + 1)) * g for k, g in enumerate(gamma) if k)
        estimator = BARTLETT
    if var <= 0:
        return Significance(statistic=None, p_value=None, n=n, h=h)
    hln = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    stat = float(hln * mean / np.sqrt(var / n))
    p = student.two_sided(stat, n - 1)
    return Significance(statistic=stat, p_value=p, n=n, h=h, estimator=estimator)


def diebold_mariano(loss_model: np.ndarray, loss_base: np.ndarray, h: int = 1) -> Significance:
    """The test on two aligned loss series."""
    return dm_test(np.asarray(loss_model, np.float64) - np.asarray(loss_base, np.float64), h)


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (family-wise error), over the values that are not None."""
    known = [(p, i) for i, p in enumerate(p_values) if p is not None]
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(known)):
        running = max(running, min(1.0, (len(known) - rank) * p))
        out[i] = running
    return out


def adjusted(tests: list[Significance | None]) -> list[Significance | None]:
    """The tests with their Holm-adjusted p-values and the family's size filled in."""
    p = holm([t.p_value if t is not None else None for t in tests])
    family = sum(v is not None for v in p)
    return [
        None if t is None else replace(t, p_adjusted=q, family=family)
        for t, q in zip(tests, p, strict=True)
    ]
