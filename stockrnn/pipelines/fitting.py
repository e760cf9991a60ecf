"""Fitting a model on series and forecasting with it: what train, backtest and tune share."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from stockrnn.dataset import sampling
from stockrnn.dataset.exog import Spec
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import Samples
from stockrnn.dataset.scaling import Scaler
from stockrnn.evaluate.scoring import OneStep
from stockrnn.forecast import intervals
from stockrnn.forecast.rollout import Predictor, paths_many
from stockrnn.model import ddp, loop
from stockrnn.model.loop import FitHooks
from stockrnn.model.network import Forecaster
from stockrnn.pipelines.request import TrainRequest


@dataclass
class Fitted:
    """A trained model with the samples and scaler it was fitted on."""

    model: Forecaster
    samples: Samples
    scaler: Scaler
    result: loop.FitResult
    device: torch.device
    exog: Spec = field(default_factory=Spec)  # the extra inputs the model reads
    intervals: str = "vol"  # interval method
    prepare_s: float = 0.0  # scaling and indexing the samples
    train_s: float = 0.0  # model construction to trained model, as the benchmark harness counts
    load_s: float = 0.0  # reading the cached series and covariates (set by `run`)
    evaluate_s: float = 0.0  # interval calibration and the test forecasts (set by `run`)

    @property
    def predictor(self) -> Predictor:
        return Predictor(self.model, self.scaler, self.samples.window, self.exog, self.intervals)


def fit_series(
    series: list[Series],
    req: TrainRequest,
    hooks: FitHooks | None = None,
    group: ddp.TrainingGroup | None = None,
) -> Fitted:
    """Scale, window and train on `series` (Ctrl-C: see FitHooks and loop.fit; `group`: the
    torchrun processes training this model together)."""
    hooks = hooks or FitHooks()
    t0 = time.perf_counter()
    samples, scaler = sampling.build(series, req.data, req.model.horizon)
    device = loop.resolve_device(req.train.device)
    device = ddp.device_for(device, group) if group is not None else device
    t1 = time.perf_counter()
    torch.manual_seed(req.train.seed)
    model = Forecaster(req.model_config()).to(device)  # the same weights on every rank
    if group is not None:
        ddp.seed_rank(req.train.seed, group)
    result = loop.fit(
        model,
        samples,
        req.train,
        device,
        hooks.on_epoch,
        hooks.keep_on_interrupt,
        hooks.on_batch,
        group,
    )
    took = (t1 - t0, time.perf_counter() - t1)
    return Fitted(model, samples, scaler, result, device, req.data.exog, req.intervals, *took)


def target_rows_by_series(fit: Fitted, part: str) -> list[np.ndarray]:
    """Each series' scored days of `part` (train, val, test), in its own row numbers, sorted."""
    rows = np.sort(fit.samples.days[part])  # series are stored one after another
    cuts = np.searchsorted(fit.samples.owner[rows], np.arange(1, len(fit.samples.offsets)))
    return [r - fit.samples.offsets[i] for i, r in enumerate(np.split(rows, cuts))]


def one_step(fit: Fitted, series: list[Series], part: str) -> OneStep:
    """Forecast every target row of `part` one day ahead from its true history."""
    locals_ = target_rows_by_series(fit, part)
    jobs = [(s, local - 1) for s, local in zip(series, locals_, strict=True)]
    predictor = fit.predictor
    forecasts = paths_many(predictor, jobs, 1)
    keys = ("symbol", "dates", "pred", "act", "nv", "sigma")
    out: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    for s, local, f in zip(series, locals_, forecasts, strict=True):
        out["symbol"].append(np.full(len(local), s.symbol, dtype=object))
        out["dates"].append(s.dates[local].to_numpy())
        out["pred"].append(f.close[:, 0])
        out["act"].append(s.close[local])
        out["nv"].append(s.prev_close[local])
        out["sigma"].append(predictor.sigma(s, local - 1))
    cat = {k: np.concatenate(v) for k, v in out.items()}
    sizes = [len(local) for local in locals_]
    return OneStep(
        cat["symbol"], cat["dates"], cat["pred"], cat["act"], cat["nv"], cat["sigma"], sizes
    )


def calibration(
    fit: Fitted, series: list[Series], most: int = intervals.CAL_ORIGINS
) -> tuple[list[list[float | None]], list[int]]:
    """Conformal widths per step and level from h-step residuals on the validation span, over
    each origin's recent volatility; a residual counts only if its target is a validation day.
    Past `most` validation origins, every ticker keeps every k-th, one k for all, starting
    at different days (intervals.CAL_ORIGINS says why)."""
    cfg = fit.model.cfg
    steps = intervals.CAL_STEPS if cfg.head != "direct" else min(intervals.CAL_STEPS, cfg.horizon)
    stride = max(1, -(-len(fit.samples.days["val"]) // most))
    jobs, lasts = [], []
    for i, (s, local) in enumerate(zip(series, target_rows_by_series(fit, "val"), strict=True)):
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
