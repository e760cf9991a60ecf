"""Forecast accuracy on price levels, always beside the naive "tomorrow = today" baseline.

- rel. MAE = MAE / naive's MAE on the same days (naive = 1; below 1 beats it). It is what the
  benchmark harness calls MASE.
- MASE (Hyndman and Koehler, 2006) = MAE / the in-sample one-step naive MAE of the training
  span, every day-to-day move of it counted (as utilsforecast's `mase`): it also says how large
  the errors are against a typical day's move.
- Directional accuracy counts rows where the actual close moved; a predicted change of
  exactly zero is a miss.
Pooling over tickers and the significance tests are in compare.py and significance.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, kw_only=True)
class Score:
    """One forecaster's accuracy on n rows (None where undefined, e.g. no rows or no moves)."""

    n: int = 0
    mae: float | None = None
    rmse: float | None = None
    mape: float | None = None  # percent
    rel_mae: float | None = None  # MAE / naive MAE on the same rows (pooled: compare.py)
    mase: float | None = None  # MAE / in-sample one-step naive MAE of the training span
    diracc: float | None = None  # percent of moved rows whose direction was right
    diracc_n: int = 0  # rows that moved
    skill: float | None = None  # percent: 100 * (1 - rel. MAE)


def naive_scale(close: np.ndarray, prev_close: np.ndarray) -> float | None:
    """Mean absolute one-day change over a training span's rows (the MASE denominator): each
    row's close against the close before it, the span's first move included."""
    moves = np.abs(np.asarray(close, np.float64) - np.asarray(prev_close, np.float64))
    return float(moves.mean()) if len(moves) and moves.mean() > 0 else None


def score(
    pred: np.ndarray, actual: np.ndarray, naive: np.ndarray, scale: float | None = None
) -> Score:
    """MAE, RMSE, MAPE %, rel. MAE, MASE, directional accuracy % and skill %, with counts."""
    n = int(len(actual))
    if n == 0:
        return Score()
    err = pred - actual
    mae = float(np.mean(np.abs(err)))
    naive_mae = float(np.mean(np.abs(naive - actual)))
    moved = actual != naive
    hits = np.sign(pred - naive)[moved] == np.sign(actual - naive)[moved]
    rel = mae / naive_mae if naive_mae > 0 else None
    return Score(
        n=n,
        mae=mae,
        rmse=float(np.sqrt(np.mean(err**2))),
        mape=float(100 * np.mean(np.abs(err) / np.abs(actual))),
        rel_mae=rel,
        mase=mae / scale if scale else None,
        diracc=None if np.all(pred == naive) or not moved.any() else float(100 * hits.mean()),
        diracc_n=int(moved.sum()),
        skill=None if rel is None else 100 * (1 - rel),
    )


def interval_score(
    lo: np.ndarray, hi: np.ndarray, actual: np.ndarray, level: float, scale: float | None
) -> float | None:
    """Mean scaled interval score (MSIS, Gneiting and Raftery's Winkler score over the MASE
    scale): the width, plus 2 / (1 - level) times any miss. Lower is better; a band cannot win
    by being wide."""
    if not len(actual) or not scale:
        return None
    alpha = 1 - level
    miss = np.maximum(lo - actual, 0) + np.maximum(actual - hi, 0)
    return float(np.mean((hi - lo) + (2 / alpha) * miss) / scale)
