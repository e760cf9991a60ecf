"""`stockrnn fetch`: get bars from a source, validate, adjust, update the cache incrementally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stockrnn.common import atomic, symbols
from stockrnn.common.errors import (
    DataError,
    EmptyRangeError,
    NoDataError,
    NotCachedError,
    StockrnnError,
    UsageError,
)
from stockrnn.data import cache, cleaning, trading_calendar
from stockrnn.data.sources import csvfile
from stockrnn.data.sources.fetched import Fetched

PERIODS = ("1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max")  # yfinance
OVERLAP_RTOL = 1e-4  # a dividend re-adjustment moves old closes by far more than this


@dataclass
class FetchConfig:
    """One ticker's fetch request."""

    symbol: str
    source: str = "yahoo"
    csv: Path | None = None
    start: date | None = None
    end: date | None = None
    period: str | None = None
    full: bool = False
    calendar: str | None = None  # None: the cached ticker's, else its symbol's (symbols.py)
    date_format: str | None = None  # strptime format for a CSV's dates (else read from data)
    table: csvfile.Table | None = field(default=None, repr=False)  # the CSV, read once

    @property
    def exchange(self) -> str:
        """The calendar in effect (fetch_one settles `calendar` before any use)."""
        return self.calendar or trading_calendar.DEFAULT_CALENDAR


@dataclass
class FetchResult:
    """What happened to one ticker: new, updated, up to date, replaced, or failed (error)."""

    symbol: str
    status: str
    source: str = ""
    rows: int = 0
    added: int = 0
    first: str = ""
    last: str = ""
    last_close: float | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    exit_code: int = 0


def check_range(cfg: FetchConfig) -> None:
    """Refuse a bad period, or an inverted or session-less date range, before any download."""
    calendar = cfg.exchange
    if cfg.period is not None and cfg.period not in PERIODS:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}")
    if cfg.period is not None and (cfg.start or cfg.end):
        raise UsageError("give either --period or --start/--end, not both")
    if cfg.start:
        end = cfg.end or date.today()
        if cfg.start > end:
            raise EmptyRangeError(f"--start {cfg.start} is after --end {end}")
        if trading_calendar.sessions_between(calendar, cfg.start, end) == 0:
            raise EmptyRangeError(f"no {calendar} trading session between {cfg.start} and {end}")
    if cfg.source == "csv" and cfg.csv is None:
        raise UsageError("--source csv needs --csv FILE")
    if cfg.source == "csv" and cfg.period is not None:
        raise UsageError("--period applies to Yahoo downloads; a CSV is imported whole")


def _download(cfg: FetchConfig, start: date | None = None, whole: bool = False) -> Fetched:
    from stockrnn.data.sources import sample, yahoo

    if cfg.source == "sample":
        return sample.fetch(cfg.symbol)
    if cfg.source == "csv":
        assert cfg.csv is not None
        table = cfg.table or csvfile.read(cfg.csv, cfg.date_format)
        return csvfile.fetched(table.one(cfg.symbol), cfg.csv)
    if whole:
        return yahoo.fetch(cfg.symbol, period=cfg.period)
    if start is not None:
        return yahoo.fetch(cfg.symbol, start=start)
    return yahoo.fetch(cfg.symbol, cfg.start, cfg.end, cfg.period)


def _clip(frame: pd.DataFrame, cfg: FetchConfig) -> pd.DataFrame:
    if cfg.source != "yahoo" and (cfg.start or cfg.end):
        lo, hi = pd.Timestamp(cfg.start or "1800-01-01"), pd.Timestamp(cfg.end or "2200-01-01")
        frame = frame.loc[lo:hi]
        if frame.empty:
            raise EmptyRangeError(f"{cfg.symbol} has no rows between {cfg.start} and {cfg.end}")
    return frame


@dataclass
class _Plan:
    """What a fetch would write, worked out before any file is touched (frame None: nothing)."""

    frame: pd.DataFrame | None
    got: Fetched
    adjusted: bool
    status: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _incremental(cfg: FetchConfig, old: pd.DataFrame, now: pd.Timestamp | None) -> _Plan:
    """Download the days after the cache; fall back to everything if history was re-adjusted."""
    last = old.index[-1]
    try:
        got = _download(cfg, start=last.date())
    except NoDataError:
        return _Plan(None, Fetched(old, "yahoo", True), True, "up to date")
    new, _, report = cleaning.clean_bars(got.frame, cfg.exchange, now, min_rows=0)
    overlap = new.loc[new.index == last, "close"]
    same = len(overlap) == 1 and abs(overlap.iloc[0] / old["close"].iloc[-1] - 1) <= OVERLAP_RTOL
    if not same:
        got = _download(cfg, whole=True)
        full, _, report = cleaning.clean_bars(got.frame, cfg.exchange, now)
        note = (
            "history was re-adjusted since the last fetch (split or dividend): "
            "downloaded the full history"
        )
        return _Plan(full, got, True, "replaced", [note, *report.actions], report.warnings)
    added = new.loc[new.index > last]
    if added.empty:
        return _Plan(None, got, True, "up to date", report.actions)
    frame = pd.concat([old, added[old.columns]])
    jumps = cleaning.Report()
    cleaning.check_jumps(frame, jumps)
    return _Plan(frame, got, True, "updated", report.actions, jumps.warnings)


