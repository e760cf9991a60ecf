"""The data cache: one CSV per ticker plus a JSON manifest, both written atomically."""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.common import atomic, symbols, workspace
from stockrnn.common.errors import DataError, NotCachedError

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
    """Write CSV and manifest atomically; fills in rows, dates and sha256."""
    payload = to_csv_bytes(frame)
    manifest.rows = len(frame)
    manifest.first_date = frame.index[0].strftime("%Y-%m-%d")
    manifest.last_date = frame.index[-1].strftime("%Y-%m-%d")
    manifest.sha256 = hashlib.sha256(payload).hexdigest()
    meta = json.dumps(asdict(manifest), indent=2).encode()
    csv, prev = csv_path(data_dir, manifest.symbol), prev_path(data_dir, manifest.symbol)
    # Keep the old CSV reachable until the manifest is renamed too: a crash between the two
    # renames is then undone by load(), which puts it back.
    try:
        prev.unlink(missing_ok=True)
        if csv.exists():
            os.link(csv, prev)
    except OSError as exc:
        raise atomic.storage_error(prev, exc) from exc
    try:
        atomic.write_files([(csv, payload), (manifest_path(data_dir, manifest.symbol), meta)])
    except BaseException:
        if prev.exists() and os.path.samefile(prev, csv):  # nothing was renamed yet
            prev.unlink(missing_ok=True)
        raise
    prev.unlink(missing_ok=True)
    return manifest


def read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text())
        known = {f.name for f in fields(Manifest)}
        return Manifest(**{k: v for k, v in raw.items() if k in known})
    except (OSError, ValueError, TypeError) as exc:
        raise DataError(f"{path} is not a valid stockrnn manifest") from exc


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
        payload = cpath.read_bytes()
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
    if prev.exists():
        payload = prev.read_bytes()
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
    """Manifests of every cached ticker, sorted by symbol (unreadable ones skipped)."""
    out = []
    for path in sorted(data_dir.glob("*.json")) if data_dir.is_dir() else []:
        if path.is_symlink():
            continue
        try:
            out.append(read_manifest(path))
        except DataError:
            continue
    return sorted(out, key=lambda m: m.symbol)
