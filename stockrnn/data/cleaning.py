"""Cleaning rules applied to every source, each reported with a count, never silently.

Rules (one per case):
- unsorted dates: sorted ascending;
- duplicate dates: the last row for a date is kept;
- NaN or infinite open/high/low/close: the row is dropped; NaN volume becomes 0;
- non-positive open/high/low/close: the row is dropped; negative volume becomes 0, a volume
  above MAX_VOLUME is capped;
- absurd prices: above MAX_PRICE, a bar whose high/low span ABSURD_MOVE times or more, or an
  isolated spike ABSURD_MOVE times away from both neighbours: the row is dropped;
- dates that are not closed sessions of the exchange calendar (weekends, holidays, before the
  calendar's first session, after the last closed session): the row is dropped;
- high/low that do not bound open/close: high raised to max(open, close), low lowered to
  min(open, close) (real Yahoo data has such rows, e.g. SPY on 2015-03-05);
- an unadjusted OHLC beside an `adj_close`: open, high, low and close scaled by adj_close / close;
- a day-to-day close move over 40%: reported as a possible unadjusted split (data kept);
  one of ABSURD_MOVE times or more that is not an isolated spike: the import is refused;
- fewer than 2 rows left after all of the above: the import is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError
from stockrnn.data import trading_calendar

PRICES = ["open", "high", "low", "close"]
COLUMNS = [*PRICES, "volume"]
JUMP_LIMIT = 0.40
MAX_PRICE = 1e9  # far above any listed share or index (BRK-A trades near 1e6)
ABSURD_MOVE = 1e4  # no split or crash moves a price 10,000x in a day: a unit or parse error
MIN_ROWS = 2
MAX_VOLUME = 1e18  # stored as int64 (max 9.2e18)


@dataclass
class Report:
    """What validation did, as human-readable lines with counts."""

    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, count: int, text: str) -> None:
        if count:
            self.actions.append(f"{count} {text}")


def clean(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Apply the rules above to a frame with a DatetimeIndex and lower-case OHLCV columns."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}")
    frame = frame.copy()
    if not frame.index.is_monotonic_increasing:
        report.add(1, "unsorted series sorted by date")
        frame = frame.sort_index(kind="stable")
    dup = frame.index.duplicated(keep="last")
    report.add(int(dup.sum()), "duplicate date row(s) dropped (kept the last)")
    frame = frame[~dup]
    frame = frame.replace([np.inf, -np.inf], np.nan)
    nan_rows = frame[PRICES].isna().any(axis=1)
    report.add(int(nan_rows.sum()), "row(s) with missing or infinite prices dropped")
    frame = frame[~nan_rows]
    bad = (frame[PRICES] <= 0).any(axis=1)
    report.add(int(bad.sum()), "row(s) with non-positive prices dropped")
    frame = drop_absurd(frame[~bad], report)
    vol = frame["volume"]
    report.add(int(vol.isna().sum()), "missing volume(s) set to 0")
    report.add(int((vol < 0).sum()), "negative volume(s) set to 0")
    report.add(int((vol > MAX_VOLUME).sum()), f"volume(s) above {MAX_VOLUME:.0e} capped")
    frame["volume"] = vol.fillna(0).clip(lower=0, upper=MAX_VOLUME)  # stored as int64
    body_hi = frame[["open", "close"]].max(axis=1)
    body_lo = frame[["open", "close"]].min(axis=1)
    fix = (frame["high"] < body_hi) | (frame["low"] > body_lo)
    report.add(int(fix.sum()), "row(s) where high/low did not bound open/close repaired")
    frame["high"] = np.maximum(frame["high"], body_hi)
    frame["low"] = np.minimum(frame["low"], body_lo)
    if frame.empty:
        raise DataError("no valid rows left after validation")
    return frame


def drop_absurd(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Drop rows no market produces: giant prices, bars spanning 10,000x, isolated spikes."""
    huge = (frame[PRICES] > MAX_PRICE).any(axis=1)
    report.add(int(huge.sum()), f"row(s) with prices above {MAX_PRICE:.0e} dropped")
    frame = frame[~huge]
    span = (frame[PRICES].max(axis=1) / frame[PRICES].min(axis=1)) >= ABSURD_MOVE
    report.add(int(span.sum()), f"row(s) whose prices span {ABSURD_MOVE:,.0f}x or more dropped")
    frame = frame[~span]
    step = np.log(frame["close"]).diff()
    limit = np.log(ABSURD_MOVE)
    spike = (step.abs() >= limit) & (step.shift(-1).abs() >= limit) & (step * step.shift(-1) < 0)
    report.add(int(spike.sum()), f"isolated price spike(s) of {ABSURD_MOVE:,.0f}x dropped")
    return frame[~spike].copy()


