"""An exchange's sessions and closes kept in data/calendars/NAME.json, so that predict and
list need not build the calendar again.

exchange_calendars takes about 0.25 s to build a calendar, whatever its span (its holiday
rules are expanded over pandas' whole holiday range), after a 0.15 s import: together about a
quarter of a cold predict (docs/performance.md). fetch builds
the calendar anyway to check the bars, so it keeps the sessions here. A reader uses them only
when they were written by the exchange_calendars version installed now and answer the
question whole (they start by the last bar and run past now); otherwise the calendar is
built as before. The file is plain JSON, read only if it is a regular file of bounded size,
and every field is checked before use: anything odd and it is ignored. Each fetch that
builds the calendar compares it with the kept file, and replaces a file that disagrees.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from stockrnn.common import atomic, workspace
from stockrnn.common.errors import StockrnnError
from stockrnn.common.limits import FIRST_YEAR, LAST_YEAR

FOLDER = "calendars"
FORMAT = 1
_MAX_BYTES = 8 << 20  # 140 years of sessions take about 1 MB
_DAY = 86_400


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


def moment_of(now: datetime) -> np.datetime64:
    """A timezone-aware moment as the UTC seconds these tables compare closes with."""
    return np.datetime64(int(now.timestamp()), "s")


def behind(stored: Sessions | None, last: date, moment: np.datetime64) -> int | None:
    """How many sessions after `last` have closed by `moment`, from kept sessions; None when
    there are none or they cannot tell (then the calendar must be built)."""
    if stored is None or not stored.answers(last, now=moment):
        return None
    return stored.closed_since(last, moment)


@lru_cache(maxsize=1)
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
    name = name.upper()  # as trading_calendar builds it
    if not _PLAIN.fullmatch(name) or workspace.reserved_reason(name):
        return None
    return workspace.inside(data_dir, FOLDER, f"{name}.json")


_PLAIN = re.compile(r"[A-Z0-9_-]{1,32}")


def load(data_dir: Path, name: str) -> Sessions | None:
    """The kept sessions of calendar `name`, or None when there are none fit to use."""
    version = installed_version()
    try:
        path = path_of(data_dir, name)
        if path is None or version is None:
            return None
        payload = workspace.read_regular(path, _MAX_BYTES)  # no link, FIFO or giant
    except (OSError, StockrnnError):
        return None
    return _parse(payload, name.upper(), version)


def reader(data_dir: Path) -> Callable[[str], Sessions | None]:
    """load() for one data folder, each calendar's file read once (a command's many tickers)."""
    return lru_cache(maxsize=None)(partial(load, data_dir))


def _parse(payload: bytes, name: str, version: str) -> Sessions | None:
    """The sessions in a kept file, or None unless every field is what keep() writes."""
    try:
        raw = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or (raw.get("format"), raw.get("name")) != (FORMAT, name):
        return None
    days, closes = raw.get("sessions"), raw.get("closes")
    if raw.get("exchange_calendars") != version or not _ints(days) or not _ints(closes):
        return None
    assert isinstance(days, list) and isinstance(closes, list)
    if not 0 < len(days) == len(closes) <= 200_000:
        return None
    d, c = np.array(days, np.int64), np.array(closes, np.int64)
    offset = c - d * _DAY  # each close within a day before or two after its session's date
    ok = (
        bool(np.all(np.diff(d) > 0)) and bool(np.all(np.diff(c) > 0))
        and bool(np.all((offset > -_DAY) & (offset < 2 * _DAY)))
        and FIRST_YEAR <= _year(d[0]) and _year(d[-1]) <= LAST_YEAR
    )  # fmt: skip
    if not ok:
        return None
    return Sessions(name, version, d.astype("datetime64[D]"), c.astype("datetime64[s]"))


def _ints(values: object) -> bool:
    """A list of whole numbers that fit int64 (days and seconds since 1970 do, by far)."""
    return isinstance(values, list) and all(type(v) is int and abs(v) < 2**62 for v in values)


def _year(day: np.int64) -> int:
    return int(np.datetime64(int(day), "D").astype("datetime64[Y]").astype(int)) + 1970


_keeping = threading.Lock()  # fetch's thread pool: one writer per process at a time
_done: set[tuple[str, str, str, str]] = set()  # (folder, name, first, last) kept already


def keep(data_dir: Path, name: str, calendar: Any) -> None:
    """Keep a built exchange_calendars `calendar`'s sessions, joined to those already kept
    when they overlap and agree (a kept file that disagrees with the calendar is replaced).
    Best effort: the cache is already saved, and a reader that finds no file builds the
    calendar instead, so a failed write is not an error."""
    version = installed_version()
    if version is None:
        return
    name = name.upper()
    dates = calendar.sessions.to_numpy().astype("datetime64[D]")
    closes = calendar.closes.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    new = Sessions(name, version, dates, closes.astype("datetime64[s]"))
    span = (str(data_dir), name, str(dates[0]), str(dates[-1]))
    with _keeping:
        if span in _done:  # a fetch of 500 tickers keeps one exchange's sessions once
            return
        old = load(data_dir, name)
        if old is not None and _agree(old, new):
            if old.dates[0] <= new.dates[0] and old.dates[-1] >= new.dates[-1]:
                _done.add(span)
                return  # nothing new
            new = _joined(new, old)
        try:
            path = path_of(data_dir, name)
            if path is not None:
                atomic.sweep(path.parent, prefix=f".{path.name}.tmp-")  # a killed writer's
                atomic.write_bytes(path, _payload(new))
                _done.add(span)
        except StockrnnError:
            pass


def _agree(old: Sessions, new: Sessions) -> bool:
    """Whether two spans of one calendar version overlap and hold the same sessions there."""
    lo, hi = max(old.dates[0], new.dates[0]), min(old.dates[-1], new.dates[-1])
    if lo > hi:
        return False
    a = (old.dates >= lo) & (old.dates <= hi)
    b = (new.dates >= lo) & (new.dates <= hi)
    return bool(
        np.array_equal(old.dates[a], new.dates[b]) and np.array_equal(old.closes[a], new.closes[b])
    )


def _joined(new: Sessions, old: Sessions) -> Sessions:
    """Two agreeing spans of one calendar as one."""
    keep_old = (old.dates < new.dates[0]) | (old.dates > new.dates[-1])
    dates = np.concatenate([new.dates, old.dates[keep_old]])
    closes = np.concatenate([new.closes, old.closes[keep_old]])
    order = np.argsort(dates)
    return Sessions(new.name, new.version, dates[order], closes[order])


def _payload(s: Sessions) -> bytes:
    """Plain JSON: the sessions as days and their closes as seconds since 1970-01-01 UTC."""
    return json.dumps(
        {
            "format": FORMAT,
            "name": s.name,
            "exchange_calendars": s.version,
            "sessions": s.dates.astype(np.int64).tolist(),
            "closes": s.closes.astype(np.int64).tolist(),
        },
        separators=(",", ":"),
    ).encode()
