"""Exchange sessions (exchange_calendars): which bars are final, and which days come next."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError, UsageError
from stockrnn.data import session_table
from stockrnn.data.session_table import Sessions

DEFAULT_CALENDAR = "XNYS"
# The earliest day any calendar is built from; calendars whose holidays start later (XHKG:
# 1960) begin at their own first recorded year instead.
EARLIEST = pd.Timestamp("1885-01-01")


def get_calendar(name: str = DEFAULT_CALENDAR, since: date | None = None) -> Any:
    """The calendar `name` covering `since` onwards (from its earliest session when not given).

    Building a calendar costs time in proportion to its span, so callers that only look at
    recent sessions ask for a short one.
    """
    start = pd.Timestamp(since or EARLIEST) - pd.Timedelta(days=14)
    # exchange_calendars refuses a start past its end (a year ahead): clamp to the past month
    start = min(max(start, EARLIEST), pd.Timestamp.now() - pd.Timedelta(days=30))
    with _building:  # catch_warnings below is process-wide: one build at a time (fetch pool)
        cal = _build(name.upper(), start.strftime("%Y-%m-01"))
        widest = _widest.get(name.upper())
        if widest is None or cal.first_session < widest.first_session:
            _widest[name.upper()] = cal
        return cal


_building = threading.Lock()
_widest: dict[str, Any] = {}  # per name, the calendar built from the earliest start


def built(name: str) -> Any | None:
    """The widest calendar `name` this process has built, if any (what fetch keeps)."""
    return _widest.get(name.upper())


@lru_cache(maxsize=16)
def _build(name: str, start: str) -> Any:
    import warnings

    import exchange_calendars as xcals

    try:
        with warnings.catch_warnings():
            # exchange_calendars 4.x trips pandas 3.1 deprecation warnings while building.
            warnings.simplefilter("ignore")
            try:
                return xcals.get_calendar(name, start=start)
            except ValueError:  # holidays recorded from a later year: start there
                floor = xcals.get_calendar(name).bound_min()
                return xcals.get_calendar(name, start=max(floor, pd.Timestamp(start)))
    except xcals.errors.InvalidCalendarName as exc:
        raise UsageError(f"unknown exchange calendar {name!r} (e.g. XNYS, XLON, XTKS)") from exc


@lru_cache(maxsize=16)
def _closes(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(session dates, their closes in UTC), both datetime64[ns] and tz-naive, sorted."""
    closes = get_calendar(name).closes
    dates = pd.DatetimeIndex(closes.index)
    dates = dates.tz_localize(None) if dates.tz else dates
    utc = pd.DatetimeIndex(closes).tz_convert("UTC").tz_localize(None)  # closes are UTC
    return dates.as_unit("ns").to_numpy(), utc.as_unit("ns").to_numpy()


def close_times(name: str, dates: pd.DatetimeIndex, unknown: str) -> np.ndarray:
    """The UTC close of each session date (datetime64[ns]); a date that is not a session of
    the calendar gets the start of its day (`unknown="early"`) or of the next (`"late"`)."""
    sessions, closes = _closes(name.upper())
    days = pd.DatetimeIndex(dates).as_unit("ns").to_numpy()
    pos = np.minimum(np.searchsorted(sessions, days), len(sessions) - 1)
    hit = sessions[pos] == days
    fallback = days if unknown == "early" else days + np.timedelta64(1, "D")
    return np.asarray(np.where(hit, closes[pos], fallback))


def last_closed_by(name: str, moment: np.datetime64) -> pd.Timestamp | None:
    """The calendar's last session whose close is at or before `moment` (UTC, tz-naive)."""
    sessions, closes = _closes(name.upper())
    i = int(np.searchsorted(closes, moment, side="right")) - 1
    return pd.Timestamp(sessions[i]) if i >= 0 else None


def iso_day(ts: Any) -> str:
    """A date or timestamp as YYYY-MM-DD."""
    return str(pd.Timestamp(ts).strftime("%Y-%m-%d"))


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


@dataclass(frozen=True, kw_only=True)
class SessionCheck:
    """Which rows of a daily index are closed sessions of a calendar, and why others are not."""

    before: np.ndarray  # dated before the calendar's first session
    off: np.ndarray  # inside its range but not a session: a weekend or a holiday
    unclosed: np.ndarray  # after the last closed session (today's bar before the close, or later)
    first_session: pd.Timestamp
    last_closed: pd.Timestamp

    @property
    def keep(self) -> np.ndarray:
        return np.asarray(~(self.before | self.off | self.unclosed))


def last_closed_session(cal: Any, now: pd.Timestamp) -> pd.Timestamp:
    closes = cal.closes
    done = closes.index[closes <= now]
    return pd.Timestamp(done[-1]) if len(done) else cal.first_session - pd.Timedelta(days=1)


def check_sessions(
    index: pd.DatetimeIndex, calendar: str, now: pd.Timestamp | None = None
) -> SessionCheck:
    """Classify every date of a daily index against `calendar` as of `now`."""
    # Seconds, not nanoseconds: a CSV may hold dates past 2262, where nanoseconds overflow.
    days = index.as_unit("s")
    cal = get_calendar(calendar, days.min().date() if len(days) else None)
    first = cal.first_session.as_unit("s")
    last = last_closed_session(cal, now if now is not None else _now()).as_unit("s")
    before = np.asarray(days < first)
    unclosed = np.asarray(days > last)
    off = ~before & ~unclosed & ~np.asarray(days.isin(cal.sessions.as_unit("s")))
    return SessionCheck(
        before=before, off=off, unclosed=unclosed, first_session=first, last_closed=last
    )


def check_covers(calendar: str, last: date, symbol: str, stored: Sessions | None = None) -> None:
    """Refuse a series whose last bar lies outside the calendar's range (forecast dates)."""
    if stored is not None and stored.answers(last):
        return  # the kept sessions start by `last`, so the calendar does
    cal = get_calendar(calendar, last)
    if pd.Timestamp(last) < cal.first_session:
        raise DataError(
            f"{symbol}'s data ends {last}, before the {calendar} calendar starts "
            f"({cal.first_session:%Y-%m-%d}): no forecast dates exist there"
        )


def sessions_between(calendar: str, start: date, end: date) -> int:
    """Number of sessions from start to end inclusive."""
    cal = get_calendar(calendar, start)
    lo = max(pd.Timestamp(start), cal.first_session)
    hi = min(pd.Timestamp(end), cal.last_session)
    if lo > hi:
        return 0
    return len(cal.sessions_in_range(lo, hi))


def next_sessions(
    calendar: str, last: date, count: int, stored: Sessions | None = None
) -> list[date]:
    """The `count` sessions strictly after `last` (from `stored`, a kept copy of the
    calendar's sessions, when it holds them)."""
    if stored is not None and stored.answers(last, count):
        return stored.following(last, count)
    cal = get_calendar(calendar, last)
    anchor = cal.date_to_session(pd.Timestamp(last), direction="previous")
    window = cal.sessions_window(anchor, count + 1)
    return [ts.date() for ts in window[1:]]


def sessions_since(
    calendar: str, last: date, now: pd.Timestamp | None = None, stored: Sessions | None = None
) -> int:
    """How many sessions have closed after `last` (0 = the data is up to date)."""
    now = now if now is not None else _now()
    kept = session_table.behind(stored, last, session_table.moment_of(now))
    if kept is not None:
        return kept
    cal = get_calendar(calendar, last)
    closes = cal.closes.loc[pd.Timestamp(last) + pd.Timedelta(days=1) :]
    return int((closes <= now).sum())