def sessions(
    frame: pd.DataFrame, calendar: str, report: Report, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Keep closed sessions of `calendar` only; report each kind of dropped date."""
    check = trading_calendar.check_sessions(pd.DatetimeIndex(frame.index), calendar, now)
    report.add(
        int(check.before.sum()),
        f"row(s) dated before the {calendar} calendar's first session "
        f"({check.first_session:%Y-%m-%d}) dropped",
    )
    report.add(int(check.off.sum()), f"row(s) on days that are not {calendar} sessions dropped")
    report.add(
        int(check.unclosed.sum()),
        f"row(s) dated after the last closed session ({check.last_closed:%Y-%m-%d}) dropped",
    )
    inside = int((~check.before & ~check.unclosed).sum())
    if inside and check.off.sum() > 0.05 * inside:
        report.warnings.append(
            f"{int(check.off.sum())} of {inside} rows fall on days the {calendar} exchange is "
            "closed: if this ticker trades elsewhere, pass --calendar (e.g. XLON, XTKS, 24/7)"
        )
    return frame[check.keep]


def adjust(frame: pd.DataFrame, report: Report) -> tuple[pd.DataFrame, bool]:
    """Scale OHLC by adj_close / close when the source gives both; True if now adjusted."""
    if "adj_close" not in frame.columns:
        return frame, False
    adj = frame["adj_close"]
    if adj.isna().any() or (adj <= 0).any():
        report.warnings.append("adj_close has missing or non-positive values; left unadjusted")
        return frame.drop(columns="adj_close"), False
    factor = adj / frame["close"]
    frame = frame.copy()
    changed = int((np.abs(factor - 1.0) > 1e-9).sum())
    for col in PRICES:
        frame[col] = frame[col] * factor
    frame["adj_close"] = frame["close"]
    report.add(changed, "row(s) split/dividend-adjusted by adj_close / close")
    return frame, True


def check_jumps(frame: pd.DataFrame, report: Report) -> list[str]:
    """Dates whose close moved more than JUMP_LIMIT from the day before (possible splits)."""
    ratio = frame["close"] / frame["close"].shift(1)
    absurd = (ratio >= ABSURD_MOVE) | (ratio <= 1 / ABSURD_MOVE)
    if absurd.any():
        when = frame.index[absurd.to_numpy()][0]
        raise DataError(
            f"the close moves {ratio[absurd].iloc[0]:.3g}x on {when:%Y-%m-%d}: no market does "
            "that in a day; the file mixes units or is damaged"
        )
    move = (ratio - 1.0).abs()
    dates = [d.strftime("%Y-%m-%d") for d in frame.index[move > JUMP_LIMIT]]
    if dates:
        shown = ", ".join(dates[:5]) + (" ..." if len(dates) > 5 else "")
        report.warnings.append(
            f"{len(dates)} day(s) moved over {JUMP_LIMIT:.0%}: possible unadjusted split ({shown})"
        )
    return dates


def clean_bars(
    frame: pd.DataFrame,
    calendar: str = trading_calendar.DEFAULT_CALENDAR,
    now: pd.Timestamp | None = None,
    min_rows: int = MIN_ROWS,
) -> tuple[pd.DataFrame, bool, Report]:
    """Clean, keep closed sessions, adjust and check a source frame: (frame, adjusted, report)."""
    report = Report()
    frame = sessions(clean(frame, report), calendar, report, now)
    frame, adjusted = adjust(frame, report)
    check_jumps(frame, report)
    if len(frame) < min_rows:
        raise DataError(
            f"only {len(frame)} row{'s' * (len(frame) != 1)} left after validation "
            f"({'; '.join(report.actions) or 'nothing dropped'}): at least {min_rows} are needed"
        )
    return frame, adjusted, report
