"""A CSV file's text: decompressed (gzip, bz2, xz, zip, told by their magic bytes) and decoded.

Compression is read from the bytes, not the file name, so `prices.csv` that is really gzip
still imports; every stream is capped at MAX_BYTES so a compression bomb cannot fill memory.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
from pathlib import Path
from typing import Protocol

from stockrnn.common.errors import DataError

MAX_BYTES = 512 * 1024 * 1024
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
}


def compression(head: bytes) -> str | None:
    """The compression named by a file's first bytes, or None for plain text."""
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _capped(stream: _Readable, path: Path) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DataError(f"{path} holds more than {MAX_BYTES // 2**20} MiB of text")
    return data


def _unzip(raw: bytes, path: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members[:5]) or "nothing"
            raise DataError(f"{path} must hold exactly one CSV file (it holds {names})")
        with archive.open(members[0]) as fh:
            return _capped(fh, path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when they are gzip, bz2, xz or zip."""
    try:
        with open(path, "rb") as fh:
            raw = _capped(fh, path)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    kind = compression(raw[:8])
    try:
        if kind == "gzip":
            return _capped(gzip.GzipFile(fileobj=io.BytesIO(raw)), path)
        if kind == "bz2":
            return _capped(bz2.BZ2File(io.BytesIO(raw)), path)
        if kind == "xz":
            return _capped(lzma.LZMAFile(io.BytesIO(raw)), path)
        if kind == "zip":
            return _unzip(raw, path)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path} is a damaged {kind} file: {exc}") from exc
    return raw


def read_text(path: Path) -> str:
    """Decoded text of a (possibly compressed) CSV; DataError for binary or non-UTF-8 files."""
    raw = read_bytes(path)
    if b"\x00" in raw[:4096]:
        raise DataError(f"{path} is a binary file, not a CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (save it as UTF-8 CSV)") from exc
