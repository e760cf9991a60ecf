"""One `stockrnn train`: data -> samples -> model -> fit -> evaluate on test -> checkpoint."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from stockrnn import (
    baselines,
    checkpoint,
    compare,
    dataset,
    ddp,
    exog,
    features,
    intervals,
    limits,
    metrics,
    scoring,
    train,
)
from stockrnn.choices import IntervalMethod, check
from stockrnn.dataset import DataConfig, Samples, Scaler, Series
from stockrnn.errors import UsageError
from stockrnn.exog import Covariate, Spec
from stockrnn.meta import (
    CheckpointMeta,
    IntervalMeta,
    MetricsMeta,
    TunedMeta,
)
from stockrnn.meta_build import checkpoint_meta
from stockrnn.model import Forecaster, ModelConfig
from stockrnn.rollout import Predictor, paths_many
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
    predictions_out: Path | None = None  # write the test split's one-step forecasts here
    tuned: TunedMeta | None = None  # the tune study and trial this configuration came from
    intervals: str = "vol"  # interval method: vol | fixed (choices.IntervalMethod)

    def validate(self) -> None:
        checkpoint.check_name(self.name)
        self.data.validate()
        self.model.validate()
        self.train.validate()
        check(IntervalMethod, self.intervals, "--intervals")

    def model_config(self) -> ModelConfig:
        """The model settings, sized for the chosen feature set."""
        return replace(self.model, n_features=self.data.n_out, n_inputs=len(self.data.inputs))


@dataclass
class Hooks:
    """Progress callbacks, and what Ctrl-C means (keep the best epoch, or abort)."""

    on_epoch: Callable[[train.Epoch], None] = lambda _: None
    on_batch: Callable[[int, int], None] = lambda done, total: None
    keep_on_interrupt: bool = True


@dataclass
class Fitted:
    """A trained model with the samples and scaler it was fitted on."""

    model: Forecaster
    samples: Samples
    scaler: Scaler
    result: train.FitResult
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


@dataclass
class OneStep:
    """One-step forecasts for one part (val or test) of every series, aligned by row."""

    symbol: np.ndarray  # (n,) ticker of each row
    dates: np.ndarray  # (n,) target dates
    pred: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    sigma: np.ndarray  # (n,) recent volatility at each origin (intervals.origin_sigma)
    sizes: list[int]  # rows of each series, in order: they run one series after another

    def blocks(self) -> list[slice]:
        """Each series' rows."""
        ends = np.cumsum(self.sizes, dtype=int)
        return [slice(int(e - n), int(e)) for e, n in zip(ends, self.sizes, strict=True)]


@dataclass
class TrainSummary:
    """What `train` reports: the checkpoint's metadata, and what happened around it."""

    meta: CheckpointMeta
    skipped: list[str] = field(default_factory=list)  # tickers left out or without test days
    saved_note: str | None = None  # why the model went under another name, if it did


