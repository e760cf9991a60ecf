"""`stockrnn backtest`: walk-forward evaluation beside the naive and drift baselines.

Expanding window: folds are cut by date across all tickers; each fold fits its scaler and model
on every ticker's days before its cut only, then forecasts `horizon` days recursively from every
day of its test span (rollout.paths, the path `predict` uses). With a saved model, nothing is
refitted and the span starts after the model's training and validation data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.checkpoint import store, weights
from stockrnn.checkpoint.data_changes import changed_note
from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.common import workspace
from stockrnn.common.errors import StockrnnError, UsageError
from stockrnn.common.limits import check_days, check_level
from stockrnn.data.trading_calendar import iso_day
from stockrnn.dataset import features, loading, splits
from stockrnn.dataset.loading import Series
from stockrnn.evaluate import baselines, metrics
from stockrnn.evaluate.compare import Comparison
from stockrnn.evaluate.scoring import (
    CoverageRow,
    Forecasts,
    adjust,
    by_ticker,
    coverage_rows,
    lag_echo,
    score_step,
)
from stockrnn.forecast import intervals
from stockrnn.forecast.rollout import Predictor, paths
from stockrnn.model import loop
from stockrnn.pipelines import reports
from stockrnn.pipelines.fitting import Fitted, calibration, fit_series
from stockrnn.pipelines.request import TrainRequest


class LeakError(StockrnnError):
    """A fold's fitted data reaches into its own test span: a bug, never expected."""


@dataclass
class BacktestHooks:
    """Progress: which fold is fitting, and the training hooks (Ctrl-C aborts, never scores)."""

    on_fold: Callable[[int, int], None] = lambda k, n: None
    fit: loop.FitHooks = field(default_factory=lambda: loop.FitHooks(keep_on_interrupt=False))


@dataclass
class BacktestConfig:
    """What to evaluate and how."""

    folds: int = 5
    horizon: int = 5  # days forecast recursively from each origin
    level: float = 0.8  # interval coverage to check
    start: date | None = None  # first target date (saved-model mode)
    model: str | None = None  # evaluate this saved model instead of refitting
    first_cut: float = 0.5  # share of all sessions before the first fold's test span
    predictions_out: Path | None = None

    def validate(self) -> None:
        if not 1 <= self.folds <= 50:
            raise UsageError("--folds must be between 1 and 50")
        check_days(self.horizon, "--horizon")
        check_level(self.level)


@dataclass
class FoldRow:
    """One ticker in one fold: what the model saw and which days it was scored on."""

    fold: int
    ticker: str
    train_through: str
    test_start: str
    test_end: str
    origins: int
    best_epoch: int | None = None


@dataclass
class BacktestReport:
    """Scores per step and overall, beside naive and drift, with the folds behind them."""

    mode: str  # walk-forward | saved model
    horizon: int
    level: float
    tickers: list[str]
    folds: list[FoldRow]
    per_step: list[Comparison]  # step 1 first; tests Holm-adjusted as one family
    overall: Comparison  # every step; its tests stand alone
    model: str | None = None
    echo: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)  # per ticker and step
    per_ticker: list[tuple[str, Comparison]] = field(default_factory=list)  # every step
    paths: list[Forecasts] = field(  # every forecast, for the charts
        default_factory=list, repr=False, metadata={"json": False}
    )


def forecast_origins(
    p: Predictor,
    s: Series,
    origins: np.ndarray,
    horizon: int,
    widths: np.ndarray,
    fold: int,
    seen_rows: int,
    scale: float | None,
) -> Forecasts:
    """`horizon`-day forecasts from each origin row, with actuals, baselines and bands.

    `seen_rows`: the series' rows before the test span (the drift's mean return comes from
    them); `scale`: the training span's naive MAE, for MASE."""
    mu = baselines.drift_rate(s.rel[:, features.CLOSE], seen_rows)
    pred = paths(p, s, origins, horizon).close  # (origins, horizon)
    target = origins[:, None] + np.arange(1, horizon + 1)
    inside = target < len(s.close)
    actual = np.where(inside, s.close[np.minimum(target, len(s.close) - 1)], np.nan)
    naive, drift = baselines.forecasts(s.close[origins], mu, horizon)
    sigma = p.sigma(s, origins)
    lo, hi = intervals.band(pred, sigma, widths[:horizon])
    return Forecasts(s.symbol, fold, origins, s.dates, pred, actual, naive, drift, lo, hi, scale)


