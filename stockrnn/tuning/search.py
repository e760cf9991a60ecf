"""`stockrnn tune`: Optuna search over walk-forward folds inside the training span only.

The final test span is never seen by a trial: each trial is scored by its mean one-step
rel. MAE (MAE / naive MAE, pooled scale-free over tickers) over K expanding folds cut from the
days up to the final split's
training end. The best configuration is then trained once on the normal split and scored on
the test span beside naive. Studies live in a real database (SQLite under the models folder by
default), so a re-run resumes, and several processes or machines sharing a URL work on one study.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from stockrnn.checkpoint.schema import TunedMeta
from stockrnn.common import collector
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import whole
from stockrnn.data.trading_calendar import iso_day
from stockrnn.dataset import loading, splits
from stockrnn.dataset.config import DataConfig
from stockrnn.dataset.loading import Series
from stockrnn.evaluate import compare
from stockrnn.model import loop
from stockrnn.model.config import ModelConfig
from stockrnn.pipelines import fitting, train
from stockrnn.pipelines.request import TrainRequest
from stockrnn.pipelines.train import TrainSummary
from stockrnn.tuning.space import DEFAULT_SPACE, Param, load_space, suggest
from stockrnn.tuning.study import (
    TrialGate,
    TrialRow,
    TuneHooks,
    import_optuna,
    open_study,
    search,
    shown_url,
    storage_errors,
    storage_url,
    trial_rows,
)

FIRST_CUT = 0.5  # share of the tuning span before the first fold


@dataclass(frozen=True, kw_only=True)
class TuneConfig:
    """What `stockrnn tune` searches, how long, and where the study lives."""

    trials: int = 20  # finished (complete or pruned) trials the study should reach
    folds: int = 3
    storage: str | None = None  # an RDB URL; default sqlite:///MODELS/tune.db
    study: str | None = None  # default: tune-TICKERS
    space: Path | None = None
    seed: int = 42
    save_best: str | None = None

    def validate(self) -> None:
        if not 1 <= whole(self.trials, "--trials") <= 10_000:
            raise UsageError("--trials must be between 1 and 10000")
        if not 1 <= whole(self.folds, "--folds") <= 20:
            raise UsageError("--folds must be between 1 and 20")


@dataclass(frozen=True, kw_only=True)
class TuneReport:
    """The search and the best configuration's unseen test score."""

    study: str
    storage: str  # without any password
    tuning_span: tuple[str, str]  # first and last day any trial saw
    counts: dict[str, int]  # trials by state
    top: list[TrialRow]  # best first
    importance: dict[str, float] = field(default_factory=dict)
    final: TrainSummary | None = None  # the best configuration trained once, scored on test
    stopped: bool = False  # Ctrl-C: stopped after the current trial


def tuning_span(series: list[Series], data: DataConfig) -> list[Series]:
    """Every series cut at the final split's training end: all any trial may see."""
    cuts = splits.cut_dates(series, data)
    heads = [s.head(int(np.searchsorted(s.dates, cuts.train_end, side="right"))) for s in series]
    return [h for h in heads if len(h.rel) > 2]


def study_settings(
    base: TrainRequest, cfg: TuneConfig, span: list[Series], space: dict[str, Param]
) -> dict[str, Any]:
    """Everything a trial's score depends on: a study's trials are comparable only when these
    agree, so a study records them and refuses to resume under others."""
    digest = hashlib.sha256()
    for s in span:  # exactly what the trials read
        digest.update(s.symbol.encode())
        for a in (s.dates.to_numpy().astype("int64"), s.rel, s.close, s.prev_close):
            digest.update(np.ascontiguousarray(a).tobytes())
    d, t = base.data, base.train
    return {
        "tickers": sorted(s.symbol for s in span),
        "span": [iso_day(min(s.dates[0] for s in span)), iso_day(max(s.dates[-1] for s in span))],
        "data_sha256": digest.hexdigest(),
        "split": [list(d.split), str(d.train_end), str(d.val_end)],
        "data": [d.features, d.scaler, list(d.covariates), d.calendar_features],
        "folds": [cfg.folds, FIRST_CUT],
        "fit": [t.epochs, t.patience, t.seed],
        "space": {n: repr(p) for n, p in sorted(space.items())},
    }


