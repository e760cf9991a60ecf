"""The user's own CSV in the Yahoo layouts: any column order or case, either date order."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from stockrnn.errors import DataError
from stockrnn.sources import Fetched, standardize

MAX_BYTES = 512 * 1024 * 1024


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_BYTES:
        raise DataError(f"{path} is larger than {MAX_BYTES // 2**20} MiB")
    if b"\x00" in raw[:4096]:
        raise DataError(f"{path} is a binary file, not a CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text") from exc


def parse(text: str, name: str = "CSV") -> pd.DataFrame:
    """Parse CSV text into a standard frame (see sources.standardize); DataError on anything odd."""
    if not text.strip():
        raise DataError(f"{name} is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{name} is not a readable CSV: {str(exc).splitlines()[0]}") from exc
    cols = {str(c).strip().lower(): c for c in frame.columns}
    date_col = cols.get("date") or cols.get("datetime") or cols.get("timestamp")
    if date_col is None:
        names = ", ".join(map(str, frame.columns))
        raise DataError(f"{name} has no Date column (columns: {names})")
    missing = [c for c in ("open", "high", "low", "close") if c not in cols]
    if missing:
        raise DataError(f"{name} is missing column(s): {', '.join(missing)}")
    dates = pd.to_datetime(frame[date_col].str.strip(), errors="coerce", format="mixed")
    if dates.isna().any():
        first = frame[date_col][dates.isna()].iloc[0]
        raise DataError(f"{name} has an unreadable date: {first!r}"[:200])
    frame = frame.drop(columns=date_col).set_index(pd.DatetimeIndex(dates))
    frame = frame.replace({"": None, "null": None, "NaN": None, "nan": None})
    if "volume" not in cols:
        frame["volume"] = "0"
    out = standardize(frame)
    _check_rows(out, name)
    return out


def _check_rows(frame: pd.DataFrame, name: str) -> None:
    """A series needs two days; a date given twice with different bars is ambiguous."""
    if len(frame) < 2:
        raise DataError(f"{name} has only {len(frame)} row: at least 2 are needed")
    dup = frame.index.duplicated(keep=False)
    if dup.any():
        clash = frame[dup].groupby(level=0).nunique(dropna=False).max(axis=1) > 1
        if clash.any():
            days = ", ".join(d.strftime("%Y-%m-%d") for d in clash.index[clash][:3])
            raise DataError(
                f"{name} has dates repeated with different values ({days}); keep one row per date"
            )


def fetch(path: Path) -> Fetched:
    """Read the CSV at `path`."""
    frame = parse(_decode(path), name=str(path))
    return Fetched(frame, source=f"csv:{path.name}", adjusted=False)
