"""The bundled offline sample: bokeh_sampledata's public-domain daily stocks (to 2013-03-01)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from stockrnn.common.errors import NoDataError
from stockrnn.data.sources.fetched import Fetched, standardize


def _csv_path() -> Path:
    import bokeh_sampledata

    return Path(bokeh_sampledata.__file__).parent / "_data" / "stocks.csv.gz"


def _read_all() -> pd.DataFrame:
    with gzip.open(_csv_path(), "rt") as fh:
        return pd.read_csv(fh)


def tickers() -> list[str]:
    """Tickers the sample holds."""
    return sorted(_read_all()["Ticker"].unique())


def fetch(symbol: str) -> Fetched:
    """Read one ticker from the installed package: unadjusted OHLC beside Adj Close."""
    frame = _read_all()
    rows = frame[frame["Ticker"] == symbol]
    if rows.empty:
        have = ", ".join(sorted(frame["Ticker"].unique()))
        raise NoDataError(f"the bundled sample has no {symbol}; it has {have}")
    rows = rows.drop(columns="Ticker").set_index(pd.to_datetime(rows["Date"])).drop(columns="Date")
    return Fetched(standardize(rows), source="sample", adjusted=False)