def check_settings(study: Any, name: str, settings: dict[str, Any]) -> None:
    """Record the settings with a new study; refuse to add trials to one run under others."""
    stored = study.user_attrs.get("settings")
    if stored is None and not study.get_trials(deepcopy=False):
        study.set_user_attr("settings", settings)
        return
    if stored == settings:
        return
    differ = (
        "its settings were not recorded"
        if stored is None
        else "it differs in " + ", ".join(k for k in settings if stored.get(k) != settings[k])
    )
    raise UsageError(
        f"study {name!r} was run on other data or settings ({differ}): its trials are not "
        "comparable with this run's; give another --study, or leave --study out for one "
        "named by these settings"
    )


def trial_request(base: TrainRequest, params: dict[str, Any]) -> TrainRequest:
    """The base request with one trial's parameters, fold-split 85/15 inside its span."""
    model = ModelConfig(
        cell=params["cell"],
        hidden=params["hidden"],
        layers=params["layers"],
        dropout=params["dropout"] if params["layers"] > 1 else 0.0,
    )
    data = replace(
        base.data, window=params["window"], split=(0.85, 0.15, 0.0), train_end=None, val_end=None
    )
    train = replace(base.train, lr=params["lr"], batch_size=params["batch_size"])
    return replace(base, model=model, data=data, train=train)


def check_space(base: TrainRequest, space: dict[str, Param]) -> None:
    """Refuse, before the study opens, a space that can propose what `train` would refuse:
    each dimension's bounding values are checked by train's own validation, one at a time
    beside the default space's first values (and dropout with two layers, where it applies)."""
    first = {n: p.extremes()[0] for n, p in DEFAULT_SPACE.items()}
    for name, p in space.items():
        for value in p.extremes():
            params = {**first, name: value} | ({"layers": 2} if name == "dropout" else {})
            try:
                trial_request(base, params).validate()
            except UsageError as exc:
                raise UsageError(f"space: {name} = {value} is refused ({exc})") from None


def _params(trial: Any, space: dict[str, Param]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, p in space.items():  # dropout only matters between stacked layers
        if name != "dropout" or int(params.get("layers", 1)) > 1:
            params[name] = suggest(trial, name, p)
    return params


def _fold_score(
    fitted: fitting.Fitted, span: list[Series], cut: dict[str, int], stop: Any
) -> float | None:
    """One-step rel. MAE (pooled over tickers by date) of a fold's model on the fold's days."""
    jobs = []
    for s in span:
        rows = np.arange(max(cut[s.symbol], fitted.samples.window), np.searchsorted(s.dates, stop))
        if len(rows):
            jobs.append((s, rows))
    if not jobs:
        return None
    days = fitting.one_step(fitted.predictor, jobs)
    groups = [
        compare.Group(
            symbol=s.symbol,
            dates=days.dates[b],
            pred=days.pred[b],
            actual=days.actual[b],
            naive=days.naive[b],
        )
        for (s, _), b in zip(jobs, days.blocks(), strict=True)
    ]
    return compare.compare_groups(groups).model.rel_mae


def running(study: Any) -> int:
    """Trials running now, each in a worker of its own: the workers sharing the cores."""
    from optuna.trial import TrialState

    return max(1, len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))))


