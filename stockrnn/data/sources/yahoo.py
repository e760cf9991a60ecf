"""Yahoo Finance through yfinance 1.x, with its swallowed errors turned into typed ones.

`yf.download` never raises for a failed ticker: it logs the error and returns an empty frame
with (Price, Ticker) MultiIndex columns. We capture its log, silence its prints and warnings,
and classify what went wrong.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import pandas as pd

from stockrnn.common.errors import NoDataError, OfflineError, RateLimitError, StockrnnError
from stockrnn.data.sources.fetched import Fetched, standardize

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


class _Capture:
    def __init__(self) -> None:
        self.messages: list[str] = []


_local = threading.local()  # the capture of the fetch running in this thread
_setup = threading.Lock()
_installed = False


class _Dispatch(logging.Handler):
    """yfinance's one log handler: each record goes to the capture of the thread that logged
    it, so concurrent fetches (fetch --workers) never read each other's errors."""

    def emit(self, record: logging.LogRecord) -> None:
        capture = getattr(_local, "capture", None)
        if capture is not None:
            capture.messages.append(record.getMessage())


@contextlib.contextmanager
def _quiet() -> Iterator[_Capture]:
    """Keep yfinance's log lines and warnings off the terminal, but keep this thread's log.

    Nothing process-wide is swapped per call (no stdout redirection, no catch_warnings,
    neither of which is thread-safe): the handler and the warning filter are set up once."""
    global _installed
    with _setup:
        if not _installed:
            logger = logging.getLogger("yfinance")
            logger.handlers, logger.propagate = [_Dispatch()], False
            warnings.filterwarnings("ignore", module=r"yfinance(\.|$)")
            _installed = True
    capture = _Capture()
    _local.capture = capture
    try:
        yield capture
    finally:
        _local.capture = None


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
