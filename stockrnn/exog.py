"""Extra inputs beside a ticker's own features: past covariates and known-future calendar days.

Covariates (`--covariate ^GSPC`): another cached ticker's daily log return, aligned on the
target's sessions. The rule for a target session the covariate has no bar on: its previous
close is carried forward (a return of 0) and a `carried` flag of 1 marks the row. The same rule
fills the days after a forecast origin, which are unknown when forecasting: a recursive roll
feeds return 0 and flag 1, so nothing after the origin ever reaches the model.

Calendar features (`--calendar-features`): row t describes the session after day t, the one
the model forecasts, from the ticker's exchange calendar: day of week and month (as sine and
cosine), calendar days since day t, and whether a weekday holiday sits next to that session.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockrnn.errors import DataError

CALENDAR_COLUMNS = ["dow_sin", "dow_cos", "month_sin", "month_cos", "gap_days", "holiday_adjacent"]


@dataclass(frozen=True)
class Covariate:
    """A covariate ticker's closes as cached, and the digest of its data."""

    symbol: str
    close: pd.Series  # indexed by session date
    sha256: str

    @property
    def last_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.close.index[-1])


@dataclass(frozen=True)
class Spec:
    """Which extra inputs a model reads, after its own features and in this order."""

    covariates: tuple[str, ...] = ()
    calendar: bool = False

    @property
    def width(self) -> int:
        return 2 * len(self.covariates) + (len(CALENDAR_COLUMNS) if self.calendar else 0)

    def names(self) -> list[str]:
        cov = [f"{c}:{kind}" for c in self.covariates for kind in ("return", "carried")]
        return cov + (CALENDAR_COLUMNS if self.calendar else [])

    def columns(
        self, symbol: str, index: pd.DatetimeIndex, covs: list[Covariate], calendar: str
    ) -> tuple[int, np.ndarray]:
        """(first usable bar, (bars - 1 - first, width) columns) for a target's bars `index`.

        Bars before a covariate's first close are dropped (no return exists there)."""
        first, cols = 0, []
        for cov in covs:
            start, ret, carried = align(symbol, index, cov)
            first = max(first, start)
            cols += [ret, carried]
        if self.calendar:
            cols += list(calendar_rows(index[1:], calendar).T)
        if not cols:
            return 0, np.empty((len(index) - 1, 0))
        return first, np.stack(cols, axis=1)[first:]

    def future(self, dates: pd.DatetimeIndex, steps: int, calendar: str) -> np.ndarray:
        """(origins, steps - 1, width): the extra inputs of the predicted rows a recursive roll
        appends after each origin dated `dates`: return 0, flag 1, and the calendar ahead."""
        out = np.zeros((len(dates), max(steps - 1, 0), self.width))
        out[..., 1 : 2 * len(self.covariates) : 2] = 1.0  # every covariate day is carried
        if self.calendar and steps > 1:
            sessions = _sessions(calendar, dates.max(), steps + 1)
            pos = np.searchsorted(sessions, dates.to_numpy(), side="right")
            ahead = sessions[pos[:, None] + np.arange(steps - 1)]  # day o+1 .. o+steps-1
            rows = calendar_rows(pd.DatetimeIndex(ahead.ravel()), calendar)
            out[..., 2 * len(self.covariates) :] = rows.reshape(len(dates), steps - 1, -1)
        return out


def load(data_dir: Path, symbols: tuple[str, ...]) -> list[Covariate]:
    """The cached covariates, refused with a clear line when one was never fetched."""
    from stockrnn import store
    from stockrnn.errors import NotCachedError

    out = []
    for symbol in symbols:
        try:
            frame, manifest = store.load(data_dir, symbol)
        except NotCachedError as exc:
            raise NotCachedError(f"covariate {symbol}: {exc}") from exc
        out.append(Covariate(symbol, frame["close"], manifest.sha256))
    return out


def align(
    symbol: str, index: pd.DatetimeIndex, cov: Covariate
) -> tuple[int, np.ndarray, np.ndarray]:
    """The covariate's log return between consecutive target bars, and the carried flag.

    Returns the first usable bar too: the first whose previous bar has a covariate close."""
    if cov.last_date < index[-1]:
        raise DataError(
            f"covariate {cov.symbol}'s data ends {cov.last_date:%Y-%m-%d}, before "
            f"{symbol}'s {index[-1]:%Y-%m-%d}: refresh it with `stockrnn fetch {cov.symbol}`"
        )
    asof = cov.close.reindex(index, method="ffill").to_numpy(dtype=np.float64)
    known = np.flatnonzero(np.isfinite(asof))
    if not len(known) or known[0] >= len(index) - 2:
        raise DataError(
            f"covariate {cov.symbol} has no data before {symbol}'s last days "
            f"(it starts {cov.close.index[0]:%Y-%m-%d})"
        )
    ret = np.nan_to_num(np.diff(np.log(asof)))  # leading rows before its data are dropped
    carried = (~index[1:].isin(cov.close.index)).astype(np.float64)
    return int(known[0]), ret, carried


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
    """Every session of the calendar, tz-naive: built once per calendar and process (a
    calendar starting at each series' own first month would be built again per series)."""
    from stockrnn import trading_calendar

    sessions = trading_calendar.get(calendar).sessions
    return np.asarray((sessions.tz_localize(None) if sessions.tz else sessions).to_numpy())


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
