"""One `stockrnn train`: data -> samples -> model -> fit -> evaluate on test -> checkpoint."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from stockrnn import __version__, checkpoint, dataset, features, intervals, limits, metrics, train
from stockrnn.dataset import DataConfig, Samples, Scaler, Series
from stockrnn.model import Forecaster, ModelConfig
from stockrnn.trading_calendar import day
from stockrnn.train import TrainConfig


@dataclass
class TrainRequest:
    """Everything `stockrnn train` needs; validated in full before any work."""

    data_dir: Path
    models_dir: Path
    name: str = "default"
    tickers: list[str] = field(default_factory=list)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    overwrite: bool = False  # replace an existing checkpoint of this name

    def validate(self) -> None:
        checkpoint.check_name(self.name)
        self.data.validate()
        self.model.n_features = len(features.FEATURE_SETS[self.data.features])
        self.model.validate()
        self.train.validate()


def one_step_closes(
    model: torch.nn.Module,
    windows: train.Windows,
    rows: np.ndarray,
    scaler: Scaler,
    prev_close: np.ndarray,
) -> np.ndarray:
    """Predicted closes for the target rows, from their true history (one step ahead)."""
    rel = scaler.inverse(train.predict_rows(model, windows, rows).astype(np.float64))
    return np.asarray(prev_close[rows] * np.exp(rel[:, features.CLOSE]))


def _split_dates(s: Series) -> dict[str, str | None]:
    def last(code: int) -> str | None:
        d = s.dates[s.part == code]
        return day(d[-1]) if len(d) else None

    test = s.dates[s.part == 2]
    return {
        "train_end": last(0),
        "val_end": last(1),
        "test_start": day(test[0]) if len(test) else None,
    }


@dataclass
class Fitted:
    """A trained model with the samples and scaler it was fitted on."""

    model: Forecaster
    samples: Samples
    scaler: Scaler
    result: train.FitResult
    device: torch.device
    prepare_s: float = 0.0  # scaling and indexing the samples (scikit-learn's import included)
    train_s: float = 0.0  # model construction to trained model, as the benchmark harness counts


@dataclass
class Hooks:
    """Progress callbacks, and what Ctrl-C means (keep the best epoch, or abort)."""

    on_epoch: Callable[[train.Epoch], None] = lambda _: None
    on_batch: Callable[[int, int], None] = lambda done, total: None
    keep_on_interrupt: bool = True


def fit_series(series: list[Series], req: TrainRequest, hooks: Hooks | None = None) -> Fitted:
    """Scale, window and train on `series` (Ctrl-C: see Hooks and train.fit)."""
    hooks = hooks or Hooks()
    t0 = time.perf_counter()
    samples, scaler = dataset.build(series, req.data)
    device = train.resolve_device(req.train.device)
    t1 = time.perf_counter()
    torch.manual_seed(req.train.seed)
    model = Forecaster(req.model).to(device)
    result = train.fit(
        model, samples, req.train, device, hooks.on_epoch, hooks.keep_on_interrupt, hooks.on_batch
    )
    return Fitted(model, samples, scaler, result, device, t1 - t0, time.perf_counter() - t1)


def val_half_widths(fit: Fitted, series: list[Series]) -> list[float]:
    """Conformal half-widths for intervals.LEVELS from one-step residuals on the val samples."""
    close, prev = _closes(series)
    val = fit.samples.targets["val"]
    pred = one_step_closes(fit.model, train.Windows(fit.samples, fit.device), val, fit.scaler, prev)
    return intervals.calibrate(np.abs(np.log(close[val] / pred)))


def evaluate(fit: Fitted, series: list[Series]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Test metrics per ticker and overall, and conformal interval widths from val."""
    close, prev = _closes(series)
    quantiles = val_half_widths(fit, series)
    test = fit.samples.targets["test"]
    test_pred = one_step_closes(
        fit.model, train.Windows(fit.samples, fit.device), test, fit.scaler, prev
    )
    per: dict[str, Any] = {}
    for i, s in enumerate(series):
        mine = fit.samples.owner[test] == i
        per[s.symbol] = metrics.compare(test_pred[mine], close[test][mine], prev[test][mine])
    overall = metrics.compare(test_pred, close[test], prev[test])
    width80 = intervals.half_width(quantiles, 0.8)
    cover = intervals.coverage(test_pred, close[test], width80) if len(test) else None
    widths = {
        "levels": limits.LEVELS,
        "half_widths": quantiles,
        "val_n": int(len(fit.samples.targets["val"])),
        "test_coverage_80": cover,
    }
    return {"per_ticker": per, "overall": overall}, widths


