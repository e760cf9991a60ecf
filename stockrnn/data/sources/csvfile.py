"""The user's own CSV files, in the layouts people really have (see LAYOUTS).

pandas does the reading (separator sniffing, header rows, quoting); this module decides the
layout, maps its column names, reads numbers in the file's decimal convention, and splits long
files by their ticker column. Dates are read by csvdates, which never guesses day/month order.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.common import symbols
from stockrnn.common.errors import DataError, StockrnnError
from stockrnn.data.sources import csvdates, csvtext
from stockrnn.data.sources.fetched import KNOWN, Fetched

LAYOUTS = (
    "Yahoo: Date,Open,High,Low,Close[,Adj Close],Volume in any order or case",
    "yfinance download().to_csv(): three header rows (Price / Ticker / Date), one or more tickers",
    "yfinance Ticker.history().to_csv(): dates with UTC offsets, Dividends, Stock Splits",
    "Nasdaq.com: Date,Close/Last,Volume,Open,High,Low with $ prices, MM/DD/YYYY, newest first",
    "Stooq: Date,Open,High,Low,Close,Volume or <TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,...",
    "long files with a Name, Ticker or Symbol column (several tickers, one per row)",
    "separated by , ; tab or |, decimal commas, plain or gzip/bz2/xz/zip compressed",
)
_ALIASES = {
    "date": "date",
    "datetime": "date",
    "timestamp": "date",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "close/last": "close",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "adjusted close": "adj_close",
    "volume": "volume",
    "vol": "volume",
    "name": "ticker",
    "ticker": "ticker",
    "symbol": "ticker",
    "time": "time",
    "per": "per",
}
NUMBERS = KNOWN  # the columns read as numbers
_MISSING = {"", "null", "nan", "na", "n/a", "-", "none"}


@dataclass
class Table:
    """A parsed file: one standard frame per ticker (key None when it has no ticker column)."""

    frames: dict[str | None, pd.DataFrame]
    name: str

    def tickers(self) -> list[str]:
        return sorted(t for t in self.frames if t is not None)

    def one(self, symbol: str | None = None) -> pd.DataFrame:
        """The rows for `symbol`; refused when the file's ticker column names other tickers."""
        if None in self.frames:
            return self.frames[None]
        have = self.tickers()
        if symbol is None:
            if len(have) == 1:
                return self.frames[have[0]]
            raise DataError(f"{self.name} holds {len(have)} tickers; name one or use --all")
        if symbol not in self.frames:
            shown = ", ".join(have[:8]) + (" ..." if len(have) > 8 else "")
            raise DataError(
                f"{self.name}'s ticker column holds {shown}, not {symbol}: "
                f"import it under its own ticker, or name one it holds"
            )
        return self.frames[symbol]


def understood() -> str:
    return "understood layouts: " + "; ".join(LAYOUTS)


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read(text: str, name: str) -> tuple[pd.DataFrame, str]:
    """All cells as strings, with canonical column names, and the separator used."""
    sep = _sniff(text)
    lines = text.splitlines()
    heads = [ln.split(sep, 1)[0].strip().lower() for ln in lines[:2]]
    try:
        if sorted(heads) == ["price", "ticker"]:  # yfinance download(): (Price, Ticker) header
            wide = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=[0, 1],
                index_col=0,
                skiprows=[2],
                dtype=str,
                keep_default_na=False,
            )
            level = 1 if heads[1] == "ticker" else 0
            frame = wide.stack(level=level, future_stack=True).rename_axis(["date", "ticker"])
            frame = frame.reset_index()
        else:
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True
            )
    except (pd.errors.ParserError, ValueError, IndexError) as exc:
        raise DataError(f"{name} is not a readable CSV: {str(exc).splitlines()[0]}") from exc
    frame.columns = [
        # '<CLOSE>' (Stooq), 'Close*' and 'Adj Close**' (Yahoo's web page) name plain columns;
        # pandas reads a repeated header 'Close' as 'Close.1': the same column again
        _ALIASES.get(_base(c).strip("<>*").strip().lower(), _base(c).lower())
        for c in frame.columns
    ]
    return _one_of_each(frame, name), sep


def _base(column: object) -> str:
    text = str(column).strip()
    head, dot, tail = text.rpartition(".")
    return head if dot and tail.isdigit() and head else text


