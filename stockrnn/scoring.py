"""Scoring walk-forward forecasts: pooled comparisons per step, interval coverage per ticker
and step, and the lag-echo check. `backtest` and `tune` produce the forecasts; this scores them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockrnn import metrics
from stockrnn.metrics import Comparison

ECHO_RATIO = 0.1  # predicted moves this much smaller than actual ones count as an echo
ECHO_Z = 1.645  # moves whose correlation is under ECHO_Z / sqrt(n) (one-sided 5%) are noise


@dataclass
class Forecasts:
    """Forecasts from many origins, (origins, horizon) arrays; NaN actual = beyond the data."""

    symbol: str
    fold: int  # 0 for a saved model
    origins: np.ndarray
    dates: pd.DatetimeIndex
    pred: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    drift: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    scale: float | None = None  # in-sample one-step naive MAE of the training span (MASE)


@dataclass
class CoverageRow:
    """How often one ticker's interval held the actual close at one step."""

    ticker: str
    step: int
    n: int
    coverage: float | None
    msis: float | None  # mean scaled interval score (lower is better)


def score(results: list[Forecasts], step: int | None) -> Comparison:
    """Scores at one step (None: every step) over forecasts whose actual is known, pooled
    scale-free over tickers and folds, with DM tests allowing for `step`-day overlap."""

    def pick(r: Forecasts, name: str) -> np.ndarray:
        a: np.ndarray = getattr(r, name)  # (origins, horizon)
        return a.ravel() if step is None else a[:, step]

    groups = []
    for r in results:
        ok = ~np.isnan(pick(r, "actual"))
        v = {n: pick(r, n)[ok] for n in ("pred", "actual", "naive", "drift", "lo", "hi")}
        groups.append(
            metrics.Group(
                v["pred"], v["actual"], v["naive"], v["drift"], (v["lo"], v["hi"]), r.scale
            )
        )
    h = (step + 1) if step is not None else (results[0].pred.shape[1] if results else 1)
    return metrics.compare_groups(groups, h)


def coverage_rows(results: list[Forecasts], level: float) -> list[CoverageRow]:
    """Coverage and interval score per ticker and step, over its folds' known actuals."""
    rows = []
    for symbol in sorted({r.symbol for r in results}):
        mine = [r for r in results if r.symbol == symbol]
        for step in range(mine[0].pred.shape[1]):
            parts = []
            for r in mine:
                ok = ~np.isnan(r.actual[:, step])
                parts.append((r.lo[ok, step], r.hi[ok, step], r.actual[ok, step], r.scale))
            lo, hi, actual = (np.concatenate([p[i] for p in parts]) for i in range(3))
            scores = [metrics.interval_score(*p[:3], level, p[3]) for p in parts if len(p[2])]
            known = [v for v in scores if v is not None]
            rows.append(
                CoverageRow(
                    symbol,
                    step + 1,
                    len(actual),
                    float(np.mean((lo <= actual) & (actual <= hi))) if len(actual) else None,
                    float(np.mean(known)) if known and len(known) == len(scores) else None,
                )
            )
    return rows


def lag_echo(results: list[Forecasts]) -> list[str]:
    """Plain-words warnings when one-step forecasts carry yesterday's close forward.

    Judged on moves, not levels (levels correlate for any forecast near the last close):
    the median predicted move against the median actual one, and the correlation of the
    predicted moves with the actual ones.
    """
    warnings = []
    for r in results:
        ok = ~np.isnan(r.actual[:, 0])
        pred_move = r.pred[ok, 0] - r.naive[ok, 0]
        real_move = r.actual[ok, 0] - r.naive[ok, 0]
        if len(pred_move) < 10:
            continue
        tag = f"{r.symbol}" + (f" fold {r.fold}" if r.fold else "")
        ratio, corr = echo_stats(pred_move, real_move)
        if ratio < ECHO_RATIO:
            warnings.append(
                f"{tag}: the forecasts are mostly yesterday's close carried forward "
                f"(median predicted move is {100 * ratio:.0f}% of the median actual move)"
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