def fold_cuts(
    series: list[Series], folds: int, first_cut: float
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(first test day, first day after the fold) per fold, cut on the union of all sessions."""
    days = splits.union_days(series)
    edges = np.linspace(int(first_cut * len(days)), len(days), folds + 1).astype(int)
    after = days[-1] + pd.Timedelta(days=1)
    return [
        (days[lo], days[hi] if hi < len(days) else after)
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        if hi > lo
    ]


def walk_forward(
    series: list[Series], req: TrainRequest, cfg: BacktestConfig, hooks: BacktestHooks
) -> tuple[list[Forecasts], list[FoldRow]]:
    """Refit per fold on every ticker's days before its cut; forecast each day of its span."""
    data = replace(req.data, split=(0.85, 0.15, 0.0), train_end=None, val_end=None)
    fold_req = replace(req, data=data)
    fold_req.validate()
    results, rows = [], []
    for k, (start, stop) in enumerate(fold_cuts(series, cfg.folds, cfg.first_cut), start=1):
        hooks.on_fold(k, cfg.folds)
        cut = {s.symbol: int(np.searchsorted(s.dates, start)) for s in series}
        heads = [s.head(cut[s.symbol]) for s in series if cut[s.symbol] > req.data.window + 1]
        fitted = fit_series(heads, fold_req, replace(hooks.fit, keep_on_interrupt=False))
        check_no_leak(fitted, heads, start)
        heads_by = {h.symbol: h for h in heads}
        by_step, counts = calibration(fitted, heads)
        widths = intervals.step_widths(by_step, cfg.level, cfg.horizon, counts)
        seen_until = iso_day(max(h.dates[-1] for h in heads))
        for s in series:
            lo, hi = cut[s.symbol], int(np.searchsorted(s.dates, stop))
            origins = np.arange(max(lo - 1, req.data.window - 1), hi - 1)
            if not len(origins):
                continue
            h = heads_by.get(s.symbol)
            scale = None
            if h is not None:  # the fold's training part (its validation part left out)
                scale = metrics.naive_scale(h.close[h.part == 0], h.prev_close[h.part == 0])
            results.append(
                forecast_origins(fitted.predictor, s, origins, cfg.horizon, widths, k, lo, scale)
            )
            rows.append(
                FoldRow(
                    k,
                    s.symbol,
                    seen_until,
                    iso_day(s.dates[lo]),
                    iso_day(s.dates[hi - 1]),
                    len(origins),
                    fitted.result.best_epoch,
                )
            )
    return results, rows


def check_no_leak(fitted: Fitted, heads: list[Series], test_start: pd.Timestamp) -> None:
    """Refuse to score a fold if any ticker's training or validation day, or the scaler's fit
    range, reaches its test span."""
    for s in heads:
        used = s.dates[s.part <= 1]
        if len(used) and used[-1] >= test_start:
            raise LeakError(
                f"leak guard: {s.symbol}'s training/validation days reach "
                f"{used[-1]:%Y-%m-%d}, but the fold tests from {test_start:%Y-%m-%d}"
            )
    if fitted.scaler.fit_end is not None and fitted.scaler.fit_end >= test_start:
        raise LeakError(
            f"leak guard: the scaler was fitted through {fitted.scaler.fit_end:%Y-%m-%d}, "
            f"but the fold tests from {test_start:%Y-%m-%d}"
        )


def first_allowed(meta: CheckpointMeta) -> pd.Timestamp:
    """The first target date a saved model has not seen: the day after its validation end."""
    return pd.Timestamp(meta.split.val_end) + pd.Timedelta(days=1)


def saved_model(
    series: list[Series], models_dir: Path, cfg: BacktestConfig
) -> tuple[list[Forecasts], list[FoldRow], list[str]]:
    """Evaluate a saved model, without refitting, after its training and validation data."""
    assert cfg.model is not None
    predictor, meta = weights.load_predictor(models_dir, cfg.model)
    widths = intervals.step_widths(
        meta.intervals.half_widths, cfg.level, cfg.horizon, meta.intervals.step_n
    )
    allowed = first_allowed(meta)
    start = pd.Timestamp(cfg.start) if cfg.start else allowed
    if start < allowed:
        raise UsageError(
            f"--start {start:%Y-%m-%d} is inside model {cfg.model!r}'s training or validation "
            f"data (through {meta.split.val_end}): that would score it in-sample; "
            f"use --start {allowed:%Y-%m-%d} or later"
        )
    results, rows, notes = [], [], []
    for s in series:
        first = int(np.searchsorted(s.dates, start))
        if first >= len(s.dates):
            notes.append(
                f"{s.symbol} has no days to score: its data ends {s.dates[-1]:%Y-%m-%d}, "
                f"before {start:%Y-%m-%d}"
            )
            continue
        origins = np.arange(max(first - 1, meta.data.window - 1), len(s.rel) - 1)
        trained = int(np.searchsorted(s.dates, pd.Timestamp(meta.split.train_end), side="right"))
        scale = metrics.naive_scale(s.close[:trained], s.prev_close[:trained])
        results.append(
            forecast_origins(predictor, s, origins, cfg.horizon, widths, 0, first, scale)
        )
        rows.append(
            FoldRow(
                1,
                s.symbol,
                meta.split.val_end,
                iso_day(s.dates[first]),
                iso_day(s.dates[-1]),
                len(origins),
            )
        )
    if not results:
        raise UsageError(f"no ticker has data on or after {start:%Y-%m-%d}: nothing to score")
    return results, rows, notes


def run(
    req: TrainRequest, models_dir: Path, cfg: BacktestConfig, hooks: BacktestHooks | None = None
) -> BacktestReport:
    """Load the tickers, run either mode, and score every step."""
    cfg.validate()
    if cfg.predictions_out is not None:
        workspace.check_output(cfg.predictions_out, "--predictions-out")
    if cfg.model is not None:
        meta = store.read_meta(models_dir, cfg.model)
        data = meta.data
    else:
        req.validate()
        loop.check_device(req.train)
        data = req.data
    frames = loading.load_frames(req.data_dir, req.tickers)
    series = loading.load_series(req.data_dir, req.tickers, data, frames)
    notes: list[str] = []
    if cfg.model is None:
        results, rows = walk_forward(series, req, cfg, hooks or BacktestHooks())
        mode = "walk-forward"
    else:
        results, rows, notes = saved_model(series, models_dir, cfg)
        changed = (changed_note(meta, symbol, frame) for symbol, frame, _ in frames)
        notes += [note for note in changed if note]
        mode = "saved model"
    if cfg.predictions_out is not None:
        reports.write_backtest_forecasts(cfg.predictions_out, results)
    return BacktestReport(
        mode,
        cfg.horizon,
        cfg.level,
        sorted({r.symbol for r in results}),
        rows,
        adjust([score_step(results, step) for step in range(cfg.horizon)]),
        score_step(results, None),
        cfg.model,
        lag_echo(results),
        notes,
        coverage_rows(results, cfg.level),
        by_ticker(results) if len({r.symbol for r in results}) > 1 else [],
        results,
    )
