"""`stockrnn backtest`: walk-forward evaluation beside the naive and drift baselines.

Expanding window: folds are cut by date across all tickers; each fold fits its scaler and model
on every ticker's days before its cut only, then forecasts `horizon` days recursively from every
day of its test span. With a saved model,
nothing is refitted and the span starts after the model's training and validation data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from stockrnn import (
    atomic,
    checkpoint,
    dataset,
    experiment,
    features,
    intervals,
    metrics,
    store,
    workspace,
)
from stockrnn.dataset import DataConfig, Scaler, Series
from stockrnn.errors import StockrnnError, UsageError
from stockrnn.experiment import Fitted, TrainRequest, fit_series, val_half_widths
from stockrnn.forecast import changed_note, roll, scaler_of
from stockrnn.limits import check_days, check_level
from stockrnn.trading_calendar import day

ECHO_RATIO = 0.1  # predicted moves this much smaller than actual ones count as an echo
COLUMNS = [
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


class LeakError(StockrnnError):
    """A fold's fitted data reaches into its own test span: a bug, never expected."""


@dataclass
class Hooks:
    """Progress: which fold is fitting, and the training hooks (Ctrl-C aborts, never scores)."""

    on_fold: Callable[[int, int], None] = lambda k, n: None
    fit: experiment.Hooks = field(default_factory=lambda: experiment.Hooks(keep_on_interrupt=False))


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
class Forecasts:
    """Forecasts from many origins, (origins, horizon) arrays; NaN actual = beyond the data."""

    symbol: str
    fold: int
    origins: np.ndarray
    dates: pd.DatetimeIndex
    pred: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    drift: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass
class Report:
    settings: dict[str, Any]
    folds: list[dict[str, Any]] = field(default_factory=list)
    per_step: list[dict[str, Any]] = field(default_factory=list)
    overall: dict[str, Any] = field(default_factory=dict)
    echo: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@torch.no_grad()
def forecast_origins(
    model: torch.nn.Module,
    scaler: Scaler,
    window: int,
    s: Series,
    origins: np.ndarray,
    horizon: int,
    width: float,
    mu: float,
    fold: int = 0,
    chunk: int = 4096,
) -> Forecasts:
    """Recursive `horizon`-day forecasts from each origin row, using true history up to it."""
    model.eval()
    scaled = torch.from_numpy(scaler.transform(s.rel).astype(np.float32))
    view = scaled.unfold(0, window, 1)  # (rows - window + 1, features, window)
    device = next(model.parameters()).device
    outs = []
    for i in range(0, len(origins), chunk):
        start = torch.from_numpy(origins[i : i + chunk] - window + 1)
        x = view[start].transpose(1, 2).to(device)  # (batch, window, features)
        outs.append(roll(model, x, horizon).cpu().numpy())
    rel = scaler.inverse(np.concatenate(outs).astype(np.float64))  # (origins, horizon, feats)
    last = s.close[origins][:, None]
    pred = last * np.exp(np.cumsum(rel[..., features.CLOSE], axis=1))
    target = origins[:, None] + np.arange(1, horizon + 1)
    inside = target < len(s.close)
    actual = np.where(inside, s.close[np.minimum(target, len(s.close) - 1)], np.nan)
    naive = np.repeat(last, horizon, axis=1)
    drift = last * np.exp(mu * np.arange(1, horizon + 1))
    lo, hi = intervals.band(pred, width)
    return Forecasts(s.symbol, fold, origins, s.dates, pred, actual, naive, drift, lo, hi)


def _mu(s: Series, rows: int) -> float:
    """Mean daily log return of the close over the first `rows` feature rows (drift)."""
    return float(np.mean(s.rel[:rows, features.CLOSE])) if rows else 0.0


