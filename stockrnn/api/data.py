"""Bringing bars in: `stockrnn.fetch` (the `fetch` command) and `stockrnn.cached` (`list`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockrnn.api.options import as_day, check_tickers, folder_arg
from stockrnn.common import choices, project
from stockrnn.common.choices import Source
from stockrnn.common.errors import DataError, UsageError
from stockrnn.common.limits import flag, whole

if TYPE_CHECKING:
    import pandas as pd

    from stockrnn.data.fetch_types import CachedRow, FetchConfig, FetchResult, Refused


@dataclass(frozen=True, kw_only=True)
class Fetched:
    """What `fetch` did, one result per ticker (failures included, with their reason)."""

    results: list[FetchResult]
    exit_code: int = 0  # the first failure's (0: every ticker fetched or up to date)
    notes: list[str] = field(default_factory=list)  # about the whole call (skipped tickers)

    def to_frame(self) -> pd.DataFrame:
        """One row per ticker: symbol, status, source, rows, first, last, last_close, error."""
        import pandas as pd

        keys = ("symbol", "status", "source", "rows", "added", "first", "last", "last_close")
        rows = [{k: getattr(r, k) for k in keys} | {"error": r.error} for r in self.results]
        return pd.DataFrame(rows, columns=[*keys, "error"])


FRAME_NAME = "the DataFrame"


def _tickers(value: str | Sequence[str] | None) -> list[str]:
    """The symbols as given, type-checked (fetch normalises each, refusing bad ones alone)."""
    return check_tickers(value)


def check(
    tickers: list[str], *, csv: Path | None, frame: Any, all_in_csv: bool, date_format: str | None
) -> None:
    """Refuse options that conflict or do not apply, before any work."""
    if csv is not None and frame is not None:
        raise UsageError("give a CSV file or a DataFrame, not both")
    if csv is None and frame is None and (all_in_csv or date_format is not None):
        raise UsageError("--all and --date-format apply to --csv imports only")
    if all_in_csv and tickers:
        raise UsageError("give tickers or --all, not both")
    if (csv is not None or frame is not None) and not tickers and not all_in_csv:
        raise UsageError("give the ticker to store the file under (or --all for a long file)")


def fetch(
    tickers: str | Sequence[str] | None = None,
    *,
    source: Source | str = Source.yahoo,
    csv: Path | str | None = None,
    frame: pd.DataFrame | None = None,
    all_in_csv: bool = False,
    date_format: str | None = None,
    start: date | datetime | str | None = None,
    end: date | datetime | str | None = None,
    period: str | None = None,
    full: bool = False,
    calendar: str | None = None,
    workers: int = 4,
    retries: int = 5,
    data_dir: Path | str | None = None,
    on_ticker: Callable[[str], None] = lambda symbol: None,
) -> Fetched:
    """Bring daily bars into the data folder, validated, incrementally where the source allows.

    Args:
        tickers: symbols such as "AAPL", "^GSPC", "VOD.L". None: bring every cached ticker up
            to date from its own source (CSV and DataFrame imports are skipped with a note).
        source: "yahoo" (Yahoo Finance), "sample" (the bundled offline sample) or "csv".
        csv: import this CSV file (any common layout) instead of downloading.
        frame: import this DataFrame of OHLCV bars (a date index or column), checked exactly
            as a CSV would be.
        all_in_csv: with `csv`, import every ticker of a long file.
        date_format: with `csv`, the dates' strptime format when they are ambiguous.
        start: the first day to fetch.
        end: the last day to fetch.
        period: a yfinance period ("5y") instead of start.
        full: download everything again instead of the new days only.
        calendar: the exchange calendar (default: the cached ticker's, else its suffix's).
        workers: Yahoo downloads at once.
        retries: tries per ticker when rate-limited.
        data_dir: the data folder (default: the workspace's, see `stockrnn workspace`).
        on_ticker: called with each symbol when it is done (for progress).

    Returns the result per ticker; a ticker that fails does not stop the others. Raises a
    StockrnnError subclass for options that are refused before any work.
    """
    from stockrnn.data import fetch_many

    names = _tickers(tickers)
    flag(all_in_csv, "all_in_csv")
    flag(full, "full")
    if csv is not None and not isinstance(csv, str | Path):
        raise UsageError(f"csv= takes a file path, not {csv!r}")
    csv_path = Path(csv) if csv is not None else None
    check(names, csv=csv_path, frame=frame, all_in_csv=all_in_csv, date_format=date_format)
    if not 1 <= whole(workers, "--workers") <= 64 or not 1 <= whole(retries, "--retries") <= 20:
        raise UsageError("--workers must be between 1 and 64, --retries between 1 and 20")
    folder = project.workspace(folder_arg(data_dir, "data_dir")).data
    imported = csv_path is not None or frame is not None
    kind = Source.csv if imported else choices.check(Source, source, "--source")
    options = _options(kind, csv_path, date_format, start, end, period, full, calendar)
    notes: list[str] = []
    if not names and not all_in_csv:
        configs, notes = _refresh_all(folder, options)
    else:
        configs = _configs(names, options, all_in_csv, frame)
    retry = fetch_many.Retry(attempts=retries)
    # a CSV or the sample is parsed in this process: threads would only contend
    pool = workers if kind == Source.yahoo else 1
    results, code = fetch_many.fetch_all(
        folder, configs, workers=pool, retry=retry, advance=on_ticker
    )
    if frame is not None and results and results[0].error:  # one frame: its error is the call's
        raise DataError(f"{FRAME_NAME} for {results[0].symbol}: {results[0].error}")
    return Fetched(results=results, exit_code=code, notes=notes)


def _options(
    source: Source,
    csv: Path | None,
    date_format: str | None,
    start: Any,
    end: Any,
    period: str | None,
    full: bool,
    calendar: str | None,
) -> Any:
    from stockrnn.data.fetch_types import FetchOptions

    return FetchOptions(
        source=source,
        csv=csv,
        date_format=date_format,
        start=as_day(start, "--start"),
        end=as_day(end, "--end"),
        period=period,
        full=full,
        calendar=calendar,
    )


def _configs(
    names: list[str], options: Any, all_in_csv: bool, frame: pd.DataFrame | None
) -> list[FetchConfig | Refused]:
    from dataclasses import replace

    from stockrnn.data import fetch
    from stockrnn.data.sources import csvfile

    if frame is None:
        return fetch.configs_for(names, options, all_in_csv)
    table = csvfile.from_frame(frame, options.date_format)
    return fetch.configs_for(names, replace(options, csv=csvfile.FRAME), all_in_csv, table)


def _refresh_all(folder: Path, options: Any) -> tuple[list[FetchConfig | Refused], list[str]]:
    """Every cached ticker, each from the source it was fetched from."""
    from dataclasses import replace

    from stockrnn.data import manifests
    from stockrnn.data.fetch_types import FetchConfig

    configs: list[FetchConfig | Refused] = []
    entries = manifests.entries(folder)  # one read of every manifest
    readable = [m for m in entries if isinstance(m, manifests.Manifest)]
    notes = [f"{e[0]} skipped: {e[1]}" for e in entries if not isinstance(e, manifests.Manifest)]
    notes += [f"{p.stem} skipped: its manifest is a link" for p in manifests.linked(folder)]
    if not readable and notes:
        raise UsageError(f"no readable cached tickers in {folder} to refresh ({notes[0]})")
    if not readable:
        raise UsageError(
            f"no cached tickers in {folder} to refresh: give one, e.g. `stockrnn fetch AAPL`"
        )
    for m in readable:
        if m.source.startswith("csv:"):
            notes.append(f"{m.symbol} skipped: imported from {m.source[4:]}; import it again")
            continue
        configs.append(FetchConfig(m.symbol, replace(options, source=Source(m.source))))
    return configs, notes


def cached(data_dir: Path | str | None = None) -> list[CachedRow]:
    """Every cached ticker with its range and how many sessions it is behind; an unreadable
    one says why (the others are still listed)."""
    from stockrnn.data import inventory

    return inventory.list_cached(project.workspace(folder_arg(data_dir, "data_dir")).data)
