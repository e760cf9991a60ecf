"""Extra inputs beside a ticker's own features: past covariates and known-future calendar days.

Covariates (`--covariate ^GSPC`): another cached ticker's daily log return, aligned on the
target's sessions by the clock: on each target session the covariate's value is its last close
at or before the target's close, in UTC, from both exchanges' calendars. So a New York
covariate of a London ticker gives its close of the day before (New York closes after
London), never a close that came later than the forecast's origin. When no new covariate
close came since the previous target session, the previous one is carried forward (a return
of 0) and a `carried` flag of 1 marks the row. The same rule fills the days after a forecast
origin, which are unknown when forecasting: a recursive roll feeds return 0 and flag 1, so
nothing after the origin ever reaches the model; in training, a share of windows see their
last days' covariates masked the same way (MASK_SHARE, MASK_STEPS), so the model has learnt
what those inputs mean before it reads them in a roll.

Calendar features (`--calendar-features`): row t describes the session after day t, the one
the model forecasts, from the ticker's exchange calendar as scheduled: day of week and month
(as sine and cosine), calendar days since day t, and whether a weekday holiday sits next to
that session. Unscheduled closures (Hurricane Sandy's two days, days of mourning) were not
known in advance, so they count as scheduled sessions here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError
from stockrnn.dataset.config import CALENDAR_COLUMNS, Spec

MASK_SHARE = 0.5  # training windows of a recursive model whose last days' covariates are masked
MASK_STEPS = 9  # masked days drawn from 1..MASK_STEPS: the roll steps 2..10 that are calibrated


@dataclass(frozen=True)
class Covariate:
    """A covariate ticker's closes as cached, and the digest of its data."""

    symbol: str
    close: pd.Series  # indexed by session date
    sha256: str
    calendar: str = "XNYS"  # its exchange: when each close happened
    bars: pd.DataFrame | None = field(default=None, repr=False, compare=False)  # as cached

    @property
    def last_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.close.index[-1])


def columns(
    spec: Spec, symbol: str, index: pd.DatetimeIndex, covs: list[Covariate], calendar: str
) -> tuple[int, np.ndarray]:
    """(first usable bar, (bars - 1 - first, width) columns) for a target's bars `index`.

    Bars before a covariate's first close are dropped (no return exists there)."""
    first, cols = 0, []
    for cov in covs:
        start, ret, carried = align(symbol, index, cov, calendar)
        first = max(first, start)
        cols += [ret, carried]
    if spec.calendar:
        cols += list(calendar_rows(index[1:], calendar).T)
    if not cols:
        return 0, np.empty((len(index) - 1, 0))
    return first, np.stack(cols, axis=1)[first:]


def future(spec: Spec, dates: pd.DatetimeIndex, steps: int, calendar: str) -> np.ndarray:
    """(origins, steps - 1, width): the extra inputs of the predicted rows a recursive roll
    appends after each origin dated `dates`: return 0, flag 1, and the calendar ahead."""
    out = np.zeros((len(dates), max(steps - 1, 0), spec.width))
    out[..., 1 : 2 * len(spec.covariates) : 2] = 1.0  # every covariate day is carried
    if spec.calendar and steps > 1:
        sessions = _sessions(calendar, dates.max(), steps + 1)
        pos = np.searchsorted(sessions, dates.to_numpy(), side="right")
        ahead = sessions[pos[:, None] + np.arange(steps - 1)]  # day o+1 .. o+steps-1
        rows = calendar_rows(pd.DatetimeIndex(ahead.ravel()), calendar)
        out[..., 2 * len(spec.covariates) :] = rows.reshape(len(dates), steps - 1, -1)
    return out


def load(data_dir: Path, symbols: tuple[str, ...]) -> list[Covariate]:
    """The cached covariates, refused with a clear line when one was never fetched."""
    from stockrnn.common.errors import NotCachedError
    from stockrnn.data import cache

    out = []
    for symbol in symbols:
        try:
            frame, manifest = cache.load(data_dir, symbol)
        except NotCachedError as exc:
            raise NotCachedError(f"covariate {symbol}: {exc}") from exc
        out.append(Covariate(symbol, frame["close"], manifest.sha256, manifest.calendar, frame))
    return out


