"""Forecasts in the long layout forecasting libraries read (statsforecast, neuralforecast,
Darts' `from_group_dataframe`): one row per series and date, `unique_id` and `ds`, a column per
model named after it, its intervals as `MODEL-lo-80` / `MODEL-hi-80`, and the naive and drift
baselines beside it. A backtest adds `cutoff` (the forecast's origin) and `y` (the actual).

Written as CSV, or as Parquet for a `.parquet` path (the optional `parquet` extra, pyarrow).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockrnn.common import atomic
from stockrnn.common.errors import StockrnnError, UsageError
from stockrnn.forecast.intervals import band_names

if TYPE_CHECKING:
    from stockrnn.evaluate.scoring import Forecasts
    from stockrnn.pipelines.predict import Forecast


def forecast_frame(forecasts: Sequence[Forecast]) -> pd.DataFrame:
    """`predict`'s forecasts, long: unique_id, ds, MODEL, MODEL-lo-L, MODEL-hi-L, naive, drift."""
    rows = []
    for f in forecasts:
        for r in f.rows:
            row = {"unique_id": r.ticker, "ds": pd.Timestamp(r.date), f.model: r.close}
            row |= {f"{f.model}-{k}": v for k, v in r.bands.items()}  # MODEL-lo-80, ...
            rows.append(row | {"naive": r.naive, "drift": r.drift})
    return _ordered(pd.DataFrame(rows), [f.model for f in forecasts], _levels(forecasts))


def backtest_frame(results: Sequence[Forecasts], model: str, levels: Sequence[int]) -> pd.DataFrame:
    """Every backtest forecast with a known actual, long: unique_id, ds, cutoff, y, MODEL,
    its bands, naive, drift (one row per origin and step)."""
    parts = []
    for r in results:
        origin, step = np.nonzero(~np.isnan(r.actual))
        target = r.origins[origin] + step + 1
        part = {
            "unique_id": r.symbol,
            "ds": r.dates[target],
            "cutoff": r.dates[r.origins[origin]],
            "y": r.actual[origin, step],
            model: r.pred[origin, step],
        }
        for level in levels:
            lo, hi = r.band(level)
            lo_name, hi_name = band_names([level])
            part[f"{model}-{lo_name}"] = lo[origin, step]
            part[f"{model}-{hi_name}"] = hi[origin, step]
        part |= {"naive": r.naive[origin, step], "drift": r.drift[origin, step]}
        parts.append(pd.DataFrame(part))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    columns = ["unique_id", "ds", "cutoff", "y"]
    return _ordered(frame, [model], list(levels), columns).sort_values(
        ["unique_id", "cutoff", "ds"], ignore_index=True
    )


def _levels(forecasts: Sequence[Forecast]) -> list[int]:
    return sorted({lv for f in forecasts for lv in f.levels})


def _ordered(
    frame: pd.DataFrame, models: list[str], levels: list[int], first: list[str] | None = None
) -> pd.DataFrame:
    columns = list(first or ["unique_id", "ds"])
    for m in dict.fromkeys(models):
        columns += [m, *(f"{m}-{name}" for name in band_names(levels))]
    return frame.reindex(columns=[*columns, "naive", "drift"])


SUFFIXES = ("", ".csv", ".parquet")


def check_format(path: Path) -> None:
    """Refuse, before any work, a name whose format this does not write (.xlsx would get
    CSV bytes), and a Parquet path without pyarrow installed."""
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out {path}: give a .csv or a .parquet file (no suffix: CSV)")
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise StockrnnError(
                f"{path}: writing Parquet needs pyarrow: pip install 'stockrnn[parquet]'"
            ) from exc


def to_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    """The frame as CSV, or as Parquet when `path` ends in .parquet."""
    check_format(path)
    if path.suffix.lower() == ".parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    text: str = frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return text.encode()


def write(frame: pd.DataFrame, path: Path) -> None:
    """Write the long frame to `path` atomically (checked before any work by the caller)."""
    atomic.write_bytes(path, to_bytes(frame, path))