def fit_series(
    series: list[Series],
    req: TrainRequest,
    hooks: Hooks | None = None,
    group: ddp.Group | None = None,
) -> Fitted:
    """Scale, window and train on `series` (Ctrl-C: see Hooks and train.fit; `group`: the
    torchrun processes training this model together)."""
    hooks = hooks or Hooks()
    t0 = time.perf_counter()
    samples, scaler = dataset.build(series, req.data, req.model.horizon)
    device = train.resolve_device(req.train.device)
    device = ddp.device_for(device, group) if group is not None else device
    t1 = time.perf_counter()
    torch.manual_seed(req.train.seed)
    model = Forecaster(req.model_config()).to(device)  # the same weights on every rank
    if group is not None:
        ddp.seed_rank(req.train.seed, group)
    result = train.fit(
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


def local_rows(fit: Fitted, part: str) -> list[np.ndarray]:
    """Each series' scored days of `part` (train, val, test), in its own row numbers, sorted."""
    rows = np.sort(fit.samples.days[part])  # series are stored one after another
    cuts = np.searchsorted(fit.samples.owner[rows], np.arange(1, len(fit.samples.offsets)))
    return [r - fit.samples.offsets[i] for i, r in enumerate(np.split(rows, cuts))]


def one_step(fit: Fitted, series: list[Series], part: str) -> OneStep:
    """Forecast every target row of `part` one day ahead from its true history."""
    locals_ = local_rows(fit, part)
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
    for i, (s, local) in enumerate(zip(series, local_rows(fit, "val"), strict=True)):
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


def evaluate(
    fit: Fitted, series: list[Series]
) -> tuple[MetricsMeta, IntervalMeta, OneStep, float | None]:
    """Test metrics per ticker and overall, interval widths from val, and the test forecasts."""
    by_step, counts = calibration(fit, series)
    test = one_step(fit, series, "test")
    groups = []
    for s, rows in zip(series, test.blocks(), strict=True):
        if rows.stop > rows.start:
            train = s.part == 0
            mu = baselines.drift_rate(s.rel[:, features.CLOSE], int(np.sum(s.part < 2)))
            groups.append(
                compare.Group(
                    symbol=s.symbol,
                    dates=test.dates[rows],
                    pred=test.pred[rows],
                    actual=test.actual[rows],
                    naive=test.naive[rows],
                    drift=baselines.forecasts(test.naive[rows], mu, 1)[1],
                    scale=metrics.naive_scale(s.close[train], s.prev_close[train]),
                )
            )
    per_ticker = scoring.adjust([compare.compare_groups([g]) for g in groups])
    per = {g.symbol: c for g, c in zip(groups, per_ticker, strict=True)}
    width80 = intervals.half_width(by_step[0], 0.8)
    cover = (
        intervals.coverage(test.pred, test.actual, width80 * test.sigma)
        if len(test.pred) and width80 is not None
        else None
    )
    widths = IntervalMeta(
        method=fit.intervals,
        levels=list(limits.LEVELS),
        half_widths=by_step,
        step_n=counts,
        val_n=int(len(fit.samples.days["val"])),
        test_coverage_80=cover,
    )
    overall = compare.compare_groups(groups)
    return MetricsMeta(per_ticker=per, overall=overall), widths, test, width80


@dataclass
class _Trained:
    token: str | None  # the checkpoint version claimed before training
    series: list[Series]
    skipped: list[str]
    started: datetime
    fit: Fitted
    covs: list[Covariate]  # the covariates as read for training (recorded in the checkpoint)


def _train(req: TrainRequest, hooks: Hooks | None, group: ddp.Group | None) -> _Trained:
    """Validate, claim the name, load and train: every torchrun process does this alike."""
    if group is not None and req.train.cuda_graphs:
        raise UsageError("--cuda-graphs does not combine with DDP (--nproc or torchrun)")
    token = checkpoint.claim(req.models_dir, req.name, req.overwrite)
    if req.predictions_out is not None:
        from stockrnn import workspace

        workspace.check_output(req.predictions_out, "--predictions-out")
    t0 = time.perf_counter()
    covs = exog.load(req.data_dir, tuple(req.data.covariates))
    series = dataset.load_series(req.data_dir, req.tickers, req.data, covs=covs)
    load_s = time.perf_counter() - t0
    skipped: list[str] = []
    if not req.tickers:  # every cached ticker: leave out the short ones, and say so
        series, skipped = dataset.trainable(series, req.data)
    started = datetime.now(UTC)
    try:
        fit = fit_series(series, req, hooks, group)
    finally:
        ddp.close()  # training was the last step the processes take together
    fit.load_s = load_s
    return _Trained(token, series, skipped, started, fit, covs)


def run_worker(req: TrainRequest) -> None:
    """A torchrun process other than global rank 0: train its shards, print and write nothing."""
    req.validate()
    _train(req, None, ddp.current(train.resolve_device(req.train.device)))


def run(req: TrainRequest, hooks: Hooks | None = None) -> TrainSummary:
    """Train, evaluate and save; returns the summary (its meta is stored in the checkpoint).

    Under torchrun, global rank 0 runs this (and alone evaluates and writes the checkpoint);
    the other ranks run run_worker."""
    req.validate()
    group = ddp.current(train.resolve_device(req.train.device))
    if group is not None and not group.main:
        raise UsageError("experiment.run is rank 0's part under torchrun; ranks > 0 run_worker")
    done = _train(req, hooks, group)
    series, skipped, fit = done.series, done.skipped, done.fit
    skipped += dataset.no_test_days(series, fit.samples.cuts)
    skipped += [
        f"input {req.data.inputs[i]} is constant over the training rows: left out (fed as 0)"
        for i in fit.scaler.dropped
    ]
    t0 = time.perf_counter()
    scores, widths, test, width80 = evaluate(fit, series)
    fit.evaluate_s = time.perf_counter() - t0
    meta = checkpoint_meta(req, fit, series, done.started, (scores, widths), done.covs)
    if req.predictions_out is not None:
        from stockrnn import report_files

        report_files.write_test_forecasts(req.predictions_out, test, width80 or np.inf)
    saved = checkpoint.save(
        req.models_dir,
        req.name,
        fit.model.state_dict(),
        meta,
        expect=done.token,
        replace=not fit.result.interrupted,
    )
    return TrainSummary(saved.meta, skipped, saved.note)
