"""An exchange's sessions and closes kept in data/calendars/NAME.npz, so that predict and list
need not build the calendar again.

exchange_calendars takes about 0.25 s to build a calendar, whatever its span (its holiday
rules are expanded over pandas' whole holiday range), after a 0.15 s import: together about
half of a cold predict's time beyond torch's own import (docs/performance.md). fetch builds
the calendar anyway to check the bars, so it keeps the sessions here. A reader uses them only
when they were written by the exchange_calendars version installed now and answer the
question whole (they start by the last bar and run past now); otherwise the calendar is
built as before. The file holds numbers and text only (np.load refuses pickles), and is
checked before use: anything odd and it is ignored.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from stockrnn.common import atomic, workspace
from stockrnn.common.errors import StockrnnError

FOLDER = "calendars"
FORMAT = 1
_MAX_BYTES = 4 << 20  # 140 years of sessions take under 1 MB


@dataclass(frozen=True)
class Sessions:
    """One calendar's sessions (datetime64[D]) and their closes (datetime64[s], UTC), as the
    exchange_calendars version `version` gave them."""

    name: str
    version: str
    dates: np.ndarray
    closes: np.ndarray

    def _after(self, last: date) -> int:
        return int(np.searchsorted(self.dates, np.datetime64(last, "D"), side="right"))

    def answers(self, last: date, count: int = 0, now: np.datetime64 | None = None) -> bool:
        """Whether these sessions give `count` sessions after `last`, and every close after
        it up to `now`, exactly as the whole calendar would."""
        if not len(self.dates) or self.dates[0] > np.datetime64(last, "D"):
            return False
        if self._after(last) + count > len(self.dates):
            return False
        return now is None or bool(self.closes[-1] > now)

    def following(self, last: date, count: int) -> list[date]:
        """The `count` sessions strictly after `last` (check `answers` first)."""
        i = self._after(last)
        return [d.item() for d in self.dates[i : i + count]]

    def closed_since(self, last: date, now: np.datetime64) -> int:
        """How many sessions after `last` have closed by `now` (check `answers` first)."""
        return int((self.closes[self._after(last) :] <= now).sum())


def utc_now() -> np.datetime64:
    return np.datetime64(datetime.now(UTC).replace(tzinfo=None), "s")


def installed_version() -> str | None:
    """The exchange_calendars version installed, read without importing it (0.15 s)."""
    from importlib import metadata

    try:
        return metadata.version("exchange_calendars")
    except metadata.PackageNotFoundError:
        return None


def path_of(data_dir: Path, name: str) -> Path | None:
    """Where calendar `name`'s sessions are kept; None for a name that is no plain file name
    (exchange_calendars has "24/7"): those are always built."""
    if not _PLAIN.fullmatch(name) or workspace.reserved_reason(name):
        return None
    return workspace.inside(data_dir, FOLDER, f"{name}.npz")


_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def load(data_dir: Path, name: str) -> Sessions | None:
    """The kept sessions of calendar `name`, or None when there are none fit to use."""
    version = installed_version()
    try:
        path = path_of(data_dir, name)
        if path is None:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # never through a link
        with open(fd, "rb") as fh:
            payload = fh.read(_MAX_BYTES + 1)
    except (OSError, StockrnnError):
        return None
    if version is None or len(payload) > _MAX_BYTES:
        return None
    return _parse(payload, name, version)


def _parse(payload: bytes, name: str, version: str) -> Sessions | None:
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            fields = {k: npz[k] for k in ("format", "name", "version", "dates", "closes")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    dates, closes = fields["dates"], fields["closes"]
    ok = (
        fields["format"].shape == () and fields["format"].dtype.kind == "i"
        and int(fields["format"]) == FORMAT
        and fields["name"].dtype.kind == "U" and str(fields["name"]) == name
        and fields["version"].dtype.kind == "U" and str(fields["version"]) == version
        and dates.dtype == np.dtype("datetime64[D]") and closes.dtype == np.dtype("datetime64[s]")
        and dates.ndim == 1 and dates.shape == closes.shape and len(dates) > 0
        and bool(np.all(dates[1:] > dates[:-1])) and bool(np.all(closes[1:] > closes[:-1]))
    )  # fmt: skip
    return Sessions(name=name, version=version, dates=dates, closes=closes) if ok else None


_keeping = threading.Lock()  # fetch's thread pool: one writer per process at a time


def keep(data_dir: Path, name: str, calendar: Any) -> None:
    """Keep a built exchange_calendars `calendar`'s sessions, joined to those already kept
    when they overlap. Best effort: the cache is already saved, and a reader that finds no
    file builds the calendar instead, so a failed write is not an error."""
    version = installed_version()
    if version is None:
        return
    dates = calendar.sessions.to_numpy().astype("datetime64[D]")
    closes = calendar.closes.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    new = Sessions(name, version, dates, closes.astype("datetime64[s]"))
    with _keeping:
        old = load(data_dir, name)
        if old is not None and old.dates[0] <= new.dates[0] and old.dates[-1] >= new.dates[-1]:
            return  # nothing new
        if old is not None and old.dates[0] <= new.dates[-1] and new.dates[0] <= old.dates[-1]:
            new = _joined(new, old)
        try:
            path = path_of(data_dir, name)
            if path is not None:
                atomic.write_bytes(path, _payload(new))
        except StockrnnError:
            pass


def _joined(new: Sessions, old: Sessions) -> Sessions:
    """Two overlapping spans of one calendar version as one (the newer wins where both are)."""
    dates = np.concatenate([new.dates, old.dates])
    closes = np.concatenate([new.closes, old.closes])
    dates, first = np.unique(dates, return_index=True)
    return Sessions(new.name, new.version, dates, closes[first])


def _payload(s: Sessions) -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf,
        format=np.array(FORMAT),
        name=np.array(s.name),
        version=np.array(s.version),
        dates=s.dates,
        closes=s.closes,
    )
    return buf.getvalue()
