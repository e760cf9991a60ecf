"""Forecast accuracy on price levels, always beside the naive "tomorrow = today" baseline.

Definitions follow ../shared/bench/TASK.md: MASE = MAE / MAE of naive on the same rows
(so naive = 1 and < 1 beats it); directional accuracy counts rows where the actual close
moved, and a predicted change of exactly zero is a miss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Score:
    """One forecaster's accuracy on n rows (None where undefined, e.g. no rows or no moves)."""

    n: int = 0
    mae: float | None = None
    rmse: float | None = None
    mape: float | None = None  # percent
    mase: float | None = None  # MAE / naive MAE on the same rows
    diracc: float | None = None  # percent of moved rows whose direction was right
    diracc_n: int = 0  # rows that moved
    skill: float | None = None  # percent: 100 * (1 - MAE / naive MAE)


@dataclass(frozen=True)
class Comparison:
    """A model beside its baselines on the same rows, and its interval coverage if known."""

    model: Score
    naive: Score
    drift: Score | None = None
    coverage: float | None = None  # share of actuals inside the interval


def score(pred: np.ndarray, actual: np.ndarray, naive: np.ndarray) -> Score:
    """MAE, RMSE, MAPE %, MASE, directional accuracy % and skill % vs naive, with counts."""
    n = int(len(actual))
    if n == 0:
        return Score()
    err = pred - actual
    mae = float(np.mean(np.abs(err)))
    naive_mae = float(np.mean(np.abs(naive - actual)))
    moved = actual != naive
    hits = np.sign(pred - naive)[moved] == np.sign(actual - naive)[moved]
    is_naive = bool(np.all(pred == naive))
    return Score(
        n=n,
        mae=mae,
        rmse=float(np.sqrt(np.mean(err**2))),
        mape=float(100 * np.mean(np.abs(err) / np.abs(actual))),
        mase=mae / naive_mae if naive_mae > 0 else None,
        diracc=None if is_naive or not moved.any() else float(100 * hits.mean()),
        diracc_n=int(moved.sum()),
        skill=100 * (1 - mae / naive_mae) if naive_mae > 0 else None,
    )


def compare(
    pred: np.ndarray,
    actual: np.ndarray,
    naive: np.ndarray,
    drift: np.ndarray | None = None,
    band: tuple[np.ndarray, np.ndarray] | None = None,
) -> Comparison:
    """The model's scores, naive's (and drift's) on the same rows, and the band's coverage."""
    coverage = None
    if band is not None and len(actual):
        lo, hi = band
        coverage = float(np.mean((lo <= actual) & (actual <= hi)))
    return Comparison(
        score(pred, actual, naive),
        score(naive, actual, naive),
        None if drift is None else score(drift, actual, naive),
        coverage,
    )