def fold_cuts(series: list[Series], cfg: BacktestConfig) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(first test day, first day after the fold) per fold, cut on the union of all sessions."""
    days = pd.DatetimeIndex(np.unique(np.concatenate([s.dates.to_numpy() for s in series])))
    edges = np.linspace(int(cfg.first_cut * len(days)), len(days), cfg.folds + 1).astype(int)
    after = days[-1] + pd.Timedelta(days=1)
    return [
        (days[lo], days[hi] if hi < len(days) else after)
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        if hi > lo
    ]


def walk_forward(
    series: list[Series], req: TrainRequest, cfg: BacktestConfig, hooks: Hooks | None = None
) -> Report:
    """Refit per fold on every ticker's days before its cut; forecast each day of its span."""
    hooks = hooks or Hooks()
    fold_req = replace(
        req,
        data=DataConfig(req.data.window, req.data.features, req.data.scaler, (0.85, 0.15, 0.0)),
    )
    fold_req.validate()
    report = Report(settings={"mode": "walk-forward", "folds": cfg.folds})
    results: list[Forecasts] = []
    for k, (start, stop) in enumerate(fold_cuts(series, cfg)):
        hooks.on_fold(k + 1, cfg.folds)
        cut = {s.symbol: int(np.searchsorted(s.dates, start)) for s in series}
        heads = [s.head(cut[s.symbol]) for s in series if cut[s.symbol] > req.data.window + 1]
        fitted = fit_series(heads, fold_req, replace(hooks.fit, keep_on_interrupt=False))
        guard(fitted, heads, start)
        width = intervals.half_width(val_half_widths(fitted, heads), cfg.level)
        seen_until = max(h.dates[-1] for h in heads)
        for s in series:
            lo, hi = cut[s.symbol], int(np.searchsorted(s.dates, stop))
            origins = np.arange(max(lo - 1, req.data.window - 1), hi - 1)
            if not len(origins):
                continue
            results.append(
                forecast_origins(
                    fitted.model,
                    fitted.scaler,
                    req.data.window,
                    s,
                    origins,
                    cfg.horizon,
                    width,
                    _mu(s, lo),
                    k + 1,
                )
            )
            report.folds.append(
                {
                    "fold": k + 1,
                    "ticker": s.symbol,
                    "train_through": day(seen_until),
                    "test_start": day(s.dates[lo]),
                    "test_end": day(s.dates[hi - 1]),
                    "origins": len(origins),
                    "best_epoch": fitted.result.best_epoch,
                }
            )
    return _summarise(report, results, cfg)


def guard(fitted: Fitted, heads: list[Series], test_start: pd.Timestamp) -> None:
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


def first_allowed(meta: dict[str, Any]) -> pd.Timestamp:
    """The first target date a saved model has not seen: the day after its validation end."""
    return pd.Timestamp(meta["split"]["val_end"]) + pd.Timedelta(days=1)


def saved_model(
    series: list[Series], models_dir: Path, cfg: BacktestConfig
) -> tuple[Report, list[str]]:
    """Evaluate a saved model, without refitting, after its training and validation data."""
    assert cfg.model is not None
    model, meta = checkpoint.load(models_dir, cfg.model)
    scaler, window = scaler_of(meta), int(meta["data"]["window"])
    width = intervals.half_width(meta["intervals"]["half_widths"], cfg.level)
    allowed = first_allowed(meta)
    start = pd.Timestamp(cfg.start) if cfg.start else allowed
    if start < allowed:
        raise UsageError(
            f"--start {start:%Y-%m-%d} is inside model {cfg.model!r}'s training or validation "
            f"data (through {meta['split']['val_end']}): that would score it in-sample; "
            f"use --start {allowed:%Y-%m-%d} or later"
        )
    report = Report(settings={"mode": "saved model", "model": cfg.model})
    results, notes = [], []
    for s in series:
        first = int(np.searchsorted(s.dates, start))
        if first >= len(s.dates):
            notes.append(
                f"{s.symbol} has no days to score: its data ends {s.dates[-1]:%Y-%m-%d}, "
                f"before {start:%Y-%m-%d}"
            )
            continue
        origins = np.arange(max(first - 1, window - 1), len(s.rel) - 1)
        results.append(
            forecast_origins(model, scaler, window, s, origins, cfg.horizon, width, _mu(s, first))
        )
        report.folds.append(
            {
                "fold": 1,
                "ticker": s.symbol,
                "train_through": meta["split"]["val_end"],
                "test_start": day(s.dates[first]),
                "test_end": day(s.dates[-1]),
                "origins": len(origins),
            }
        )
    if not results:
        raise UsageError(f"no ticker has data on or after {start:%Y-%m-%d}: nothing to score")
    return _summarise(report, results, cfg), notes


