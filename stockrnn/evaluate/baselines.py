"""The two baselines every result stands beside: naive ("tomorrow = today") and drift.

Drift is the random walk with drift: the last close grown by the mean daily log return of the
closes before the scored span, so it never sees a day it is scored on.
"""

from __future__ import annotations

import numpy as np


def drift_rate(close_rel: np.ndarray, rows: int) -> float:
    """Mean daily log return of the close over the first `rows` feature rows (0 when none)."""
    return float(np.mean(close_rel[:rows])) if rows else 0.0


def forecasts(last: np.ndarray, mu: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(naive, drift) forecasts, each (origins, steps), from the origins' last closes."""
    last = np.asarray(last, np.float64)[:, None]
    naive = np.repeat(last, steps, axis=1)
    return naive, last * np.exp(mu * np.arange(1, steps + 1))
