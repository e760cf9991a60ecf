"""Forecast files users ask for: `train --predictions-out` and `backtest --predictions-out`.

Both are plain CSV, written atomically (the path is checked before any work starts).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stockrnn.common import atomic
from stockrnn.data.trading_calendar import iso_day

if TYPE_CHECKING:
    from stockrnn.checkpoint.schema import FitMeta
    from stockrnn.evaluate.scoring import Forecasts, OneStep

BACKTEST_COLUMNS = [
    "ticker",
    "fold",
    "origin_date",
    "target_date",
    "step",
    "prediction",
    "actual",
    "naive",
    "drift",
    "lo",
    "hi",
]
_VALUES = ("pred", "actual", "naive", "drift", "lo", "hi")  # the columns after "step"
TEST_COLUMNS = ["ticker", "date", "prediction", "actual", "naive", "lo80", "hi80"]


def _text(rows: list[list[object]], header: list[str]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(header)
    out.writerows(rows)
    return buf.getvalue().encode()


def backtest_csv(results: list[Forecasts]) -> bytes:
    """Every forecast with a known actual: origin and target dates, step, values."""
    rows: list[list[object]] = []
    for r in results:
        for b, o in enumerate(r.origins):
            for step in range(r.pred.shape[1]):
                if np.isnan(r.actual[b, step]):
                    continue
                values = (getattr(r, n)[b, step] for n in _VALUES)
                rows.append(
                    [
                        r.symbol,
                        r.fold,
                        iso_day(r.dates[o]),
                        iso_day(r.dates[o + step + 1]),
                        step + 1,
                        *(repr(float(v)) for v in values),
                    ]
                )
    return _text(rows, BACKTEST_COLUMNS)


def write_backtest_forecasts(path: Path, results: list[Forecasts]) -> None:
    atomic.write_bytes(path, backtest_csv(results))


def write_test_forecasts(path: Path, test: OneStep, width80: float | None) -> None:
    """The test split's one-step forecasts `train` scored, with their 80% interval (no
    finite interval: too few validation residuals for 80%)."""
    width80 = np.inf if width80 is None else width80
    lo, hi = test.pred * np.exp(-width80 * test.sigma), test.pred * np.exp(width80 * test.sigma)
    rows: list[list[object]] = [
        [sym, iso_day(d), *(repr(float(v)) for v in vals)]
        for sym, d, *vals in zip(
            test.symbol, test.dates, test.pred, test.actual, test.naive, lo, hi, strict=True
        )
    ]
    atomic.write_bytes(path, _text(rows, TEST_COLUMNS))


def write_timings(path: Path, fit: FitMeta) -> None:
    """Every timing, plus the epoch count and samples seen: the keys benchmark harnesses
    read (train_s, epochs, epoch_s, samples_seen) and where the rest of the time went."""
    import json

    keys = {"epochs": fit.epochs_run, "samples_seen": fit.samples_seen, **fit.timings.model_dump()}
    atomic.write_bytes(path, json.dumps(keys).encode())
