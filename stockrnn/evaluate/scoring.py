"""Scoring walk-forward forecasts: pooled comparisons per step, interval coverage per ticker
and step, and the lag-echo check. `backtest` and `tune` produce the forecasts; this scores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from stockrnn.evaluate import compare, metrics, significance
from stockrnn.evaluate.compare import Comparison

ECHO_RATIO = 0.1  # predicted moves this much smaller than actual ones count as an echo
ECHO_Z = 1.645  # moves whose correlation is under ECHO_Z / sqrt(n) (one-sided 5%) are noise


@dataclass(kw_only=True)
class Forecasts:
    """Forecasts from many origins, (origins, horizon) arrays; NaN actual = beyond the data."""

    symbol: str
    fold: int  # 1-based walk-forward fold (a saved model's one span: 1)
    origins: np.ndarray
    dates: pd.DatetimeIndex
    pred: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    drift: np.ndarray
    lo: np.ndarray  # the first level's band
    hi: np.ndarray
    scale: float | None = None  # in-sample one-step naive MAE of the training span (MASE)
    bands: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # per level

    def band(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        """The (lo, hi) band at `level` percent; lo/hi when only one band was made (bands
        empty). A level that was not computed is a KeyError, never another level's band."""
        return self.bands[level] if self.bands else (self.lo, self.hi)


@dataclass(frozen=True, kw_only=True)
class CoverageRow:
    """How often one ticker's interval held the actual close at one step."""

    ticker: str
    level: int  # nominal, in percent
    step: int
    n: int
    coverage: float | None
    msis: float | None  # mean scaled interval score (lower is better)


def score_step(results: list[Forecasts], step: int | None) -> Comparison:
    """Scores at one step (0-based; None: every step) over forecasts whose actual is known,
    pooled over tickers and folds by date (compare.py), tested with h = step + 1 (every
    step: h = the horizon, on each origin's mean over its steps)."""
    groups = []
    for r in results:
        cols = slice(None) if step is None else slice(step, step + 1)
        ahead = 0 if step is None else step + 1  # cluster on origin dates, or target dates
        at = np.minimum(r.origins + ahead, len(r.dates) - 1)
        groups.append(
            compare.Group(
                symbol=r.symbol,
                dates=r.dates[at].to_numpy(),
                pred=r.pred[:, cols],
                actual=r.actual[:, cols],
                naive=r.naive[:, cols],
                drift=r.drift[:, cols],
                lo=r.lo[:, cols],
                hi=r.hi[:, cols],
                scale=r.scale,
            )
        )
    h = (step + 1) if step is not None else (results[0].pred.shape[1] if results else 1)
    return compare.compare_groups(groups, h)


def by_ticker(results: list[Forecasts]) -> list[tuple[str, Comparison]]:
    """Every step of each ticker's forecasts, folds together, with Holm-adjusted tests."""
    symbols = sorted({r.symbol for r in results})
    rows = [score_step([r for r in results if r.symbol == s], None) for s in symbols]
    return list(zip(symbols, adjust(rows), strict=True))


def adjust(rows: list[Comparison]) -> list[Comparison]:
    """The rows with their tests Holm-adjusted as one family (both baselines, every row);
    a single row (the table's only one, its headline) is left as it is."""
    if len(rows) < 2:
        return rows
    tests = significance.adjusted([t for c in rows for t in (c.vs_naive, c.vs_drift)])
    return [
        replace(c, vs_naive=tests[2 * i], vs_drift=tests[2 * i + 1]) for i, c in enumerate(rows)
    ]


def coverage_rows(results: list[Forecasts], levels: tuple[int, ...]) -> list[CoverageRow]:
    """Coverage and interval score per ticker, level and step, over its folds' known actuals."""
    rows = []
    for symbol in sorted({r.symbol for r in results}):
        mine = [r for r in results if r.symbol == symbol]
        for level in levels:
            for step in range(mine[0].pred.shape[1]):
                rows.append(_coverage(mine, symbol, level, step))
    return rows


def _coverage(mine: list[Forecasts], symbol: str, level: int, step: int) -> CoverageRow:
    parts = []
    for r in mine:
        ok = ~np.isnan(r.actual[:, step])
        lo, hi = r.band(level)
        parts.append((lo[ok, step], hi[ok, step], r.actual[ok, step], r.scale))
    lo, hi, actual = (np.concatenate([p[i] for p in parts]) for i in range(3))
    scores = [metrics.interval_score(*p[:3], level / 100, p[3]) for p in parts if len(p[2])]
    known = [v for v in scores if v is not None]
    return CoverageRow(
        ticker=symbol,
        level=level,
        step=step + 1,
        n=len(actual),
        coverage=float(np.mean((lo <= actual) & (actual <= hi))) if len(actual) else None,
        msis=float(np.mean(known)) if known and len(known) == len(scores) else None,
    )


def lag_echo(results: list[Forecasts]) -> list[str]:
    """Plain-words warnings when one-step forecasts carry yesterday's close forward.

    Judged on moves, not levels (levels correlate for any forecast near the last close):
    the median predicted move against the median actual one, and the correlation of the
    predicted moves with the actual ones.
    """
    warnings = []
    folds = {s: sum(r.symbol == s for r in results) for s in {r.symbol for r in results}}
    for r in results:
        ok = ~np.isnan(r.actual[:, 0])
        pred_move = r.pred[ok, 0] - r.naive[ok, 0]
        real_move = r.actual[ok, 0] - r.naive[ok, 0]
        if len(pred_move) < 10:
            continue
        tag = f"{r.symbol}" + (f" fold {r.fold}" if folds[r.symbol] > 1 else "")
        ratio, corr = echo_stats(pred_move, real_move)
        if ratio < ECHO_RATIO:
            tracks = corr >= ECHO_Z / np.sqrt(len(pred_move))
            warnings.append(
                f"{tag}: the predicted moves are small (the median is {100 * ratio:.0f}% of the "
                "median actual move), so the forecast stays close to yesterday's close"
                + (
                    f"; their direction does track the actual moves (correlation {corr:.2f})"
                    if tracks
                    else ""
                )
            )
        elif corr < ECHO_Z / np.sqrt(len(pred_move)):
            warnings.append(
                f"{tag}: the predicted moves are unrelated to the actual ones "
                f"(correlation {corr:.3f}, not significant over {len(pred_move)} days): "
                "the forecast adds noise to yesterday's close"
            )
    return warnings


def echo_stats(pred_move: np.ndarray, real_move: np.ndarray) -> tuple[float, float]:
    """(median |predicted move| / median |actual move|, correlation of the moves)."""
    real = float(np.median(np.abs(real_move)))
    ratio = float(np.median(np.abs(pred_move))) / real if real > 0 else 0.0
    if np.std(pred_move) == 0 or np.std(real_move) == 0:
        return ratio, 0.0
    return ratio, float(np.corrcoef(pred_move, real_move)[0, 1])


@dataclass(frozen=True, kw_only=True)
class OneStep:
    """One-step forecasts for one part (val or test) of every series, aligned by row: the
    rows run one series after another."""

    symbol: np.ndarray  # (n,) ticker of each row
    dates: np.ndarray  # (n,) target dates
    pred: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    sigma: np.ndarray  # (n,) recent volatility at each origin (intervals.origin_sigma)
    sizes: list[int]  # rows of each series, in order: they run one series after another

    def blocks(self) -> list[slice]:
        """Each series' rows."""
        ends = np.cumsum(self.sizes, dtype=int)
        return [slice(int(e - n), int(e)) for e, n in zip(ends, self.sizes, strict=True)]
