"""The data cache: one CSV per ticker plus a JSON manifest, both written atomically."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn import __version__
from stockrnn.common import atomic, symbols, workspace
from stockrnn.common.errors import DataError, NotCachedError, StockrnnError
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


def history_sha256(frame: pd.DataFrame, through: str) -> str:
    """sha256 of the cache file this frame would have held with its rows up to `through`.

    A model records its tickers' sha256 at training time; comparing with this tells apart new
    bars appended since (the same digest) from a re-written history (another one).
    """
    return hashlib.sha256(to_csv_bytes(frame.loc[:through])).hexdigest()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out["volume"] = out["volume"].round().astype("int64")
    text: str = out.to_csv(index_label="date", lineterminator="\n")
    return text.encode()


def save(data_dir: Path, frame: pd.DataFrame, manifest: Manifest) -> Manifest:
    """Write CSV and manifest atomically; fills in rows, dates and sha256. Called holding the
    ticker's lock, so it first sweeps the temp files a killed save of this ticker left."""
    stem = symbols.file_stem(manifest.symbol)
    for ext in ("csv", "json"):
        atomic.sweep(data_dir, prefix=f".{stem}.{ext}.tmp-")
    payload = to_csv_bytes(frame)
    manifest.rows = len(frame)
    manifest.first_date = frame.index[0].strftime("%Y-%m-%d")
    manifest.last_date = frame.index[-1].strftime("%Y-%m-%d")
    manifest.sha256 = hashlib.sha256(payload).hexdigest()
    manifest.stockrnn_version = __version__
    meta = json.dumps(asdict(manifest), indent=2).encode()
    csv, prev = csv_path(data_dir, manifest.symbol), prev_path(data_dir, manifest.symbol)
    # Keep the old CSV reachable until the manifest is renamed too: a crash between the two
    # renames is then undone by load(), which puts it back.
    old = _keep_previous(csv, prev)
    try:
        atomic.write_files([(csv, payload), (manifest_path(data_dir, manifest.symbol), meta)])
    except BaseException:
        if old is not None and _read(csv) == old:  # nothing was renamed yet
            prev.unlink(missing_ok=True)
        raise
    prev.unlink(missing_ok=True)
    return manifest


def _read(path: Path) -> bytes | None:
    try:
        return workspace.read_regular(path)
    except OSError:
        return None


def _keep_previous(csv: Path, prev: Path) -> bytes | None:
    """The current CSV's bytes, kept as `.T.csv.prev` until the save commits: a hard link
    where the file system has them, else a copy (exFAT, FAT32 and some network drives have
    none). None when there is no CSV yet."""
    try:
        prev.unlink(missing_ok=True)
        if not csv.exists():
            return None
        old = workspace.read_regular(csv)
        try:
            os.link(csv, prev)
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            atomic.write_bytes(prev, old)
        return old
    except OSError as exc:
        raise atomic.storage_error(prev, exc) from exc


_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


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


def load(data_dir: Path, symbol: str) -> tuple[pd.DataFrame, Manifest]:
    """The cached frame and its manifest; the CSV must match the manifest's sha256."""
    mpath, cpath = manifest_path(data_dir, symbol), csv_path(data_dir, symbol)
    if not mpath.exists() or not cpath.exists():
        raise NotCachedError(
            f"no cached data for {symbol} in {data_dir}; "
            f"run `stockrnn fetch {symbol}` (or --source sample / --csv FILE)"
        )
    manifest = read_manifest(mpath)
    if manifest.symbol != symbol:
        raise DataError(f"{mpath} describes {manifest.symbol!r}, not {symbol}")
    try:
        payload = workspace.read_regular(cpath)
    except OSError as exc:
        raise DataError(f"cannot read {cpath}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != manifest.sha256:
        payload = _restore_previous(data_dir, symbol, manifest)
    # pandas 3 parses floats round-trip exact: the bytes (and their sha256) rebuild from them
    frame = pd.read_csv(io.BytesIO(payload), index_col="date", parse_dates=["date"]).astype(
        "float64"
    )
    prices = frame[[c for c in ("open", "high", "low", "close") if c in frame]].to_numpy()
    if not np.isfinite(prices).all() or (prices <= 0).any():
        raise DataError(
            f"{cpath} holds non-finite or non-positive prices (damaged); "
            f"{rebuild_hint(symbol, manifest)}"
        )
    return frame, manifest


def _restore_previous(data_dir: Path, symbol: str, manifest: Manifest) -> bytes:
    """Undo a save that died between its two renames; DataError if the CSV was edited."""
    prev, cpath = prev_path(data_dir, symbol), csv_path(data_dir, symbol)
    if prev.exists() and (payload := _read(prev)) is not None:
        if hashlib.sha256(payload).hexdigest() == manifest.sha256:
            try:
                os.replace(prev, cpath)
            except OSError:
                pass  # another reader restored it first, or the folder is read-only
            return payload
    raise DataError(
        f"{cpath} does not match its manifest (edited or damaged); {rebuild_hint(symbol, manifest)}"
    )


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
