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
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.checkpoint import store, weights
from stockrnn.checkpoint.data_changes import changed_note, covariate_notes
from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.common import collector, workspace
from stockrnn.common.errors import StockrnnError, UsageError
from stockrnn.common.limits import check_days, percent_levels, whole
from stockrnn.data.trading_calendar import iso_day
from stockrnn.dataset import exog, loading, splits
from stockrnn.dataset.config import CLOSE, Part
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


class Mode(StrEnum):
    walk_forward = "walk-forward"  # refitted per fold
    saved_model = "saved model"  # scored as saved, after its training and validation data


@dataclass(kw_only=True)
class BacktestHooks:
    """Progress: which fold is fitting, and the training hooks (Ctrl-C aborts, never scores)."""

    on_fold: Callable[[int, int], None] = lambda k, n: None
    fit: loop.FitHooks = field(default_factory=lambda: loop.FitHooks(keep_on_interrupt=False))


@dataclass(frozen=True, kw_only=True)
class BacktestConfig:
    """What to evaluate and how."""

    folds: int = 5
    horizon: int = 5  # days forecast recursively from each origin
    levels: tuple[int, ...] = (80,)  # interval coverages to check, in percent
    start: date | None = None  # first target date (saved-model mode)
    model: str | None = None  # evaluate this saved model instead of refitting
    first_cut: float = 0.5  # share of all sessions before the first fold's test span
    predictions_out: Path | None = None

    def validate(self) -> None:
        if not 1 <= whole(self.folds, "--folds") <= 50:
            raise UsageError("--folds must be between 1 and 50")
        check_days(self.horizon, "--horizon")
        if percent_levels(self.levels)[0] != tuple(self.levels):
            raise UsageError("levels must be sorted whole percents, e.g. (80, 95)")


@dataclass(frozen=True, kw_only=True)
class FoldRow:
    """One ticker in one fold: what the model saw and which days it was scored on."""

    fold: int  # 1-based; a saved model's one span is fold 1
    ticker: str
    train_through: str
    test_start: str
    test_end: str
    origins: int
    best_epoch: int | None = None


@dataclass(frozen=True, kw_only=True)
class BacktestReport:
    """Scores per step and overall, beside naive and drift, with the folds behind them."""

    mode: Mode
    horizon: int
    levels: tuple[int, ...]  # in percent; coverage and bands for each
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

    @property
    def level(self) -> float:
        """The first level as a fraction: the one the tables and charts show."""
        return self.levels[0] / 100


def forecast_origins(
    p: Predictor,
    s: Series,
    origins: np.ndarray,
    *,
    horizon: int,
    widths: dict[int, np.ndarray],
    fold: int,
    seen_rows: int,
    scale: float | None,
) -> Forecasts:
    """`horizon`-day forecasts from each origin row, with actuals, baselines and bands.

    `seen_rows`: the series' rows before the test span (the drift's mean return comes from
    them); `scale`: the training span's naive MAE, for MASE."""
    mu = baselines.drift_rate(s.rel[:, CLOSE], seen_rows)
    pred = paths(p, s, origins, horizon).close  # (origins, horizon)
    target = origins[:, None] + np.arange(1, horizon + 1)
    inside = target < len(s.close)
    actual = np.where(inside, s.close[np.minimum(target, len(s.close) - 1)], np.nan)
    naive, drift = baselines.forecasts(s.close[origins], mu, horizon)
    sigma = p.sigma(s, origins)
    bands = {lv: intervals.band(pred, sigma, w[:horizon]) for lv, w in widths.items()}
    lo, hi = next(iter(bands.values()))
    return Forecasts(
        symbol=s.symbol,
        fold=fold,
        origins=origins,
        dates=s.dates,
        pred=pred,
        actual=actual,
        naive=naive,
        drift=drift,
        lo=lo,
        hi=hi,
        scale=scale,
        bands=bands,
    )


