"""Dates in user CSVs, read without guessing.

- ISO (2024-03-05, 2024/03/05), compact (20240305) and month names (05-Mar-2024) are
  unambiguous and read as such.
- Numeric day/month dates (05/03/2024, 05.03.2024) are read in the order the data proves: a
  first field above 12 makes them day-first, a second field above 12 month-first. When every
  value fits both readings the import is refused and --date-format names the order.
- Timestamps with a UTC offset (yfinance's history, `-05:00`/`-04:00` across daylight-saving
  switches) keep their local date: the exchange's own calendar day.
- Several rows on one date at different times are intraday bars, refused as such.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError

_SPLIT = re.compile(r"^(?P<date>[^\sT]+)(?:[\sT]+(?P<time>.*))?$")
_OFFSET = r"(?<=\d)\s*(?:[+-]\d{2}:?\d{2}|Z|UTC)$"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"\d{8}")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
HINT = "give --date-format, e.g. %d/%m/%Y or %m/%d/%Y"


def _fail(values: pd.Series, bad: pd.Series, why: str) -> DataError:
    first = values[bad].iloc[0] if bad.any() else values.iloc[0]
    return DataError(f"{why}: {first!r}"[:200])


def _numeric_order(parts: pd.DataFrame, values: pd.Series) -> str:
    """'%d{sep}%m{sep}%Y' or '%m{sep}%d{sep}%Y', decided by a field above 12, never guessed."""
    first, second = parts[0].astype(int), parts[2].astype(int)
    sep = parts[1].iloc[0]
    if (parts[1] != sep).any():
        raise _fail(values, parts[1] != sep, "dates mix separators")
    day_first, month_first = (first > 12).any(), (second > 12).any()
    if day_first and month_first:
        raise _fail(values, second > 12, f"dates mix day-first and month-first orders; {HINT}")
    if not day_first and not month_first:
        raise DataError(
            f"every date fits both day/month and month/day order (e.g. {values.iloc[0]!r}); {HINT}"
        )
    return f"%d{sep}%m{sep}%Y" if day_first else f"%m{sep}%d{sep}%Y"


def _format_of(dates: pd.Series, values: pd.Series) -> str | None:
    """The strptime format all `dates` share, or None for month names (read by pandas)."""
    iso = dates.str.fullmatch(_ISO)
    if iso.all():
        seps = dates.str.extract(_ISO)[1]
        if seps.nunique() == 1:
            return f"%Y{seps.iloc[0]}%m{seps.iloc[0]}%d"
    if dates.str.fullmatch(_COMPACT).all():
        return "%Y%m%d"
    numeric = dates.str.fullmatch(_NUMERIC)
    if numeric.all():
        return _numeric_order(dates.str.extract(_NUMERIC), values)
    if values.str.contains("[A-Za-z]{3}", regex=True).all():
        return None
    raise _fail(values, ~(iso | numeric), "unreadable date (--date-format sets the format)")


def _to_datetime(text: pd.Series, fmt: str | None) -> pd.DatetimeIndex:
    try:
        parsed = pd.to_datetime(text, format=fmt or "mixed", errors="coerce")
    except (ValueError, TypeError) as exc:
        raise DataError(f"unreadable dates: {exc}"[:200]) from exc
    if parsed.isna().any():
        raise _fail(text, parsed.isna(), "unreadable date")
    index = pd.DatetimeIndex(parsed)
    return index.tz_localize(None) if index.tz is not None else index


def check_intraday(days: pd.DatetimeIndex, times: pd.Series | None) -> None:
    """Refuse several rows on one day at different times of day."""
    if times is None:
        return
    frame = pd.DataFrame({"day": days, "time": times.to_numpy()})
    per_day = frame.groupby("day")["time"].nunique()
    if (per_day > 1).any():
        day = per_day.index[per_day > 1][0]
        shown = ", ".join(frame.loc[frame["day"] == day, "time"].astype(str).unique()[:3])
        raise DataError(
            f"several rows per day at different times ({day:%Y-%m-%d}: {shown}): these are "
            "intraday bars; stockrnn needs one daily bar per session"
        )


def parse(
    values: pd.Series, date_format: str | None = None, times: pd.Series | None = None
) -> pd.DatetimeIndex:
    """Calendar dates (midnight, tz-naive) for date strings; `times` is a separate time column."""
    text = values.astype(str).str.strip().reset_index(drop=True)
    if (text == "").any():
        raise _fail(text, text == "", "empty date")
    has_time = text.str.contains(":", regex=False)
    local = text.where(~has_time, text.str.replace(_OFFSET, "", regex=True))
    if date_format is not None:
        stamps = _to_datetime(local, date_format)
        check_intraday(stamps.normalize(), pd.Series(stamps.time) if times is None else times)
        return stamps.normalize()
    split = local.str.extract(_SPLIT)
    if split["date"].isna().any():
        raise _fail(text, split["date"].isna(), "unreadable date")
    fmt = _format_of(split["date"], text)
    days = _to_datetime(split["date"] if fmt else local, fmt).normalize()
    clock = split["time"].fillna("") if times is None else times.astype(str).str.strip()
    if fmt is not None and (clock != "").any():
        check_intraday(days, clock.reset_index(drop=True))
    elif fmt is None:
        check_intraday(days, pd.Series(_to_datetime(local, None).time))
    return pd.DatetimeIndex(np.asarray(days), name="date")
