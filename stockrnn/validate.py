"""Cleaning rules applied to every source, each reported with a count, never silently.

Rules (one per case):
- unsorted dates: sorted ascending;
- rows dated after tomorrow: dropped;
- duplicate dates: the last row for a date is kept;
- NaN or infinite open/high/low/close: the row is dropped; NaN volume becomes 0;
- non-positive open/high/low/close: the row is dropped; negative volume becomes 0;
- high/low that do not bound open/close: high raised to max(open, close), low lowered to
  min(open, close) (real Yahoo data has such rows, e.g. SPY on 2015-03-05);
- an unadjusted OHLC beside an `adj_close`: open, high, low and close scaled by adj_close / close;
- a day-to-day close move over 40%: reported as a possible unadjusted split (data kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockrnn.errors import DataError

PRICES = ["open", "high", "low", "close"]
COLUMNS = [*PRICES, "volume"]
JUMP_LIMIT = 0.40


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
    future = frame.index > pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    report.add(int(future.sum()), "row(s) dated in the future dropped")
    frame = frame[~future]
    dup = frame.index.duplicated(keep="last")
    report.add(int(dup.sum()), "duplicate date row(s) dropped (kept the last)")
    frame = frame[~dup]
    frame = frame.replace([np.inf, -np.inf], np.nan)
    nan_rows = frame[PRICES].isna().any(axis=1)
    report.add(int(nan_rows.sum()), "row(s) with missing or infinite prices dropped")
    frame = frame[~nan_rows]
    bad = (frame[PRICES] <= 0).any(axis=1)
    report.add(int(bad.sum()), "row(s) with non-positive prices dropped")
    frame = frame[~bad].copy()
    vol = frame["volume"]
    report.add(int(vol.isna().sum()), "missing volume(s) set to 0")
    report.add(int((vol < 0).sum()), "negative volume(s) set to 0")
    frame["volume"] = vol.fillna(0).clip(lower=0, upper=1e18)  # stored as int64
    body_hi = frame[["open", "close"]].max(axis=1)
    body_lo = frame[["open", "close"]].min(axis=1)
    fix = (frame["high"] < body_hi) | (frame["low"] > body_lo)
    report.add(int(fix.sum()), "row(s) where high/low did not bound open/close repaired")
    frame["high"] = np.maximum(frame["high"], body_hi)
    frame["low"] = np.minimum(frame["low"], body_lo)
    if frame.empty:
        raise DataError("no valid rows left after validation")
    return frame


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
    move = (frame["close"] / frame["close"].shift(1) - 1.0).abs()
    dates = [d.strftime("%Y-%m-%d") for d in frame.index[move > JUMP_LIMIT]]
    if dates:
        shown = ", ".join(dates[:5]) + (" ..." if len(dates) > 5 else "")
        report.warnings.append(
            f"{len(dates)} day(s) moved over {JUMP_LIMIT:.0%}: possible unadjusted split ({shown})"
        )
    return dates


def validate(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool, Report]:
    """Clean, adjust and check a source frame; returns (frame, adjusted, report)."""
    report = Report()
    frame = clean(frame, report)
    frame, adjusted = adjust(frame, report)
    check_jumps(frame, report)
    return frame, adjusted, report
