"""Yahoo Finance through yfinance 1.x, with its swallowed errors turned into typed ones.

`yf.download` never raises for a failed ticker: it logs the error and returns an empty frame
with (Price, Ticker) MultiIndex columns. We capture its log, silence its prints and warnings,
and classify what went wrong.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import pandas as pd

from stockrnn.errors import NoDataError, OfflineError, RateLimitError, StockrnnError
from stockrnn.sources import Fetched, standardize

OFFLINE_HINT = "work offline with --source sample or --csv FILE"
_OFFLINE_MARKERS = (
    "dnserror",
    "connectionerror",
    "could not resolve",
    "timeout",
    "timed out",
    "failed to perform",
    "curl: (",
    "network is unreachable",
    "connection refused",
)
_RATE_MARKERS = ("ratelimit", "rate limit", "too many requests")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _quiet() -> Iterator[_Capture]:
    """Keep yfinance's log lines, prints and warnings off the terminal, but keep its log."""
    logger = logging.getLogger("yfinance")
    capture = _Capture()
    old_handlers, old_propagate = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [capture], False
    sink = io.StringIO()
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            warnings.simplefilter("ignore")
            yield capture
    finally:
        logger.handlers, logger.propagate = old_handlers, old_propagate


def classify(text: str, symbol: str) -> StockrnnError:
    """Map yfinance's error text (or an exception's repr) to one of our errors."""
    low = text.lower()
    if any(m in low for m in _RATE_MARKERS):
        return RateLimitError(
            "Yahoo Finance is rate limiting requests; wait a few minutes and retry"
        )
    if any(m in low for m in _OFFLINE_MARKERS):
        return OfflineError(f"cannot reach Yahoo Finance (network unreachable); {OFFLINE_HINT}")
    return NoDataError(
        f"Yahoo Finance has no data for {symbol}: unknown or delisted ticker, "
        "or no bars in that range"
    )


def _flatten(raw: pd.DataFrame, symbol: str) -> pd.DataFrame:
    if isinstance(raw.columns, pd.MultiIndex):
        names = list(raw.columns.names)
        level = names.index("Ticker") if "Ticker" in names else raw.columns.nlevels - 1
        tickers = raw.columns.get_level_values(level)
        pick = symbol if symbol in set(tickers) else tickers[0]
        raw = raw.xs(pick, axis=1, level=level)
    return raw


def fetch(
    symbol: str, start: date | None = None, end: date | None = None, period: str | None = None
) -> Fetched:
    """Download daily bars; `end` is inclusive (yfinance's is exclusive)."""
    import yfinance as yf

    kwargs: dict[str, object] = {
        "progress": False,
        "threads": False,
        "auto_adjust": True,
        "actions": False,
        "multi_level_index": True,
        "timeout": 20,
    }
    if start is None and end is None:
        kwargs["period"] = period or "max"
    else:
        kwargs["start"] = start.isoformat() if start else None
        kwargs["end"] = (end + timedelta(days=1)).isoformat() if end else None
    with _quiet() as log:
        try:
            raw = yf.download(symbol, **kwargs)
        except Exception as exc:  # yfinance raises anything from curl to KeyError
            raise classify(f"{type(exc).__name__} {exc}", symbol) from exc
        frame = None if raw is None or raw.empty else _flatten(raw, symbol)
        if frame is None or frame.dropna(how="all").empty:
            raise classify(" ".join(log.messages), symbol)
        frame = standardize(frame.dropna(how="all"))
    return Fetched(frame, source="yahoo", adjusted=True, version=yf.__version__)
