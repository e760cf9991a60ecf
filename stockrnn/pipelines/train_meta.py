"""The checkpoint's metadata from a finished `train`: settings, data, fit, scores, versions."""

from __future__ import annotations

import platform
from datetime import datetime
from typing import TYPE_CHECKING

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
)
from stockrnn.data.trading_calendar import iso_day
from stockrnn.dataset import config, features
from stockrnn.dataset.exog import Covariate
from stockrnn.dataset.loading import Series

if TYPE_CHECKING:
    from stockrnn.pipelines.fitting import Fitted
    from stockrnn.pipelines.request import TrainRequest


def _ticker_meta(s: Series) -> TickerMeta:
    def last(code: int) -> str | None:
        d = s.dates[s.part == code]
        return iso_day(d[-1]) if len(d) else None

    test = s.dates[s.part == 2]
    return TickerMeta(
        symbol=s.symbol,
        sha256=s.sha256,
        first_date=iso_day(s.dates[0]),
        last_date=iso_day(s.dates[-1]),
        train_end=last(0),
        val_end=last(1),
        test_start=iso_day(test[0]) if len(test) else None,
    )


def checkpoint_meta(
    req: TrainRequest,
    fit: Fitted,
    series: list[Series],
    started: datetime,
    scored: tuple[MetricsMeta, IntervalMeta],
    covs: list[Covariate],
) -> CheckpointMeta:
    """Everything the checkpoint records about a finished `train`."""
    scores, widths = scored
    history, scaler = fit.result.history, fit.scaler
    return CheckpointMeta(
        name=req.name,
        created_at=started.isoformat(timespec="seconds"),
        model=req.model_config(),
        data=req.data,
        train=req.train,
        split=SplitMeta(
            train_end=iso_day(fit.samples.cuts.train_end), val_end=iso_day(fit.samples.cuts.val_end)
        ),
        features=features.FEATURE_SETS[req.data.features],
        scaler=ScalerMeta(
            kind=scaler.kind,
            shift=scaler.shift.tolist(),
            scale=scaler.scale.tolist(),
            dropped=scaler.dropped,
            fit_start=iso_day(scaler.fit_start),
            fit_end=iso_day(scaler.fit_end),
            fit_rows=scaler.fit_rows,
        ),
        tickers=[_ticker_meta(s) for s in series],
        samples={p: int(len(fit.samples.targets[p])) for p in config.PARTS},
        fit=FitMeta(
            best_epoch=fit.result.best_epoch,
            epochs_run=len(history),
            best_val_loss=fit.result.best_val,
            interrupted=fit.result.interrupted,
            epoch_s=[e.seconds for e in history],
            val_s=[e.val_seconds for e in history],
            samples_seen=fit.result.samples_seen,
            prepare_s=fit.prepare_s,
            train_s=fit.train_s,
            load_s=fit.load_s,
            evaluate_s=fit.evaluate_s,
            train_loss=[e.train_loss for e in history],
            val_loss=[e.val_loss for e in history],
        ),
        metrics=scores,
        intervals=widths,
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
            for c in covs
        ],
        inputs=req.data.inputs,
    )
