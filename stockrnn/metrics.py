"""Forecast accuracy on price levels, always beside the naive "tomorrow = today" baseline.

Definitions follow ../shared/bench/TASK.md: MASE = MAE / MAE of naive on the same rows
(so naive = 1 and < 1 beats it); directional accuracy counts rows where the actual close
moved, and a predicted change of exactly zero is a miss.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def score(pred: np.ndarray, actual: np.ndarray, naive: np.ndarray) -> dict[str, Any]:
    """MAE, RMSE, MAPE %, MASE, directional accuracy % and skill % vs naive, with counts."""
    n = int(len(actual))
    if n == 0:
        return {"n": 0}
    err = pred - actual
    mae = float(np.mean(np.abs(err)))
    naive_mae = float(np.mean(np.abs(naive - actual)))
    moved = actual != naive
    hits = np.sign(pred - naive)[moved] == np.sign(actual - naive)[moved]
    is_naive = bool(np.all(pred == naive))
    return {
        "n": n,
        "mae": mae,
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mape": float(100 * np.mean(np.abs(err) / np.abs(actual))),
        "mase": mae / naive_mae if naive_mae > 0 else None,
        "diracc": None if is_naive or not moved.any() else float(100 * hits.mean()),
        "diracc_n": int(moved.sum()),
        "skill": 100 * (1 - mae / naive_mae) if naive_mae > 0 else None,
    }


def compare(pred: np.ndarray, actual: np.ndarray, naive: np.ndarray) -> dict[str, Any]:
    """The model's scores and the naive baseline's on the same rows."""
    return {"model": score(pred, actual, naive), "naive": score(naive, actual, naive)}