def _plan(
    cfg: FetchConfig, old: pd.DataFrame | None, manifest: cache.Manifest | None, now: Any
) -> _Plan:
    incremental = (
        cfg.source == "yahoo"
        and old is not None
        and not cfg.full
        and manifest is not None
        and manifest.source == "yahoo"
        and cfg.start is None
        and cfg.end is None
        and cfg.period is None
    )
    if incremental:
        assert old is not None
        if trading_calendar.sessions_since(cfg.exchange, old.index[-1].date(), now) == 0:
            return _Plan(None, Fetched(old, "yahoo", True), True, "up to date")  # no request
        return _incremental(cfg, old, now)
    got = _download(cfg)
    frame, adjusted, report = cleaning.clean_bars(got.frame, cfg.exchange, now)
    frame = _clip(frame, cfg)
    plan = _Plan(frame, got, adjusted or got.adjusted, "new" if old is None else "replaced")
    plan.notes, plan.warnings = report.actions, report.warnings
    return plan


def reimport_warnings(old: cache.Manifest | None, new: pd.DataFrame, adjusted: bool) -> list[str]:
    """What a replacement loses: adjustment, or years of history at either end."""
    if old is None:
        return []
    out = []
    if old.adjusted and not adjusted:
        out.append(
            "this replaces split/dividend-adjusted data with unadjusted data (no Adj Close "
            "column): splits will look like crashes to a model"
        )
    lost_start = (new.index[0] - pd.Timestamp(old.first_date)).days / 365.25
    lost_end = (pd.Timestamp(old.last_date) - new.index[-1]).days / 365.25
    for years, where in ((lost_start, "start"), (lost_end, "end")):
        if years >= 1:
            out.append(
                f"this drops {years:.1f} years of history at the {where}: the cache held "
                f"{old.first_date} to {old.last_date}, the new data "
                f"{new.index[0]:%Y-%m-%d} to {new.index[-1]:%Y-%m-%d}"
            )
    return out


def _cached(data_dir: Path, symbol: str) -> tuple[pd.DataFrame | None, cache.Manifest | None]:
    try:
        return cache.load(data_dir, symbol)
    except (NotCachedError, DataError):
        return None, None


def _digest(manifest: cache.Manifest | None) -> str | None:
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
    plan is made again on the new cache, under the lock. `abort()` true just before the
    commit (Ctrl-C seen by another thread) abandons it.
    """
    old, manifest = _cached(data_dir, cfg.symbol)
    if cfg.calendar is None:  # the one it was cached with, else the one its symbol names
        calendar = manifest.calendar if manifest is not None else symbols.calendar_for(cfg.symbol)
        cfg = replace(cfg, calendar=calendar)
    check_range(cfg)
    plan = _plan(cfg, old, manifest, now)
    if plan.frame is not None:
        if abort():
            raise KeyboardInterrupt
        with atomic.locked(cache.lock_path(data_dir, cfg.symbol)):
            current, current_manifest = _cached(data_dir, cfg.symbol)
            if _digest(current_manifest) != _digest(manifest):
                old, manifest = current, current_manifest
                plan = _plan(cfg, old, manifest, now)
            if plan.frame is not None:
                plan.warnings += reimport_warnings(manifest, plan.frame, plan.adjusted)
                _save(data_dir, cfg, plan)
    frame = plan.frame if plan.frame is not None else old
    assert frame is not None
    added = len(frame) - (len(old) if old is not None and plan.status == "updated" else 0)
    return FetchResult(
        symbol=cfg.symbol,
        status=plan.status,
        source=plan.got.source,
        rows=len(frame),
        added=added if plan.frame is not None else 0,
        first=frame.index[0].strftime("%Y-%m-%d"),
        last=frame.index[-1].strftime("%Y-%m-%d"),
        last_close=float(frame["close"].iloc[-1]),
        notes=plan.notes + plan.warnings,
    )


def _save(data_dir: Path, cfg: FetchConfig, plan: _Plan) -> None:
    assert plan.frame is not None
    manifest = cache.Manifest(
        symbol=cfg.symbol,
        source=plan.got.source,
        adjusted=plan.adjusted,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        yfinance_version=plan.got.version,
        calendar=cfg.exchange,
        validation=plan.notes,
        warnings=plan.warnings,
    )
    cache.save(data_dir, plan.frame, manifest)


def configs_for(
    tickers: list[str], all_in_csv: bool = False, **options: Any
) -> list[FetchConfig | StockrnnError]:
    """One config per ticker, or the error that refused its symbol (reported in order).

    A CSV is read once here, after the options are checked, and shared by every ticker
    imported from it.
    """
    path: Path | None = options.get("csv")
    if path is not None:
        check_range(FetchConfig("", **options))  # refuse bad options before reading the file
        table = csvfile.read(path, options.get("date_format"))
        options["table"] = table
        if all_in_csv:
            tickers = table.tickers()
            if not tickers:
                raise UsageError(
                    f"{path} has no ticker column (Name, Ticker or Symbol): "
                    "give the one ticker to store it under instead of --all"
                )
        elif len(tickers) > 1 and None in table.frames:
            raise UsageError(f"{path} holds one series (no ticker column): give exactly one ticker")
    out: list[FetchConfig | StockrnnError] = []
    for raw in tickers:
        try:
            out.append(FetchConfig(symbols.normalize(raw), **options))
        except StockrnnError as exc:
            exc.symbol = raw  # type: ignore[attr-defined]
            out.append(exc)
    return out


def list_cached(data_dir: Path, now: pd.Timestamp | None = None) -> list[dict[str, Any]]:
    """Every cached ticker's manifest plus how many sessions it is behind."""
    out = []
    for m in cache.cached(data_dir):
        behind = trading_calendar.sessions_since(m.calendar, date.fromisoformat(m.last_date), now)
        out.append({**asdict(m), "sessions_behind": behind})
    return out