def align(
    symbol: str, index: pd.DatetimeIndex, cov: Covariate, calendar: str = "XNYS"
) -> tuple[int, np.ndarray, np.ndarray]:
    """The covariate's log return between consecutive target bars (dated `index`, on the
    `calendar` exchange), each bar seeing the covariate's last close at or before its own
    close; the carried flag where no new covariate close came in between.

    Returns the first usable bar too: the first whose previous bar has a covariate close."""
    from stockrnn.data import trading_calendar

    target = trading_calendar.close_times(calendar, index, unknown="early")
    closed = trading_calendar.close_times(cov.calendar, pd.DatetimeIndex(cov.close.index), "late")
    needed = trading_calendar.last_closed_by(cov.calendar, target[-1])
    if needed is not None and cov.last_date < needed:
        raise DataError(
            f"covariate {cov.symbol}'s data ends {cov.last_date:%Y-%m-%d}, before "
            f"{needed:%Y-%m-%d}, its last close before {symbol}'s {index[-1]:%Y-%m-%d}: "
            f"refresh it with `stockrnn fetch {cov.symbol}`"
        )
    pos = np.searchsorted(closed, target, side="right") - 1  # last covariate bar by then
    values = cov.close.to_numpy(dtype=np.float64)
    asof = np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
    known = np.flatnonzero(np.isfinite(asof))
    if not len(known) or known[0] >= len(index) - 2:
        raise DataError(
            f"covariate {cov.symbol} has no data before {symbol}'s last days "
            f"(it starts {cov.close.index[0]:%Y-%m-%d})"
        )
    ret = np.nan_to_num(np.diff(np.log(asof)))  # leading rows before its data are dropped
    carried = (pos[1:] == pos[:-1]).astype(np.float64)
    _check_gaps(symbol, index, cov.symbol, carried, int(known[0]))
    return int(known[0]), ret, carried


MAX_CARRIED = 10  # sessions a covariate may go without a close (a week-long holiday abroad)


def _check_gaps(
    symbol: str, index: pd.DatetimeIndex, cov: str, carried: np.ndarray, first: int
) -> None:
    """Refuse a covariate that goes more than MAX_CARRIED of the target's sessions without a
    close: the return after the gap would carry its whole move as one day's."""
    edges = np.flatnonzero(np.r_[True, carried[first:] == 0, True])
    runs = np.diff(edges) - 1  # carried sessions between consecutive new closes
    longest = int(np.argmax(runs))
    if runs[longest] > MAX_CARRIED:
        start, stop = first + edges[longest] + 1, first + edges[longest + 1] - 1
        raise DataError(
            f"covariate {cov} has no close for {runs[longest]} of {symbol}'s sessions "
            f"({index[start]:%Y-%m-%d} to {index[stop]:%Y-%m-%d}): the return after such a "
            "gap would carry its whole move as one day's; fetch its full history, or leave "
            "it out"
        )


def calendar_rows(dates: pd.DatetimeIndex, calendar: str) -> np.ndarray:
    """(len(dates), 6): the calendar features of the session after each date."""
    if not len(dates):
        return np.empty((0, len(CALENDAR_COLUMNS)))
    sessions = _sessions(calendar, dates.max(), 0)
    pos = np.searchsorted(sessions, dates.to_numpy(), side="right")
    nxt, after = sessions[pos], sessions[pos + 1]
    day = dates.to_numpy().astype("datetime64[D]")
    n_day, a_day = nxt.astype("datetime64[D]"), after.astype("datetime64[D]")
    ts = pd.DatetimeIndex(nxt)
    dow = 2 * np.pi * ts.day_of_week.to_numpy() / 5
    month = 2 * np.pi * (ts.month.to_numpy() - 1) / 12
    holiday = (np.busday_count(day + 1, n_day) > 0) | (np.busday_count(n_day + 1, a_day) > 0)
    return np.stack(
        [
            np.sin(dow),
            np.cos(dow),
            np.sin(month),
            np.cos(month),
            (n_day - day).astype(np.float64),
            holiday.astype(np.float64),
        ],
        axis=1,
    )


@lru_cache(maxsize=8)
def _session_array(calendar: str) -> np.ndarray:
    """Every scheduled session of the calendar, tz-naive: its sessions plus its unscheduled
    closures, which no forecast could have known of. Built once per calendar and process (a
    calendar starting at each series' own first month would be built again per series)."""
    from stockrnn.data import trading_calendar

    cal = trading_calendar.get_calendar(calendar)
    sessions = cal.sessions.tz_localize(None) if cal.sessions.tz else cal.sessions
    closures = pd.DatetimeIndex(cal.adhoc_holidays)
    closures = closures[(closures >= sessions[0]) & (closures <= sessions[-1])]
    return np.asarray(sessions.union(closures).to_numpy())


def _sessions(calendar: str, last: Any, ahead: int) -> np.ndarray:
    """The calendar's sessions, refused unless they reach `ahead` + 2 sessions past `last`."""
    sessions = _session_array(calendar)
    last = pd.Timestamp(last)
    need = int(np.searchsorted(sessions, last.to_datetime64(), side="right")) + ahead + 2
    if need > len(sessions):
        raise DataError(
            f"the {calendar} calendar has no sessions listed that far past {last:%Y-%m-%d}"
        )
    return sessions