def walk_forward(
    series: list[Series], req: TrainRequest, cfg: BacktestConfig, hooks: BacktestHooks
) -> tuple[list[Forecasts], list[FoldRow]]:
    """Refit per fold on every ticker's days before its cut; forecast each day of its span."""
    data = replace(req.data, split=(0.85, 0.15, 0.0), train_end=None, val_end=None)
    fold_req = replace(req, data=data)
    fold_req.validate()
    results, rows = [], []
    cuts = splits.fold_cuts(series, cfg.folds, cfg.first_cut)
    for k, (start, stop) in enumerate(cuts, start=1):
        hooks.on_fold(k, cfg.folds)
        cut = {s.symbol: int(np.searchsorted(s.dates, start)) for s in series}
        heads = [s.head(cut[s.symbol]) for s in series if cut[s.symbol] > req.data.window + 1]
        fitted = fit_series(heads, fold_req, replace(hooks.fit, keep_on_interrupt=False))
        check_no_leak(fitted, heads, start)
        by_step, counts = calibration(fitted, heads)
        widths = {
            lv: intervals.step_widths(by_step, lv / 100, cfg.horizon, counts) for lv in cfg.levels
        }
        seen_until = iso_day(max(h.dates[-1] for h in heads))
        scales = {  # MASE's scale: the fold's training part (its validation part left out)
            h.symbol: metrics.naive_scale(h.close[p == Part.train], h.prev_close[p == Part.train])
            for h, p in zip(heads, fitted.samples.parts, strict=True)
        }
        for s in series:
            lo, hi = cut[s.symbol], int(np.searchsorted(s.dates, stop))
            origins = np.arange(max(lo - 1, req.data.window - 1), hi - 1)
            if not len(origins):
                continue
            results.append(
                forecast_origins(
                    fitted.predictor,
                    s,
                    origins,
                    horizon=cfg.horizon,
                    widths=widths,
                    fold=k,
                    seen_rows=lo,
                    scale=scales.get(s.symbol),
                )
            )
            rows.append(
                FoldRow(
                    fold=k,
                    ticker=s.symbol,
                    train_through=seen_until,
                    test_start=iso_day(s.dates[lo]),
                    test_end=iso_day(s.dates[hi - 1]),
                    origins=len(origins),
                    best_epoch=fitted.result.best_epoch,
                )
            )
    return results, rows


def check_no_leak(fitted: Fitted, heads: list[Series], test_start: pd.Timestamp) -> None:
    """Refuse to score a fold if any ticker's training or validation day, or the scaler's fit
    range, reaches its test span."""
    for s, parts in zip(heads, fitted.samples.parts, strict=True):
        used = s.dates[parts <= Part.val]
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
    widths = {
        lv: intervals.step_widths(
            meta.intervals.half_widths, lv / 100, cfg.horizon, meta.intervals.step_n
        )
        for lv in cfg.levels
    }
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
        if not len(origins):
            notes.append(
                f"{s.symbol} has no days to score: its {s.size_note()} are too few for model "
                f"{cfg.model!r}'s window of {meta.data.window}"
            )
            continue
        trained = int(np.searchsorted(s.dates, pd.Timestamp(meta.split.train_end), side="right"))
        scale = metrics.naive_scale(s.close[:trained], s.prev_close[:trained])
        results.append(
            forecast_origins(
                predictor,
                s,
                origins,
                horizon=cfg.horizon,
                widths=widths,
                fold=1,
                seen_rows=first,
                scale=scale,
            )
        )
        collector.resume()  # one ticker scored: what the others need is loaded
        rows.append(
            FoldRow(
                fold=1,
                ticker=s.symbol,
                train_through=meta.split.val_end,
                test_start=iso_day(s.dates[first]),
                test_end=iso_day(s.dates[-1]),
                origins=len(origins),
            )
        )
    if not results:  # every ticker was left out: say why
        raise UsageError("nothing to score: " + "; ".join(notes))
    return results, rows, notes


def run(
    req: TrainRequest, models_dir: Path, cfg: BacktestConfig, hooks: BacktestHooks | None = None
) -> BacktestReport:
    """Load the tickers, run either mode, and score every step."""
    cfg.validate()
    if cfg.predictions_out is not None:
        workspace.check_output(cfg.predictions_out, "--predictions-out", (req.data_dir, models_dir))
    meta = store.read_meta(models_dir, cfg.model) if cfg.model is not None else None
    if meta is None:
        req.validate()
        loop.check_device(req.train)
    data = req.data if meta is None else meta.data
    frames = loading.load_frames(req.data_dir, req.tickers)
    covs = exog.load(req.data_dir, data.covariates)
    series = loading.load_series(req.data_dir, req.tickers, data, frames, covs)
    if meta is None:
        results, rows = walk_forward(series, req, cfg, hooks or BacktestHooks())
        notes: list[str] = []
    else:
        results, rows, notes = saved_model(series, models_dir, cfg)
        changed = (changed_note(meta, symbol, frame) for symbol, frame, _ in frames)
        notes += [note for note in changed if note] + covariate_notes(meta, covs)
    if cfg.predictions_out is not None:
        reports.write_backtest_forecasts(cfg.predictions_out, results)
    tickers = sorted({r.symbol for r in results})
    return BacktestReport(
        mode=Mode.walk_forward if meta is None else Mode.saved_model,
        horizon=cfg.horizon,
        levels=cfg.levels,
        tickers=tickers,
        folds=rows,
        per_step=adjust([score_step(results, step) for step in range(cfg.horizon)]),
        overall=score_step(results, None),
        model=cfg.model,
        echo=lag_echo(results),
        notes=notes,
        coverage=coverage_rows(results, cfg.levels),
        per_ticker=by_ticker(results) if len(tickers) > 1 else [],
        paths=results,
    )