def _closes(series: list[Series]) -> tuple[np.ndarray, np.ndarray]:
    """Every series' closes and previous closes, aligned with the samples' global rows."""
    return (
        np.concatenate([s.close for s in series]),
        np.concatenate([s.prev_close for s in series]),
    )


def run(req: TrainRequest, hooks: Hooks | None = None) -> dict[str, Any]:
    """Train, evaluate and save; returns the run summary (also stored in the checkpoint)."""
    req.validate()
    token = checkpoint.claim(req.models_dir, req.name, req.overwrite)
    names = features.FEATURE_SETS[req.data.features]
    series = dataset.load_series(req.data_dir, req.tickers, names)
    skipped: list[str] = []
    if not req.tickers:  # every cached ticker: leave out the short ones, and say so
        reasons = {s.symbol: dataset.too_short(s, req.data) for s in series}
        skipped = [r for r in reasons.values() if r]
        series = [s for s in series if not reasons[s.symbol]] or series
    started = datetime.now(UTC)
    fit = fit_series(series, req, hooks)
    skipped += dataset.no_test_days(series, fit.samples.cuts)
    samples, scaler, fitted = fit.samples, fit.scaler, fit.result
    scores, widths = evaluate(fit, series)
    meta = {
        "created_at": started.isoformat(timespec="seconds"),
        "model": asdict(req.model),
        "data": {
            **asdict(req.data),
            "train_end": _iso(req.data.train_end),
            "val_end": _iso(req.data.val_end),
        },
        "train": asdict(req.train),
        "split": {
            "train_end": day(samples.cuts.train_end),
            "val_end": day(samples.cuts.val_end),
        },
        "features": names,
        "scaler": {
            "kind": scaler.kind,
            "shift": scaler.shift.tolist(),
            "scale": scaler.scale.tolist(),
            "fit_start": day(scaler.fit_start),
            "fit_end": day(scaler.fit_end),
            "fit_rows": scaler.fit_rows,
        },
        "tickers": [
            {
                "symbol": s.symbol,
                "sha256": s.sha256,
                "first_date": day(s.dates[0]),
                "last_date": day(s.dates[-1]),
                **_split_dates(s),
            }
            for s in series
        ],
        "samples": {p: int(len(samples.targets[p])) for p in dataset.PARTS},
        "fit": {
            "best_epoch": fitted.best_epoch,
            "epochs_run": len(fitted.history),
            "best_val_loss": fitted.best_val,
            "interrupted": fitted.interrupted,
            "epoch_s": [e.seconds for e in fitted.history],
            "val_s": [e.val_seconds for e in fitted.history],
            "samples_seen": fitted.samples_seen,
            "prepare_s": fit.prepare_s,
            "train_s": fit.train_s,
        },
        "metrics": scores,
        "intervals": widths,
        "versions": {
            "stockrnn": __version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "device": str(fit.device),
    }
    saved = checkpoint.save(
        req.models_dir,
        req.name,
        fit.model.state_dict(),
        meta,
        expect=token,
        replace=not fitted.interrupted,
    )
    return {**meta, "name": saved.name, "skipped": skipped, "saved_note": saved.note}


def _iso(d: Any) -> str | None:
    return d.isoformat() if d else None
