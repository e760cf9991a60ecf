"""A cached ticker's manifest (data/T.json): where its bars came from, what they hold, and
where its files lie. Read without pandas, so that `list` answers without loading it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from stockrnn.common import symbols, workspace
from stockrnn.common.errors import DataError, StockrnnError
from stockrnn.common.limits import FIRST_YEAR, LAST_YEAR

FORMAT = 1


@dataclass
class Manifest:
    """Where a cached series came from and what it holds."""

    symbol: str
    source: str
    fetched_at: str
    adjusted: bool
    yfinance_version: str | None = None
    calendar: str = "XNYS"
    validation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: int = FORMAT
    stockrnn_version: str = ""  # the version that wrote it ("" before 0.2.0)
    # Derived from the frame by save(): never set them by hand.
    first_date: str = ""
    last_date: str = ""
    rows: int = 0
    sha256: str = ""


def csv_path(data_dir: Path, symbol: str) -> Path:
    return workspace.inside(data_dir, f"{symbols.file_stem(symbol)}.csv")


def manifest_path(data_dir: Path, symbol: str) -> Path:
    return workspace.inside(data_dir, f"{symbols.file_stem(symbol)}.json")


def prev_path(data_dir: Path, symbol: str) -> Path:
    return workspace.inside(data_dir, f".{symbols.file_stem(symbol)}.csv.prev")


def lock_path(data_dir: Path, symbol: str) -> Path:
    return workspace.inside(data_dir, f".{symbols.file_stem(symbol)}.lock")


def refresh_hint(manifest: Manifest) -> str:
    """The command that brings newer bars, for where this ticker's data came from."""
    if manifest.source == "sample":
        return (
            "the bundled sample ends 2013-03-01: "
            f"`stockrnn fetch {manifest.symbol}` downloads newer bars from Yahoo"
        )
    if manifest.source.startswith("csv:"):
        return f"import a newer file: `stockrnn fetch {manifest.symbol} --csv FILE`"
    return f"run `stockrnn fetch {manifest.symbol}`"


def rebuild_hint(symbol: str, manifest: Manifest | None) -> str:
    if manifest is not None and manifest.source.startswith("csv:"):
        return f"import the file again: `stockrnn fetch {symbol} --csv FILE`"
    if manifest is not None and manifest.source == "sample":
        return f"run `stockrnn fetch {symbol} --source sample`"
    return f"run `stockrnn fetch {symbol} --full` to rebuild it"


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "symbol": str,
    "source": str,
    "fetched_at": str,
    "adjusted": bool,
    "yfinance_version": (str, type(None)),
    "calendar": str,
    "validation": list,
    "warnings": list,
    "format": int,
    "first_date": str,
    "last_date": str,
    "rows": int,
    "sha256": str,
}


def read_manifest(path: Path) -> Manifest:
    """The manifest, every field checked; DataError with one line when one makes no sense."""
    try:
        raw = json.loads(workspace.read_regular(path))  # no FIFO to wait on, no link
    except (OSError, ValueError, RecursionError) as exc:
        raise DataError(f"{path} is not a valid stockrnn manifest (not JSON)") from exc
    if not isinstance(raw, dict):
        raise DataError(f"{path} is not a valid stockrnn manifest")
    for name, kind in _FIELDS.items():
        value = raw.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise DataError(f"{path}: field {name!r} is missing or has the wrong type")
    version = raw.get("stockrnn_version", "")  # written from 0.2.0 on
    if not isinstance(version, str):
        raise DataError(f"{path}: field 'stockrnn_version' is not text")
    manifest = Manifest(**{k: raw[k] for k in _FIELDS}, stockrnn_version=version)
    why = _nonsense(manifest)
    if why:
        raise DataError(f"{path}: {why} (damaged or edited)")
    return manifest


def _nonsense(m: Manifest) -> str | None:
    """What in a manifest of the right types makes no sense, or None."""
    try:
        first, last = date.fromisoformat(m.first_date), date.fromisoformat(m.last_date)
    except ValueError:
        return "field 'first_date' or 'last_date' is not a date"
    try:
        symbol_ok = symbols.normalize(m.symbol) == m.symbol
    except StockrnnError:
        symbol_ok = False
    checks = [
        (symbol_ok, "field 'symbol' is not a ticker symbol"),
        (bool(m.source) and bool(m.calendar), "field 'source' or 'calendar' is empty"),
        (m.format == FORMAT, f"field 'format' is {m.format}, not {FORMAT}"),
        (first <= last, "its dates are out of order"),
        (FIRST_YEAR <= first.year and last.year <= LAST_YEAR, "its dates are out of range"),
        (m.rows >= 2, "field 'rows' is below 2"),
        (re.fullmatch(r"[0-9a-f]{64}", m.sha256) is not None, "field 'sha256' is not a digest"),
        (all(isinstance(t, str) for t in [*m.validation, *m.warnings]), "its notes are not text"),
    ]
    return next((why for ok, why in checks if not ok), None)


def cached(data_dir: Path) -> list[Manifest]:
    """Manifests of every cached ticker, sorted by symbol (unreadable ones left out:
    `entries` has them too, with why)."""
    return [m for m in entries(data_dir) if isinstance(m, Manifest)]


def linked(data_dir: Path) -> list[Path]:
    """Manifests that are symbolic links (never followed: `entries` skips them)."""
    return (
        [p for p in sorted(data_dir.glob("*.json")) if p.is_symlink()] if data_dir.is_dir() else []
    )


def entries(data_dir: Path) -> list[Manifest | tuple[str, str]]:
    """Every manifest in `data_dir` (links skipped), or (file stem, why) where unreadable;
    readable ones sorted by symbol, first."""
    good, bad = [], []
    for path in sorted(data_dir.glob("*.json")) if data_dir.is_dir() else []:
        if path.is_symlink():
            continue
        try:
            good.append(read_manifest(path))
        except DataError as exc:
            bad.append((path.stem, str(exc)))
    return [*sorted(good, key=lambda m: m.symbol), *bad]
