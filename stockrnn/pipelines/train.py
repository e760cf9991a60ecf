"""One `stockrnn train`: data -> samples -> model -> fit -> evaluate on test -> store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from stockrnn.checkpoint import store, weights
from stockrnn.checkpoint.schema import CheckpointMeta, IntervalMeta, MetricsMeta
from stockrnn.common import limits, workspace
from stockrnn.common.errors import DistributedError, UsageError
from stockrnn.dataset import exog, loading, splits
from stockrnn.dataset.config import CLOSE, Part
from stockrnn.dataset.loading import Series
from stockrnn.evaluate import baselines, compare, metrics, scoring
from stockrnn.forecast import intervals
from stockrnn.model import ddp, loop, torchrun
from stockrnn.model.loop import FitHooks
from stockrnn.pipelines import reports
from stockrnn.pipelines.fitting import Fitted, calibration, fit_series, part_one_step
from stockrnn.pipelines.request import TrainRequest
from stockrnn.pipelines.train_meta import Evaluation, Trained, checkpoint_meta


@dataclass(frozen=True, kw_only=True)
class TrainSummary:
    """What `train` reports: the checkpoint's metadata, and what happened around it."""

    meta: CheckpointMeta
    notes: list[str] = field(default_factory=list)  # tickers left out or without test days
    saved_note: str | None = None  # why the model went under another name, if it did


def evaluate(fit: Fitted, series: list[Series]) -> Evaluation:
    """Test metrics per ticker and overall, interval widths from val, and the test forecasts."""
    by_step, counts = calibration(fit, series)
    test = part_one_step(fit, series, Part.test)
    groups = []
    for s, parts, rows in zip(series, fit.samples.parts, test.blocks(), strict=True):
        if rows.stop > rows.start:
            train = parts == Part.train
            mu = baselines.drift_rate(s.rel[:, CLOSE], int(np.sum(parts < Part.test)))
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
        val_n=int(len(fit.samples.days[Part.val])),
        test_coverage_80=cover,
    )
    scores = MetricsMeta(
        per_ticker={g.symbol: c for g, c in zip(groups, per_ticker, strict=True)},
        overall=compare.compare_groups(groups),
    )
    return Evaluation(metrics=scores, intervals=widths, test=test, width80=width80)


def _load_and_fit(
    req: TrainRequest, hooks: FitHooks | None, group: ddp.TrainingGroup | None
) -> Trained:
    """Validate, claim the name, load and train: every torchrun process does this alike."""
    if group is not None and req.train.cuda_graphs:
        raise UsageError("--cuda-graphs does not combine with DDP (--nproc or torchrun)")
    token = store.claim(req.models_dir, req.name, req.overwrite)
    if req.predictions_out is not None:
        workspace.check_output(
            req.predictions_out, "--predictions-out", (req.data_dir, req.models_dir)
        )
    t0 = time.perf_counter()
    covs = exog.load(req.data_dir, req.data.covariates)
    series = loading.load_series(req.data_dir, req.tickers, req.data, covs=covs)
    load_s = time.perf_counter() - t0
    notes: list[str] = []
    if not req.tickers:  # every cached ticker: leave out the short ones, and say so
        series, notes = splits.drop_too_short(series, req.data)
    started = datetime.now(UTC)
    try:
        fit = fit_series(series, req, hooks, group)
    finally:
        ddp.close()  # training was the last step the processes take together
    return Trained(
        token=token,
        series=series,
        notes=notes,
        started=started,
        fit=fit,
        covs=covs,
        load_s=load_s,
    )


def run_worker(req: TrainRequest) -> None:
    """A torchrun process other than global rank 0: train its shards, print and write nothing."""
    req.validate()
    _load_and_fit(req, None, ddp.join_group(loop.check_device(req.train)))


def run(req: TrainRequest, hooks: FitHooks | None = None) -> TrainSummary:
    """Train, evaluate and save; returns the summary (its meta is stored in the checkpoint).

    Under torchrun, global rank 0 runs this (and alone evaluates and writes the checkpoint);
    the other ranks run run_worker."""
    req.validate()
    group = ddp.join_group(loop.check_device(req.train))
    if group is not None and not group.main:
        raise UsageError("train.run is rank 0's part under torchrun; ranks > 0 run_worker")
    trained = _load_and_fit(req, hooks, group)
    fit = trained.fit
    t0 = time.perf_counter()
    evaluation = evaluate(fit, trained.series)
    timings = fit.timings.model_copy(
        update={"load_s": trained.load_s, "evaluate_s": time.perf_counter() - t0}
    )
    meta = checkpoint_meta(req, trained, evaluation, timings)
    if not torchrun.launcher_alive():  # the command that started this run has ended: write nothing
        raise DistributedError("the launcher of this training has gone; no checkpoint was written")
    if req.predictions_out is not None:
        reports.write_test_forecasts(req.predictions_out, evaluation.test, evaluation.width80)
    saved = weights.save(
        req.models_dir,
        req.name,
        fit.model.state_dict(),
        meta,
        expect=trained.token,
        replace=not fit.result.interrupted,
    )
    notes = [
        *trained.notes,
        *splits.no_test_days(trained.series, fit.samples.cuts),
        *(
            f"input {req.data.inputs[i]} is constant over the training rows: left out (fed as 0)"
            for i in fit.scaler.dropped
        ),
    ]
    return TrainSummary(meta=saved.meta, notes=notes, saved_note=saved.note)
