"""Hyperparameter search: `stockrnn.tune` (the `tune` command; needs the `tune` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockrnn.api.options import (
    ModelArgs,
    Span,
    Tickers,
    folders,
    tickers_of,
    train_request,
    with_settings,
)
from stockrnn.common.limits import flag

if TYPE_CHECKING:
    from stockrnn.tuning.search import TuneReport
    from stockrnn.tuning.study import TuneHooks


def tune(
    tickers: Tickers = None,
    *,
    trials: int = 20,
    folds: int = 3,
    space: Path | str | None = None,
    storage: str | None = None,
    study: str | None = None,
    save_best: str | None = None,
    overwrite: bool = False,
    split: str | tuple[float, float, float] = (0.7, 0.15, 0.15),
    options: ModelArgs | None = None,
    data_dir: Path | str | None = None,
    models_dir: Path | str | None = None,
    hooks: TuneHooks | None = None,
    **settings: Any,
) -> TuneReport:
    """Search cell, size, window, learning rate and batch size with Optuna, on walk-forward
    folds inside the training span only; then train the best once and score it on test.

    Args:
        trials: trials the study should hold in all (a re-run resumes it).
        folds: walk-forward folds per trial.
        space: a TOML or JSON file overriding the search space.
        storage: an Optuna database URL (default: SQLite in the models folder).
        study: the study's name (default: one keyed by the tickers and settings).
        save_best: save the best configuration, trained once, under this name.
        options: the fixed settings (features, scaler, epochs, patience, seed, device) as
            a ModelArgs, as for `stockrnn.train`; the searched ones override them per trial.
        **settings: or those settings by name.
    """
    from stockrnn.tuning import search

    flag(overwrite, "overwrite")
    ws = folders(data_dir, models_dir)
    req = train_request(
        with_settings(options or ModelArgs(epochs=30, patience=5), settings),
        data_dir=ws.data,
        models_dir=ws.models,
        name="tune",
        tickers=tickers_of(tickers),
        span=Span(split=split),
        overwrite=overwrite,
    )
    cfg = search.TuneConfig(
        trials=trials,
        folds=folds,
        storage=storage,
        study=study,
        space=Path(space) if space is not None else None,
        seed=req.train.seed,
        save_best=save_best,
    )
    return search.run(req, cfg, hooks)
