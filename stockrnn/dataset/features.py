"""Price-level-free features: each day's OHLC(V) relative to the previous close, in logs.

Why: a scaler fitted on raw prices cannot forecast outside the training price range; on the
S&P 500, level-scaled LSTMs lose to naive by an order of magnitude where log-relative ones tie
it (docs/skill.md).
Row t of the feature matrix describes day t given day t-1's close, so the first bar has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockrnn.dataset.config import CLOSE


def missing_columns(frame: pd.DataFrame, names: list[str]) -> list[str]:
    """Features in `names` the data cannot supply (an all-zero volume counts as none)."""
    return ["volume"] if "volume" in names and (frame["volume"] <= 0).all() else []


def log_relative(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """(rows - 1, features) log ratios: price / previous close, volume / previous volume."""
    prev = frame["close"].to_numpy()[:-1]
    cols = []
    for name in names:
        now = frame[name].to_numpy()[1:]
        if name == "volume":
            vol = frame["volume"].to_numpy()
            cols.append(np.log1p(vol[1:]) - np.log1p(vol[:-1]))
        else:
            cols.append(np.log(now / prev))
    return np.stack(cols, axis=1)


def to_prices(last_close: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """Rebuild (batch, steps, 4) OHLC prices from (batch, steps, features) predicted log ratios.

    Each step is anchored to the previous step's predicted close; high and low are widened to
    bound open and close, since the head predicts each independently.
    """
    close = last_close[:, None] * np.exp(np.cumsum(rel[..., CLOSE], axis=1))  # (batch, steps)
    anchor = np.concatenate([last_close[:, None], close[:, :-1]], axis=1)
    prices = anchor[..., None] * np.exp(rel[..., :4])
    prices[..., CLOSE] = close
    prices[..., 1] = prices.max(axis=2)
    prices[..., 2] = prices.min(axis=2)
    return np.asarray(prices, dtype=np.float64)
