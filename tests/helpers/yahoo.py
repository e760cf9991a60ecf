"""A fake Yahoo Finance at yfinance's own network edge."""

from __future__ import annotations

from typing import Any

import pandas as pd


class FakeYahoo:
    """Replaces Ticker.history, the network edge under yf.download, so yfinance's own
    download() builds the frame (MultiIndex columns, tz-naive index) and swallows errors
    exactly as it does for real."""

    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        self.errors: dict[str, BaseException] = {}
        self.calls: list[dict[str, Any]] = []

    def history(self, ticker: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        sym = ticker.ticker
        self.calls.append({"symbol": sym, **kwargs})
        if sym in self.errors:
            raise self.errors[sym]
        frame = self.frames.get(sym)
        if frame is None:
            from yfinance.exceptions import YFPricesMissingError

            raise YFPricesMissingError(sym, "")
        out = frame.copy()
        start, end = kwargs.get("start"), kwargs.get("end")
        if start:
            out = out[out.index >= pd.Timestamp(start)]
        if end:
            out = out[out.index < pd.Timestamp(end)]
        out.columns = [c.capitalize() for c in out.columns]
        out.index = out.index.tz_localize("America/New_York").rename("Date")
        return out