def _scores(
    pred: np.ndarray,
    actual: np.ndarray,
    naive: np.ndarray,
    drift: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> dict[str, Any]:
    ok = ~np.isnan(actual)
    pred, actual, naive, drift, lo, hi = (a[ok] for a in (pred, actual, naive, drift, lo, hi))
    return {
        "model": metrics.score(pred, actual, naive),
        "naive": metrics.score(naive, actual, naive),
        "drift": metrics.score(drift, actual, naive),
        "coverage": float(np.mean((lo <= actual) & (actual <= hi))) if len(actual) else None,
    }


def _stack(results: list[Forecasts], name: str) -> np.ndarray:
    return np.concatenate([getattr(r, name) for r in results])  # (all origins, horizon)


def _summarise(report: Report, results: list[Forecasts], cfg: BacktestConfig) -> Report:
    arrays = {n: _stack(results, n) for n in ("pred", "actual", "naive", "drift", "lo", "hi")}
    for step in range(cfg.horizon):
        report.per_step.append(
            {"step": step + 1, **_scores(*(a[:, step] for a in arrays.values()))}
        )
    report.overall = _scores(*(a.ravel() for a in arrays.values()))
    report.echo = lag_echo(results)
    report.settings.update(
        {"horizon": cfg.horizon, "level": cfg.level, "tickers": sorted({r.symbol for r in results})}
    )
    if cfg.predictions_out is not None:
        atomic.write_bytes(cfg.predictions_out, predictions_csv(results).encode())
    return report


def lag_echo(results: list[Forecasts]) -> list[str]:
    """Plain-words warnings when one-step forecasts mostly carry yesterday's close forward."""
    warnings = []
    for r in results:
        ok = ~np.isnan(r.actual[:, 0])
        pred, actual, last = r.pred[ok, 0], r.actual[ok, 0], r.naive[ok, 0]
        if len(pred) < 10:
            continue
        moved = np.median(np.abs(actual - last))
        ratio = np.median(np.abs(pred - last)) / moved if moved > 0 else 0.0
        same_day = np.corrcoef(pred, actual)[0, 1]
        day_before = np.corrcoef(pred, last)[0, 1]
        tag = f"{r.symbol}" + (f" fold {r.fold}" if r.fold else "")
        if ratio < ECHO_RATIO:
            warnings.append(
                f"{tag}: the forecasts are mostly yesterday's close carried forward "
                f"(median predicted move is {100 * ratio:.0f}% of the median actual "
                "move)"
            )
        elif day_before > same_day:
            warnings.append(
                f"{tag}: the forecast tracks yesterday's close more closely than "
                f"the day it forecasts (correlation {day_before:.4f} vs "
                f"{same_day:.4f}): it echoes the last price"
            )
    return warnings


def predictions_csv(results: list[Forecasts]) -> str:
    """Every forecast with a known actual: origin and target dates, step, values."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(COLUMNS)
    for r in results:
        for b, o in enumerate(r.origins):
            for step in range(r.pred.shape[1]):
                if np.isnan(r.actual[b, step]):
                    continue
                out.writerow(
                    [
                        r.symbol,
                        r.fold,
                        day(r.dates[o]),
                        day(r.dates[o + step + 1]),
                        step + 1,
                        *(
                            repr(float(getattr(r, n)[b, step]))
                            for n in ("pred", "actual", "naive", "drift", "lo", "hi")
                        ),
                    ]
                )
    return buf.getvalue()


def run(
    req: TrainRequest, models_dir: Path, cfg: BacktestConfig, hooks: Hooks | None = None
) -> Report:
    """Load the tickers and run either mode."""
    cfg.validate()
    if cfg.predictions_out is not None:
        workspace.check_output(cfg.predictions_out, "--predictions-out")
    if cfg.model is not None:
        meta = checkpoint.read_meta(models_dir, cfg.model)
        names = meta["features"]
    else:
        req.validate()
        names = features.FEATURE_SETS[req.data.features]
    series = dataset.load_series(req.data_dir, req.tickers, names)
    if cfg.model is None:
        return walk_forward(series, req, cfg, hooks)
    report, notes = saved_model(series, models_dir, cfg)
    report.notes = notes + [
        note
        for s in series
        if (note := changed_note(meta, s.symbol, store.load(req.data_dir, s.symbol)[0]))
    ]
    return report
