"""Fitting a model on series and forecasting with it: what train, backtest and tune share."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from stockrnn.checkpoint.schema import Timings
from stockrnn.common.choices import Head, IntervalMethod
from stockrnn.dataset import sampling
from stockrnn.dataset.config import Part, Spec
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import Samples
from stockrnn.dataset.scaling import Scaler
from stockrnn.evaluate.scoring import OneStep
from stockrnn.forecast import intervals
from stockrnn.forecast.rollout import Predictor, paths_many
from stockrnn.model import ddp, loop, threads
from stockrnn.model.loop import FitHooks
from stockrnn.model.network import Forecaster
from stockrnn.pipelines.request import TrainRequest


@dataclass(frozen=True, kw_only=True)
class Fitted:
    """A trained model with the samples and scaler it was fitted on."""

    model: Forecaster
    samples: Samples
    scaler: Scaler
    result: loop.FitResult
    device: torch.device
    exog: Spec  # the extra inputs the model reads
    intervals: IntervalMethod
    timings: Timings  # preparing and training (the pipeline adds loading and evaluating)

    @property
    def predictor(self) -> Predictor:
        return Predictor(
            model=self.model,
            scaler=self.scaler,
            window=self.samples.window,
            exog=self.exog,
            intervals=self.intervals,
        )


def fit_series(
    series: list[Series],
    req: TrainRequest,
    hooks: FitHooks | None = None,
    group: ddp.TrainingGroup | None = None,
) -> Fitted:
    """Scale, window and train on `series` (Ctrl-C: see FitHooks and loop.fit; `group`: the
    torchrun processes training this model together)."""
    t0 = time.perf_counter()
    samples, scaler = sampling.build(series, req.data, req.model.horizon)
    device = loop.resolve_device(req.train.device)
    device = ddp.device_for(device, group) if group is not None else device
    t1 = time.perf_counter()
    torch.manual_seed(req.train.seed)
    model = Forecaster(req.model_config()).to(device)  # the same weights on every rank
    if group is not None:
        ddp.seed_rank(req.train.seed, group)
    threads.use(req.threads, req.sharing)
    result = loop.fit(model, samples, req.train, device, hooks=hooks or FitHooks(), group=group)
    timings = Timings(
        prepare_s=t1 - t0,
        train_s=time.perf_counter() - t1,
        epoch_s=[e.seconds for e in result.history],
        val_s=[e.val_seconds for e in result.history],
    )
    return Fitted(
        model=model,
        samples=samples,
        scaler=scaler,
        result=result,
        device=device,
        exog=req.data.exog,
        intervals=req.intervals,
        timings=timings,
    )


def target_rows_by_series(fit: Fitted, part: Part) -> list[np.ndarray]:
    """Each series' scored days of `part`, in its own row numbers, sorted."""
    rows = np.sort(fit.samples.days[part])  # series are stored one after another
    cuts = np.searchsorted(fit.samples.owner[rows], np.arange(1, len(fit.samples.offsets)))
    return [r - fit.samples.offsets[i] for i, r in enumerate(np.split(rows, cuts))]


def one_step(predictor: Predictor, jobs: list[tuple[Series, np.ndarray]]) -> OneStep:
    """Forecast each (series, target rows) job's rows one day ahead from their true history."""
    forecasts = paths_many(predictor, [(s, rows - 1) for s, rows in jobs], 1)
    return OneStep(
        symbol=_cat([np.full(len(rows), s.symbol, dtype=object) for s, rows in jobs], object),
        dates=_cat([s.dates[rows].to_numpy() for s, rows in jobs], "datetime64[ns]"),
        pred=_cat([f.close[:, 0] for f in forecasts]),
        actual=_cat([s.close[rows] for s, rows in jobs]),
        naive=_cat([s.prev_close[rows] for s, rows in jobs]),
        sigma=_cat([predictor.sigma(s, rows - 1) for s, rows in jobs]),
        sizes=[len(rows) for _, rows in jobs],
    )


def _cat(arrays: list[np.ndarray], dtype: object = np.float64) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype)  # type: ignore[call-overload]


def part_one_step(fit: Fitted, series: list[Series], part: Part) -> OneStep:
    """Every scored day of `part`, forecast one day ahead from its true history."""
    rows = target_rows_by_series(fit, part)
    return one_step(fit.predictor, list(zip(series, rows, strict=True)))


def calibration(
    fit: Fitted, series: list[Series], most: int = intervals.CAL_ORIGINS
) -> tuple[list[list[float | None]], list[int]]:
    """Conformal widths per step and level from h-step residuals on the validation span, over
    each origin's recent volatility; a residual counts only if its target is a validation day.
    Past `most` validation origins, every ticker keeps every k-th, one k for all, starting
    at different days (intervals.CAL_ORIGINS says why)."""
    cfg = fit.model.cfg
    steps = intervals.CAL_STEPS
    if cfg.head is Head.direct:
        steps = min(steps, cfg.horizon)
    stride = max(1, -(-len(fit.samples.days[Part.val]) // most))
    jobs, lasts = [], []
    for i, (s, local) in enumerate(zip(series, target_rows_by_series(fit, Part.val), strict=True)):
        # staggered starts: thinned tickers still cover every validation day between them
        if len(origins := local[i % stride :: stride] - 1):
            jobs.append((s, origins))
            lasts.append(local.max())  # the final validation day
    resid: list[list[np.ndarray]] = [[] for _ in range(steps)]
    predictor = fit.predictor
    forecasts = paths_many(predictor, jobs, steps)
    for (s, origins), last, f in zip(jobs, lasts, forecasts, strict=True):
        sigma = predictor.sigma(s, origins)
        for h in range(1, steps + 1):
            ok = origins + h <= last  # the target is inside the validation span
            target = s.close[origins[ok] + h]
            resid[h - 1].append(np.abs(np.log(target / f.close[ok, h - 1])) / sigma[ok])
    flat = [np.concatenate(r) if r else np.empty(0) for r in resid]
    return [intervals.calibrate(r) for r in flat], [len(r) for r in flat]
