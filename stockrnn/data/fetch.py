"""`stockrnn fetch`: get bars from a source, validate, adjust, update the cache incrementally."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from stockrnn.common import atomic, symbols
from stockrnn.common.choices import Source
from stockrnn.common.errors import (
    DataError,
    EmptyRangeError,
    NotCachedError,
    StockrnnError,
    UsageError,
)
from stockrnn.data import cache, manifests, session_table, trading_calendar
from stockrnn.data.fetch_plan import Plan, plan, reimport_warnings
from stockrnn.data.fetch_types import (
    FetchConfig,
    FetchOptions,
    FetchResult,
    Refused,
    Status,
)
from stockrnn.data.sources import csvfile

PERIODS = ("1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max")  # yfinance


def check_range(cfg: FetchConfig) -> None:
    """Refuse a bad period, or an inverted or session-less date range, before any download."""
    calendar, o = cfg.exchange, cfg.options
    if o.period is not None and o.period not in PERIODS:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}")
    if o.period is not None and (o.start or o.end):
        raise UsageError("give either --period or --start/--end, not both")
    if o.start:
        end = o.end or date.today()
        if o.start > end:
            raise EmptyRangeError(f"--start {o.start} is after --end {end}")
        if trading_calendar.sessions_between(calendar, o.start, end) == 0:
            raise EmptyRangeError(f"no {calendar} trading session between {o.start} and {end}")
    if o.source is Source.csv and o.csv is None:
        raise UsageError("--source csv needs --csv FILE")
    if o.source is Source.csv and o.period is not None:
        raise UsageError("--period applies to Yahoo downloads; a CSV is imported whole")


def _cached(data_dir: Path, symbol: str) -> tuple[pd.DataFrame | None, manifests.Manifest | None]:
    try:
        return cache.load(data_dir, symbol)
    except (NotCachedError, DataError):
        return None, None


def _digest(manifest: manifests.Manifest | None) -> str | None:
    return manifest.sha256 if manifest is not None else None


def fetch_one(
    data_dir: Path,
    cfg: FetchConfig,
    now: pd.Timestamp | None = None,
    abort: Callable[[], bool] = lambda: False,
) -> FetchResult:
    """Fetch one ticker into `data_dir`; the cache changes only on success.

    Downloading and validating touch no file, so a refused fetch leaves nothing behind; the
    lock is taken only to commit, and if another process changed the cache meanwhile the
    planned is made again on the new cache, under the lock. `abort()` true just before the
    commit (Ctrl-C seen by another thread) abandons it.
    """
    old, manifest = _cached(data_dir, cfg.symbol)
    if cfg.options.calendar is None:  # the one it was cached with, else its symbol's
        calendar = manifest.calendar if manifest is not None else symbols.calendar_for(cfg.symbol)
        cfg = replace(cfg, calendar=calendar)
    check_range(cfg)
    planned = plan(cfg, old, manifest, now)
    if planned.frame is not None:
        if abort():
            raise KeyboardInterrupt
        with atomic.locked(manifests.lock_path(data_dir, cfg.symbol)):
            current, current_manifest = _cached(data_dir, cfg.symbol)
            if _digest(current_manifest) != _digest(manifest):
                old, manifest = current, current_manifest
                planned = plan(cfg, old, manifest, now)
            if planned.frame is not None:
                planned.warnings += reimport_warnings(manifest, planned.frame, planned.adjusted)
                _save(data_dir, cfg, planned)
    frame = planned.frame if planned.frame is not None else old
    assert frame is not None
    added = len(frame) - (len(old) if old is not None and planned.status == Status.updated else 0)
    return FetchResult(
        symbol=cfg.symbol,
        status=planned.status,
        source=planned.got.source,
        rows=len(frame),
        added=added if planned.frame is not None else 0,
        first=frame.index[0].strftime("%Y-%m-%d"),
        last=frame.index[-1].strftime("%Y-%m-%d"),
        last_close=float(frame["close"].iloc[-1]),
        notes=planned.notes + planned.warnings,
    )


def _save(data_dir: Path, cfg: FetchConfig, planned: Plan) -> None:
    assert planned.frame is not None
    manifest = manifests.Manifest(
        symbol=cfg.symbol,
        source=planned.got.source,
        adjusted=planned.adjusted,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        yfinance_version=planned.got.version,
        calendar=cfg.exchange,
        validation=planned.notes,
        warnings=planned.warnings,
    )
    cache.save(data_dir, planned.frame, manifest)
    calendar = trading_calendar.built(cfg.exchange)  # checking the bars built it
    if calendar is not None:
        session_table.keep(data_dir, cfg.exchange, calendar)


def configs_for(
    tickers: Sequence[str],
    options: FetchOptions,
    all_in_csv: bool = False,
    table: csvfile.Table | None = None,
) -> list[FetchConfig | Refused]:
    """One config per ticker, or the refusal of its symbol (reported in order).

    A CSV is read once here, after the options are checked, and shared by every ticker
    imported from it (`table`: one already read, from a DataFrame).
    """
    if options.csv is not None:
        check_range(FetchConfig("", options))  # refuse bad options before reading the file
        table = table or csvfile.read(options.csv, options.date_format)
        if all_in_csv:
            tickers = table.tickers()
            if not tickers:
                raise UsageError(
                    f"{options.csv} has no ticker column (Name, Ticker or Symbol): "
                    "give the one ticker to store it under instead of --all"
                )
        elif len(tickers) > 1 and None in table.frames:
            raise UsageError(
                f"{options.csv} holds one series (no ticker column): give exactly one ticker"
            )
    out: list[FetchConfig | Refused] = []
    for raw in tickers:
        try:
            out.append(FetchConfig(symbols.normalize(raw), options, table))
        except StockrnnError as exc:
            out.append(Refused(raw, exc))
    return out
