"""What every source returns: raw bars, before validation.

Each source returns a `Fetched`: a frame with a tz-naive DatetimeIndex named `date` and
lower-case columns open, high, low, close, volume (plus adj_close where the source has it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from stockrnn.common.errors import DataError

_ALIASES = {"adj close": "adj_close", "adjclose": "adj_close", "adj_close": "adj_close"}
KNOWN = ["open", "high", "low", "close", "volume", "adj_close"]


@dataclass
class Fetched:
    """Raw bars from one source, before validation."""

    frame: pd.DataFrame
    source: str
    adjusted: bool  # True when the source already split/dividend-adjusted OHLC
    version: str | None = None  # e.g. the yfinance version


def standardize(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case the columns, parse dates and numbers; raise DataError when that fails."""
    renamed = {c: _ALIASES.get(str(c).strip().lower(), str(c).strip().lower()) for c in frame}
    frame = frame.rename(columns=renamed)
    frame = frame[[c for c in KNOWN if c in frame.columns]]
    frame.columns.name = None
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    frame.index = index.normalize().rename("date")
    out = frame.apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = out.isna() & frame.notna()
    if bad.to_numpy().any():
        col = out.columns[bad.any(axis=0)][0]
        raise DataError(f"non-numeric value in column {col!r}")
    return out
