"""Synthetic OHLCV bars on an exchange's sessions, and caching them as `stockrnn fetch` would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def make_bars(
    n: int = 300,
    start: str = "2020-01-02",
    seed: int = 0,
    price: float = 100.0,
    drift: float = 0.0003,
    vol: float = 0.015,
    calendar: str = "XNYS",
) -> pd.DataFrame:
    """A random-walk OHLCV frame on the calendar's sessions, valid by construction."""
    from stockrnn.data import trading_calendar

    rng = np.random.default_rng(seed)
    sessions = trading_calendar.get_calendar(calendar, pd.Timestamp(start).date()).sessions
    dates = pd.DatetimeIndex(sessions[sessions >= pd.Timestamp(start)][:n], name="date")
    assert len(dates) == n, "make_bars: the calendar ends before n sessions"
    close = price * np.exp(np.cumsum(rng.normal(drift, vol, n)))
    open_ = close * np.exp(rng.normal(0, vol / 3, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, vol / 3, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, vol / 3, n)))
    volume = rng.integers(1_000_000, 5_000_000, n).astype(float)
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume}, index=dates
    )


def cache_bars(data_dir: Path, symbol: str, frame: pd.DataFrame, calendar: str = "XNYS") -> None:
    """Store a frame in the data cache as `stockrnn fetch` would."""
    from stockrnn.data import cache, manifests

    manifest = manifests.Manifest(symbol, "test", "2020-01-01T00:00:00", True, calendar=calendar)
    cache.save(data_dir, frame, manifest)
