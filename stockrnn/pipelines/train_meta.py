"""The checkpoint's metadata from a finished `train`: settings, data, fit, scores, versions."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import torch

from stockrnn import __version__
from stockrnn.checkpoint.schema import (
    CheckpointMeta,
    CovariateMeta,
    FitMeta,
    IntervalMeta,
    MetricsMeta,
    ScalerMeta,
    SplitMeta,
    TickerMeta,
    Timings,
)
from stockrnn.data.trading_calendar import iso_day
from stockrnn.dataset.config import FEATURE_SETS, Part
from stockrnn.dataset.exog import Covariate
from stockrnn.dataset.loading import Series
from stockrnn.evaluate.scoring import OneStep
from stockrnn.pipelines.fitting import Fitted
from stockrnn.pipelines.request import TrainRequest


@dataclass(frozen=True, kw_only=True)
class Trained:
    """A model fitted on loaded series: what every torchrun process has after training."""

    token: str | None  # the checkpoint digest claimed before training (store.claim)
    series: list[Series]
    notes: list[str]  # tickers left out, and why
    started: datetime
    fit: Fitted
    covs: list[Covariate]  # the covariates as read for training (recorded in the checkpoint)
    load_s: float  # reading the cached series and covariates


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """A trained model judged on the test span, and its intervals calibrated on validation."""

    metrics: MetricsMeta
    intervals: IntervalMeta
    test: OneStep  # the test span's one-step forecasts
    width80: float | None  # the one-step 80% half-width, in units of each origin's volatility


def _ticker_meta(s: Series, parts: np.ndarray) -> TickerMeta:
    def last(part: Part) -> str | None:
        d = s.dates[parts == part]
        return iso_day(d[-1]) if len(d) else None

    test = s.dates[parts == Part.test]
    return TickerMeta(
        symbol=s.symbol,
        sha256=s.sha256,
        first_date=iso_day(s.dates[0]),
        last_date=iso_day(s.dates[-1]),
        train_end=last(Part.train),
        val_end=last(Part.val),
        test_start=iso_day(test[0]) if len(test) else None,
    )


def checkpoint_meta(
    req: TrainRequest, trained: Trained, evaluation: Evaluation, timings: Timings
) -> CheckpointMeta:
    """Everything the checkpoint records about a finished `train`."""
    fit = trained.fit
    history, scaler, samples = fit.result.history, fit.scaler, fit.samples
    return CheckpointMeta(
        name=req.name,
        created_at=trained.started.isoformat(timespec="seconds"),
        model=req.model_config(),
        data=req.data,
        train=req.train,
        split=SplitMeta(
            train_end=iso_day(samples.cuts.train_end), val_end=iso_day(samples.cuts.val_end)
        ),
        features=FEATURE_SETS[req.data.features],
        scaler=ScalerMeta(
            kind=scaler.kind,
            shift=scaler.shift.tolist(),
            scale=scaler.scale.tolist(),
            dropped=scaler.dropped,
            fit_start=iso_day(scaler.fit_start),
            fit_end=iso_day(scaler.fit_end),
            fit_rows=scaler.fit_rows,
        ),
        tickers=[_ticker_meta(s, p) for s, p in zip(trained.series, samples.parts, strict=True)],
        samples={p.name: int(len(samples.targets[p])) for p in Part},
        fit=FitMeta(
            best_epoch=fit.result.best_epoch,
            epochs_run=len(history),
            best_val_loss=fit.result.best_val,
            interrupted=fit.result.interrupted,
            samples_seen=fit.result.samples_seen,
            timings=timings,
            train_loss=[e.train_loss for e in history],
            val_loss=[e.val_loss for e in history],
        ),
        metrics=evaluation.metrics,
        intervals=evaluation.intervals,
        versions={
            "stockrnn": __version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        device=str(fit.device),
        tuned=req.tuned,
        covariates=[
            CovariateMeta(
                symbol=c.symbol,
                sha256=c.sha256,
                last_date=iso_day(c.last_date),
                calendar=c.calendar,
            )
            for c in trained.covs
        ],
        inputs=req.data.inputs,
    )
