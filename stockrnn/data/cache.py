"""The data cache: one CSV per ticker plus its JSON manifest (manifests.py), both written
atomically, read back checked."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn import __version__
from stockrnn.common import atomic, symbols, workspace
from stockrnn.common.errors import DataError, NotCachedError
from stockrnn.data.manifests import (
    Manifest,
    csv_path,
    manifest_path,
    prev_path,
    read_manifest,
    rebuild_hint,
)


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
