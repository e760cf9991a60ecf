"""Exchange sessions (exchange_calendars): which bars are final, and which days come next."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from stockrnn.errors import UsageError

DEFAULT_CALENDAR = "XNYS"


def get(name: str = DEFAULT_CALENDAR, since: date | None = None) -> Any:
    """The calendar `name` covering `since` onwards (from 1980 when not given).

    Building a calendar costs time in proportion to its span (0.1-0.3 s from 1980), so callers
    that only look at recent sessions ask for a short one.
    """
    start = pd.Timestamp(since or "1980-01-01") - pd.Timedelta(days=14)
    # exchange_calendars refuses a start past its end (a year ahead): clamp to the past month
    start = min(max(start, pd.Timestamp("1980-01-01")), pd.Timestamp.now() - pd.Timedelta(days=30))
    return _build(name.upper(), start.strftime("%Y-%m-01"))


@lru_cache(maxsize=16)
def _build(name: str, start: str) -> Any:
    import warnings

    import exchange_calendars as xcals

    try:
        with warnings.catch_warnings():
            # exchange_calendars 4.x trips pandas 3.1 deprecation warnings while building.
            warnings.simplefilter("ignore")
            return xcals.get_calendar(name, start=start)
    except xcals.errors.InvalidCalendarName as exc:
        raise UsageError(f"unknown exchange calendar {name!r} (e.g. XNYS, XLON, XTKS)") from exc


def day(ts: Any) -> str:
    """A date or timestamp as YYYY-MM-DD."""
    return str(pd.Timestamp(ts).strftime("%Y-%m-%d"))


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


def drop_unclosed(frame: pd.DataFrame, calendar: str, now: pd.Timestamp | None = None) -> int:
    """Drop the last bar if its session has not closed yet; return how many rows were dropped."""
    if frame.empty:
        return 0
    last = pd.Timestamp(frame.index[-1]).normalize()
    cal = get(calendar, last.date())
    now = now if now is not None else _now()
    if last < cal.first_session or last > cal.last_session or not cal.is_session(last):
        return 0
    if now < cal.session_close(last):
        frame.drop(index=frame.index[-1], inplace=True)
        return 1
    return 0


def sessions_between(calendar: str, start: date, end: date) -> int:
    """Number of sessions from start to end inclusive."""
    cal = get(calendar, start)
    lo = max(pd.Timestamp(start), cal.first_session)
    hi = min(pd.Timestamp(end), cal.last_session)
    if lo > hi:
        return 0
    return len(cal.sessions_in_range(lo, hi))


def next_sessions(calendar: str, last: date, count: int) -> list[date]:
    """The `count` sessions strictly after `last`."""
    cal = get(calendar, last)
    anchor = cal.date_to_session(pd.Timestamp(last), direction="previous")
    window = cal.sessions_window(anchor, count + 1)
    return [ts.date() for ts in window[1:]]


def sessions_since(calendar: str, last: date, now: pd.Timestamp | None = None) -> int:
    """How many sessions have closed after `last` (0 = the data is up to date)."""
    cal = get(calendar, last)
    now = now if now is not None else _now()
    closes = cal.closes.loc[pd.Timestamp(last) + pd.Timedelta(days=1) :]
    return int((closes <= now).sum())