def _one_of_each(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A column given twice: the same values are one column; different ones are refused,
    since which is the real close cannot be known."""
    for column in frame.columns[frame.columns.duplicated()].unique():
        copies = frame.loc[:, frame.columns == column]
        if not all(copies.iloc[:, 0].equals(copies.iloc[:, k]) for k in range(copies.shape[1])):
            raise DataError(f"{name} has the column {column!r} twice with different values")
    return frame.loc[:, ~frame.columns.duplicated()]


def _decimal(frame: pd.DataFrame, sep: str) -> str:
    """The decimal mark: the later of ',' and '.' where a cell has both, else by separator."""
    cells = pd.concat([frame[c] for c in NUMBERS if c in frame]).astype(str)
    both = cells[cells.str.contains(",", regex=False) & cells.str.contains(".", regex=False)]
    if len(both):
        first = both.iloc[0]
        return "," if first.rfind(",") > first.rfind(".") else "."
    return "," if sep != "," and cells.str.contains(",", regex=False).any() else "."


def _numbers(col: pd.Series, decimal: str, column: str) -> pd.Series:
    text = col.astype(str).str.strip().str.replace(r"[\s$€£¥]", "", regex=True)
    text = text.str.replace("." if decimal == "," else ",", "", regex=False)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    text = text.mask(text.str.lower().isin(_MISSING))
    out = pd.to_numeric(text, errors="coerce")
    bad = out.isna() & text.notna()
    if bad.any():
        raise DataError(f"non-numeric value in column {column!r}: {col[bad].iloc[0]!r}"[:200])
    return out.astype("float64")


def _ticker_of(raw: str) -> str:
    text = raw.strip().upper()
    text = text[:-3] if text.endswith(".US") else text  # Stooq's US suffix
    try:
        return symbols.normalize(text)
    except StockrnnError:
        return text


def _frame(rows: pd.DataFrame, decimal: str, date_format: str | None, name: str) -> pd.DataFrame:
    """One ticker's string rows -> a standard float frame indexed by date."""
    times = rows["time"] if "time" in rows else None
    try:
        dates = csvdates.parse(rows["date"], date_format, times)
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from exc
    columns = {  # already the standard frame (sources.standardize): floats in KNOWN order
        c: _numbers(rows[c], decimal, c).to_numpy() if c in rows else np.zeros(len(rows))
        for c in KNOWN
        if c in rows or c == "volume"
    }
    out = pd.DataFrame(columns, index=pd.DatetimeIndex(dates, name="date"))
    _check_duplicates(out, name)
    return out


def _check_columns(frame: pd.DataFrame, name: str) -> None:
    if "date" not in frame:
        cols = ", ".join(map(str, frame.columns))[:120]
        raise DataError(f"{name} has no Date column (columns: {cols}); {understood()}")
    missing = [c for c in ("open", "high", "low", "close") if c not in frame]
    if missing:
        raise DataError(f"{name} is missing column(s): {', '.join(missing)}; {understood()}")
    if "per" in frame and (frame["per"].str.strip().str.upper() != "D").any():
        raise DataError(f"{name} is not daily bars (its PER column says {frame['per'].iloc[0]!r})")


def parse(text: str, name: str = "CSV", date_format: str | None = None) -> Table:
    """Parse CSV text into standard frames per ticker; DataError on anything odd."""
    if not text.strip():
        raise DataError(f"{name} is empty")
    frame, sep = _read(text, name)
    _check_columns(frame, name)
    decimal = _decimal(frame, sep)
    if "ticker" not in frame:
        return Table({None: _frame(frame, decimal, date_format, name)}, name)
    keys = frame["ticker"].map(_ticker_of)
    frames: dict[str | None, pd.DataFrame] = {
        str(t): _frame(rows, decimal, date_format, f"{name} ({t})")
        for t, rows in frame.groupby(keys, sort=True)
        if str(t)
    }
    if not frames:
        raise DataError(f"{name}'s ticker column is empty")
    return Table(frames, name)


def _check_duplicates(frame: pd.DataFrame, name: str) -> None:
    """A date given twice with different bars is ambiguous; identical repeats are dropped later."""
    dup = frame.index.duplicated(keep=False)
    if dup.any():
        clash = frame[dup].groupby(level=0).nunique(dropna=False).max(axis=1) > 1
        if clash.any():
            days = ", ".join(d.strftime("%Y-%m-%d") for d in clash.index[clash][:3])
            raise DataError(
                f"{name} has dates repeated with different values ({days}); keep one row per date"
            )


def read(path: Path, date_format: str | None = None) -> Table:
    """Read (and decompress) the file at `path`."""
    return parse(csvtext.read_text(path), name=str(path), date_format=date_format)


FRAME = Path("DataFrame")  # the name a frame given in Python is imported and reported under


def from_frame(frame: pd.DataFrame, date_format: str | None = None) -> Table:
    """An in-memory frame in any layout a CSV may have (a date index or a date column),
    read exactly as that CSV would be, so it gets the same checks and the same errors."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame of daily bars, not {type(frame).__name__}")
    out = frame
    if isinstance(out.index, pd.DatetimeIndex) or out.index.name is not None:
        out = out.rename_axis(out.index.name or "date").reset_index()
    return parse(out.to_csv(index=False), name=str(FRAME), date_format=date_format)


def fetched(frame: pd.DataFrame, path: Path) -> Fetched:
    return Fetched(frame, source=f"csv:{path.name}", adjusted=False)


def fetch(path: Path, symbol: str | None = None, date_format: str | None = None) -> Fetched:
    """The bars for `symbol` (or the file's only series) from the CSV at `path`."""
    return fetched(read(path, date_format).one(symbol), path)
