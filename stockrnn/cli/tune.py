"""`stockrnn tune`: hyperparameter search with Optuna (the optional `tune` extra).

Thin: calls the Python API (stockrnn.api.tuning) and hands the report to the tables.
Ctrl-C stops after the current trial (the study is kept) and exits 130; a second Ctrl-C aborts.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from stockrnn.cli import options as opts
from stockrnn.cli.app import guarded, note, show, single_process, stderr_console, stop_said
from stockrnn.cli.options import (
    DATA,
    SPLIT,
    TRAIN,
    DataDir,
    DeviceOpt,
    EpochsOpt,
    FeaturesOpt,
    JsonOut,
    ModelArgs,
    ModelsDir,
    OldTickers,
    PatienceOpt,
    ScalerOpt,
    SeedOpt,
    SplitOpt,
    ThreadsOpt,
    TickerArgs,
)
from stockrnn.common.errors import EXIT_INTERRUPTED


def tune_cmd(
    tickers: TickerArgs = None,
    ticker: OldTickers = None,
    trials: Annotated[int, typer.Option(help="Trials the study should reach in all.")] = 20,
    folds: Annotated[int, typer.Option(help="Walk-forward folds inside the training span.")] = 3,
    space: Annotated[
        Path | None, typer.Option(help="TOML or JSON file overriding the search space.")
    ] = None,
    storage: Annotated[
        str | None, typer.Option(help="Optuna RDB URL (default sqlite:///MODELS/tune.db).")
    ] = None,
    study: Annotated[str | None, typer.Option(help="Study name (default tune-TICKERS).")] = None,
    save_best: Annotated[
        str | None, typer.Option(help="Save the best configuration, trained once, as NAME.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Let --save-best replace an existing model.")
    ] = False,
    features: FeaturesOpt = DATA.features,
    scaler: ScalerOpt = DATA.scaler,
    split: SplitOpt = SPLIT,
    epochs: EpochsOpt = 30,  # a trial trains once per fold: fewer than train's 100
    patience: PatienceOpt = 5,
    seed: SeedOpt = TRAIN.seed,
    device: DeviceOpt = TRAIN.device,
    threads: ThreadsOpt = None,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Search cell, size, window, learning rate and batch on walk-forward folds (Optuna)."""
    single_process("tune")
    names, old = guarded(lambda: opts.tickers_given(tickers, ticker))
    if old:
        note(old)
    args = ModelArgs(
        features=features,
        scaler=scaler,
        epochs=epochs,
        patience=patience,
        seed=seed,
        device=device,
        threads=threads,
    )  # the searched parameters override the rest per trial
    from stockrnn.api import tuning
    from stockrnn.render import jsonout, tune_tables
    from stockrnn.render.progress import tune_progress
    from stockrnn.tuning.study import TuneHooks

    stop = [False]

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop[0]:
            raise KeyboardInterrupt
        stop[0] = True
        stderr_console().print("stopping after the current trial (Ctrl-C again to abort it)")

    # An abort (a second Ctrl-C, SIGTERM) can land inside one of Optuna's SQLAlchemy queries;
    # SQLAlchemy then logs "Error closing cursor" with its exception, which Python's last-resort
    # handler printed on stderr under the command's own line. The command says what happened.
    quiet = logging.NullHandler()
    logging.getLogger("sqlalchemy").addHandler(quiet)
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with tune_progress(stderr_console(), trials) as on_trial:
            hooks = TuneHooks(on_trial, lambda: stop[0])
            report = guarded(
                lambda: tuning.tune(
                    names,
                    trials=trials,
                    folds=folds,
                    space=space,
                    storage=storage,
                    study=study,
                    save_best=save_best,
                    overwrite=overwrite,
                    split=split,
                    options=args,
                    data_dir=data_dir,
                    models_dir=models_dir,
                    hooks=hooks,
                )
            )
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.getLogger("sqlalchemy").removeHandler(quiet)
    if json_out:
        typer.echo(jsonout.to_json(report))
    else:
        show(tune_tables.tune_table(report))
        stderr_console().print(tune_tables.tune_footer(report), markup=False)
    if report.stopped:
        stderr_console().print(
            f"interrupted: stopped after the current trial; study {report.study!r} is kept in "
            f"{report.storage} (run the command again to resume)",
            markup=False,
        )
        stop_said()
        raise typer.Exit(EXIT_INTERRUPTED)
