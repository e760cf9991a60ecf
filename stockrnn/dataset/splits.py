"""The date split every ticker shares: train, validation and test by calendar date, cut on
the union of all tickers' sessions, so a global model is never tested on one ticker's past
after learning another's future."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError
from stockrnn.dataset.config import DataConfig, Part
from stockrnn.dataset.loading import Series


def union_days(series: list[Series]) -> pd.DatetimeIndex:
    """Every session any of the series has, sorted: the axis date splits and folds cut."""
    return pd.DatetimeIndex(np.unique(np.concatenate([s.dates.to_numpy() for s in series])))


@dataclass(frozen=True)
class Cuts:
    """The last training day and the last validation day, shared by every ticker."""

    train_end: pd.Timestamp
    val_end: pd.Timestamp


def cut_dates(series: list[Series], cfg: DataConfig) -> Cuts:
    """The given --train-end/--val-end, or the split fractions over the union of sessions."""
    if cfg.train_end is not None and cfg.val_end is not None:
        return Cuts(pd.Timestamp(cfg.train_end), pd.Timestamp(cfg.val_end))
    days = union_days(series)
    n_train = int(np.floor(cfg.split[0] * len(days)))
    n_val = int(np.floor(cfg.split[1] * len(days)))
    if n_train < 1 or n_val < 1:
        raise DataError(f"{len(days)} sessions are too few to split {cfg.split}")
    return Cuts(
        pd.Timestamp(days[n_train - 1]), pd.Timestamp(days[min(n_train + n_val, len(days)) - 1])
    )


def part_codes(series: Series, cuts: Cuts) -> np.ndarray:
    """The Part of each feature row, by the date of its target (int8 codes)."""
    d = series.dates
    code = np.where(
        d <= cuts.train_end, Part.train, np.where(d <= cuts.val_end, Part.val, Part.test)
    )
    return code.astype(np.int8)


def too_short(s: Series, cfg: DataConfig) -> str | None:
    """Why `s` cannot give a single sample with this window, or None if it can."""
    if len(s.rel) <= cfg.window:
        return (
            f"{s.symbol} has {s.size_note()}: too few for a window of {cfg.window} "
            f"(needs at least {cfg.window + 2})"
        )
    return None


def drop_too_short(series: list[Series], cfg: DataConfig) -> tuple[list[Series], list[str]]:
    """The series long enough for a sample, and why each other one is left out (all are kept
    when none is long enough, so that `build` refuses them with its own message)."""
    reasons = [too_short(s, cfg) for s in series]
    kept = [s for s, why in zip(series, reasons, strict=True) if not why]
    return kept or series, [why for why in reasons if why]


def no_test_days(series: list[Series], cuts: Cuts) -> list[str]:
    """Plain-words notes for tickers whose data ends before the test span starts."""
    return [
        f"{s.symbol} has no test days: its data ends {s.dates[-1]:%Y-%m-%d}, and the test "
        f"span starts after {cuts.val_end:%Y-%m-%d}"
        for s in series
        if s.dates[-1] <= cuts.val_end
    ]


def fold_cuts(
    series: list[Series], folds: int, first_cut: float
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Walk-forward folds: (first test day, first day after the fold) per fold, cut on the
    union of all sessions, the first after `first_cut` of them."""
    days = union_days(series)
    edges = np.linspace(int(first_cut * len(days)), len(days), folds + 1).astype(int)
    after = days[-1] + pd.Timedelta(days=1)
    return [
        (days[lo], days[hi] if hi < len(days) else after)
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        if hi > lo
    ]