def objective(
    base: TrainRequest, span: list[Series], cfg: TuneConfig, space: dict[str, Param]
) -> Callable[[Any], float]:
    """Optuna's objective: mean one-step rel. MAE over the folds; pruned per epoch on val loss."""
    optuna = import_optuna()

    def score(trial: Any) -> float:
        collector.resume()  # optuna is loaded; a trial pruned before its first fit counts too
        # the workers running a trial of this study now share the cores (this one included)
        # who ran it, from the start: a pruned, failed or abandoned trial names its worker too
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        req = replace(trial_request(base, _params(trial, space)), sharing=running(trial.study))
        req.validate()
        started, epochs, values = time.perf_counter(), 0, []
        cuts = splits.fold_cuts(span, cfg.folds, FIRST_CUT)
        for k, (start, stop) in enumerate(cuts):
            cut = {s.symbol: int(np.searchsorted(s.dates, start)) for s in span}
            heads = [s.head(cut[s.symbol]) for s in span if cut[s.symbol] > req.data.window + 2]
            if not heads:
                raise optuna.TrialPruned(f"window {req.data.window} leaves fold {k + 1} empty")

            def report(e: Any, k: int = k) -> None:
                trial.report(e.val_loss, k * req.train.epochs + e.epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()

            hooks = loop.FitHooks(on_epoch=report, keep_on_interrupt=False)
            fitted = fitting.fit_series(heads, req, hooks)
            epochs += len(fitted.result.history)
            rel = _fold_score(fitted, span, cut, stop)
            if rel is None:
                raise optuna.TrialPruned(f"fold {k + 1} has nothing to score")
            values.append(rel)
        trial.set_user_attr("span", [iso_day(min(s.dates[0] for s in span)), iso_day(cuts[-1][1])])
        trial.set_user_attr("epochs", epochs)
        trial.set_user_attr("seconds", time.perf_counter() - started)
        return float(np.mean(values))

    return score


def run(base: TrainRequest, cfg: TuneConfig, hooks: TuneHooks | None = None) -> TuneReport:
    """Search, then train the best configuration once and score it on the unseen test span."""
    hooks = hooks or TuneHooks()
    cfg.validate()
    base.validate()
    loop.check_device(base.train)
    space = load_space(cfg.space)
    check_space(base, space)
    if cfg.save_best is not None:
        from stockrnn.checkpoint import store

        store.claim(base.models_dir, cfg.save_best, base.overwrite)
    series = loading.load_series(base.data_dir, base.tickers, base.data)
    span = tuning_span(series, base.data)
    if not span:
        raise UsageError("the training span is too short to tune on")
    settings = study_settings(base, cfg, span, space)
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    name = cfg.study or "tune-" + "+".join(sorted(s.symbol for s in series))[:80] + f"-{key}"
    study = open_study(cfg.storage, name, base.models_dir)
    url = storage_url(cfg.storage, base.models_dir)
    score = objective(base, span, cfg, space)
    with storage_errors(url):
        check_settings(study, name, settings)
        gate = TrialGate(url)
        finished = search(
            study, goal=cfg.trials, score=score, seed=cfg.seed, hooks=hooks, gate=gate
        )
    from optuna.trial import TrialState

    counts: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        counts[t.state.name.lower()] = counts.get(t.state.name.lower(), 0) + 1
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    importance, final = {}, None
    if finished and len(complete) >= 2:
        optuna = import_optuna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importance = dict(optuna.importance.get_param_importances(study))
    if finished and complete:
        final = train_best(base, cfg, study, name=name, space=space)
    return TuneReport(
        study=name,
        storage=shown_url(url),
        tuning_span=(settings["span"][0], settings["span"][1]),
        counts=counts,
        top=trial_rows(study)[:10],
        importance=importance,
        final=final,
        stopped=not finished,
    )


def train_best(
    base: TrainRequest,
    cfg: TuneConfig,
    study: Any,
    *,
    name: str,
    space: dict[str, Param],
) -> TrainSummary:
    """The best trial's configuration on the normal split, scored on the test span."""
    import tempfile

    best = study.best_trial
    params = {n: best.params.get(n, p.fixed) for n, p in space.items()}
    req = trial_request(base, params)
    data = replace(
        req.data,
        split=base.data.split,
        train_end=base.data.train_end,
        val_end=base.data.val_end,
    )
    tuned = TunedMeta(
        study=name,
        storage=shown_url(storage_url(cfg.storage, base.models_dir)),
        trial=best.number,
        value=float(best.value),
    )
    req = replace(req, data=data, tuned=tuned)
    if cfg.save_best is not None:
        return train.run(replace(req, name=cfg.save_best))
    with tempfile.TemporaryDirectory() as tmp:  # scored, not kept: no --save-best given
        return train.run(replace(req, models_dir=Path(tmp), overwrite=True))
