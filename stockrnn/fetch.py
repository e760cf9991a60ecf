"""`stockrnn fetch`: get bars from a source, validate, adjust, update the cache incrementally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stockrnn import atomic, store, symbols, trading_calendar, validate
from stockrnn.errors import (
    DataError,
    EmptyRangeError,
    NoDataError,
    NotCachedError,
    StockrnnError,
    UsageError,
)
from stockrnn.sources import Fetched

SOURCES = ("yahoo", "sample", "csv")
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
    calendar: str = trading_calendar.DEFAULT_CALENDAR


@dataclass
class FetchResult:
    """What happened to one ticker; `status` is new, updated, up to date or replaced."""

    symbol: str
    status: str
    source: str
    rows: int = 0
    added: int = 0
    first: str = ""
    last: str = ""
    last_close: float | None = None
    notes: list[str] = field(default_factory=list)


def check_range(cfg: FetchConfig) -> None:
    """Refuse a bad period, or an inverted or session-less date range, before any download."""
    if cfg.period is not None and cfg.period not in PERIODS:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}")
    if cfg.period is not None and (cfg.start or cfg.end):
        raise UsageError("give either --period or --start/--end, not both")
    if cfg.start:
        end = cfg.end or date.today()
        if cfg.start > end:
            raise EmptyRangeError(f"--start {cfg.start} is after --end {end}")
        if trading_calendar.sessions_between(cfg.calendar, cfg.start, end) == 0:
            raise EmptyRangeError(
                f"no {cfg.calendar} trading session between {cfg.start} and {end}"
            )
    if cfg.source == "csv" and cfg.csv is None:
        raise UsageError("--source csv needs --csv FILE")


def _download(cfg: FetchConfig, start: date | None = None, whole: bool = False) -> Fetched:
    from stockrnn.sources import csvfile, sample, yahoo

    if cfg.source == "sample":
        return sample.fetch(cfg.symbol)
    if cfg.source == "csv":
        assert cfg.csv is not None
        return csvfile.fetch(cfg.csv)
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


def _incremental(
    cfg: FetchConfig, old: pd.DataFrame, notes: list[str]
) -> tuple[pd.DataFrame, Fetched, bool, str]:
    """Download the days after the cache; fall back to everything if history was re-adjusted."""
    last = old.index[-1]
    try:
        got = _download(cfg, start=last.date())
    except NoDataError:
        return old, Fetched(old, "yahoo", True), True, "up to date"
    new, _, report = validate.validate(got.frame)
    notes += report.actions
    overlap = new.loc[new.index == last, "close"]
    same = len(overlap) == 1 and abs(overlap.iloc[0] / old["close"].iloc[-1] - 1) <= OVERLAP_RTOL
    if not same:
        notes.append(
            "history was re-adjusted since the last fetch (split or dividend): "
            "downloaded the full history"
        )
        got = _download(cfg, whole=True)
        full, _, report = validate.validate(got.frame)
        notes += report.actions + report.warnings
        return full, got, True, "replaced"
    added = new.loc[new.index > last]
    if added.empty:
        return old, got, True, "up to date"
    return pd.concat([old, added[old.columns]]), got, True, "updated"


def fetch_one(data_dir: Path, cfg: FetchConfig, now: pd.Timestamp | None = None) -> FetchResult:
    """Fetch one ticker into `data_dir` under a lock; the cache changes only on success."""
    check_range(cfg)
    with atomic.locked(store.lock_path(data_dir, cfg.symbol)):
        try:
            old, manifest = store.load(data_dir, cfg.symbol)
        except (NotCachedError, DataError):
            old, manifest = None, None
        notes: list[str] = []
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
            frame, got, adjusted, status = _incremental(cfg, old, notes)
            validate.check_jumps(frame, rep := validate.Report())
            warnings = rep.warnings
        else:
            got = _download(cfg)
            frame, adjusted, report = validate.validate(got.frame)
            frame = _clip(frame, cfg)
            notes += report.actions
            warnings = report.warnings
            status = "new" if old is None else "replaced"
        dropped = trading_calendar.drop_unclosed(frame, cfg.calendar, now)
        if dropped:
            notes.append("today's bar dropped: its session has not closed yet")
        if frame.empty:
            raise NoDataError(f"no completed bars for {cfg.symbol}")
        if status != "up to date":
            added = len(frame) - (len(old) if old is not None and status == "updated" else 0)
            manifest = store.Manifest(
                symbol=cfg.symbol,
                source=got.source,
                adjusted=adjusted or got.adjusted,
                fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
                yfinance_version=got.version,
                calendar=cfg.calendar,
                validation=notes,
                warnings=warnings,
            )
            store.save(data_dir, frame, manifest)
        else:
            added = 0
    return FetchResult(
        symbol=cfg.symbol,
        status=status,
        source=got.source,
        rows=len(frame),
        added=added,
        first=frame.index[0].strftime("%Y-%m-%d"),
        last=frame.index[-1].strftime("%Y-%m-%d"),
        last_close=float(frame["close"].iloc[-1]),
        notes=notes + warnings,
    )


def configs_for(tickers: list[str], **options: Any) -> list[FetchConfig | StockrnnError]:
    """One config per ticker, or the error that refused its symbol (reported in order)."""
    out: list[FetchConfig | StockrnnError] = []
    for raw in tickers:
        try:
            out.append(FetchConfig(symbols.normalize(raw), **options))
        except StockrnnError as exc:
            exc.symbol = raw  # type: ignore[attr-defined]
            out.append(exc)
    return out


def fetch_many(
    data_dir: Path,
    configs: list[FetchConfig | StockrnnError],
    advance: Callable[[str], None] = lambda _: None,
) -> tuple[list[dict[str, Any]], int]:
    """Fetch each ticker in turn; one failure does not stop the others.

    `configs` may hold errors already raised for a ticker (an invalid symbol); they are reported
    in order. Returns summary rows and the exit code of the first failure (0 if none).
    """
    rows: list[dict[str, Any]] = []
    code = 0
    for cfg in configs:
        name = cfg.symbol if isinstance(cfg, FetchConfig) else str(getattr(cfg, "symbol", "?"))
        advance(name)
        try:
            if isinstance(cfg, StockrnnError):
                raise cfg
            rows.append({**asdict(fetch_one(data_dir, cfg)), "error": None})
        except StockrnnError as exc:
            code = code or exc.exit_code
            rows.append(
                {
                    "symbol": name,
                    "status": "failed",
                    "error": str(exc),
                    "exit_code": exc.exit_code,
                    "notes": [],
                }
            )
    return rows, code


def list_cached(data_dir: Path, now: pd.Timestamp | None = None) -> list[dict[str, Any]]:
    """Every cached ticker's manifest plus how many sessions it is behind."""
    out = []
    for m in store.cached(data_dir):
        behind = trading_calendar.sessions_since(m.calendar, date.fromisoformat(m.last_date), now)
        out.append({**asdict(m), "sessions_behind": behind})
    return out
