"""Commands that train: `train`, and `backtest` (which refits per fold or scores a saved model).

Thin: each builds a config, calls the library and hands the result to tables. Heavy modules
are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from stockrnn.cli import options as opts
from stockrnn.cli.app import (
    fail,
    guarded,
    is_secondary_rank,
    show,
    single_process,
    stderr_console,
)
from stockrnn.cli.options import (
    DATA,
    MODEL,
    SPLIT,
    TRAIN,
    BatchOpt,
    BiasOpt,
    CalendarOpt,
    CellOpt,
    CovariateOpt,
    DataDir,
    DateOpt,
    DeviceOpt,
    DropoutOpt,
    EpochsOpt,
    FeaturesOpt,
    GraphsOpt,
    HeadOpt,
    HiddenOpt,
    IntervalsOpt,
    JsonOut,
    LayersOpt,
    LrOpt,
    ModelName,
    ModelsDir,
    NonlinOpt,
    PatienceOpt,
    PrecisionOpt,
    ScalerOpt,
    SeedOpt,
    Span,
    SplitOpt,
    Tickers,
    WindowOpt,
)
from stockrnn.common import workspace
from stockrnn.common.choices import (
    Head,
    IntervalMethod,
)
from stockrnn.common.errors import UsageError


def train_cmd(
    ticker: Tickers = None,
    cell: CellOpt = MODEL.cell,
    hidden: HiddenOpt = MODEL.hidden,
    layers: LayersOpt = MODEL.layers,
    dropout: DropoutOpt = MODEL.dropout,
    nonlinearity: NonlinOpt = MODEL.nonlinearity,
    bias: BiasOpt = MODEL.bias,
    window: WindowOpt = DATA.window,
    features: FeaturesOpt = DATA.features,
    scaler: ScalerOpt = DATA.scaler,
    split: SplitOpt = SPLIT,
    train_end: DateOpt = None,
    val_end: DateOpt = None,
    lr: LrOpt = TRAIN.lr,
    batch_size: BatchOpt = TRAIN.batch_size,
    epochs: EpochsOpt = TRAIN.epochs,
    patience: PatienceOpt = TRAIN.patience,
    seed: SeedOpt = TRAIN.seed,
    device: DeviceOpt = TRAIN.device,
    head: HeadOpt = MODEL.head,
    covariate: CovariateOpt = None,
    calendar_features: CalendarOpt = DATA.calendar_features,
    intervals: IntervalsOpt = IntervalMethod.vol,
    precision: PrecisionOpt = TRAIN.precision,
    cuda_graphs: GraphsOpt = TRAIN.cuda_graphs,
    horizon: Annotated[
        int, typer.Option(help="Days a direct head forecasts at once (--head direct).")
    ] = 1,
    name: ModelName = "default",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing model of this name.")
    ] = False,
    json_out: JsonOut = False,
    predictions_out: Annotated[
        Path | None,
        typer.Option(help="Write the test split's one-step forecasts to this CSV."),
    ] = None,
    # Kept for the benchmark harness (training time without imports and data loading), and
    # for users who track training speed across runs.
    timings: Annotated[
        Path | None,
        typer.Option(help="Write fit timings as JSON here (train_s, epoch_s, samples_seen)."),
    ] = None,
    nproc: Annotated[
        int,
        typer.Option(
            help="Train one model with N processes on this machine (torchrun, DDP); "
            "--batch-size stays the global batch."
        ),
    ] = 1,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Train a many-to-one RNN/LSTM/GRU on cached data; report test metrics beside naive."""
    args = opts.model_args(locals())
    span = Span(split=split, train_end=train_end, val_end=val_end)
    req = guarded(
        lambda: opts.train_request(
            args,
            data_dir=data_dir,
            models_dir=models_dir,
            name=name,
            tickers=ticker,
            span=span,
            overwrite=overwrite,
            predictions_out=predictions_out,
        )
    )
    if timings is not None:
        guarded(lambda: workspace.check_output(timings, "--timings", (data_dir, models_dir)))
    if nproc != 1:
        guarded(lambda: opts.check_nproc(nproc, req))
        from stockrnn.model import torchrun

        raise typer.Exit(torchrun.launch(nproc, torchrun.without_nproc(sys.argv[1:])))
    from stockrnn.pipelines import reports, train
    from stockrnn.render import jsonout, tables

    if is_secondary_rank():
        guarded(lambda: train.run_worker(req))
        return
    from stockrnn.cli.progress import train_progress

    with train_progress(stderr_console(), req.train.epochs) as hooks:
        summary = guarded(lambda: train.run(req, hooks))
    for note in [*summary.notes, *([summary.saved_note] if summary.saved_note else [])]:
        stderr_console().print(f"note: {note}", markup=False)
    if timings is not None:
        guarded(lambda: reports.write_timings(timings, summary.meta.fit))
    if json_out:
        typer.echo(jsonout.to_json(summary))
        return
    show(tables.metrics_table(summary.meta.metrics))
    stderr_console().print(tables.train_footer(summary.meta, models_dir), markup=False)


def backtest_cmd(
    ctx: typer.Context,
    tickers: Annotated[list[str], typer.Argument(help="Tickers to evaluate.")],
    folds: Annotated[int, typer.Option(help="Walk-forward folds (expanding window).")] = 5,
    horizon: Annotated[int, typer.Option(help="Days forecast from each origin.")] = 5,
    level: Annotated[float, typer.Option(help="Interval coverage to check.")] = 0.8,
    model: Annotated[
        str | None, typer.Option("--model", help="Evaluate this saved model without refitting.")
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First target date with --model.")
    ] = None,
    predictions_out: Annotated[
        Path | None, typer.Option(help="Write every forecast to this CSV.")
    ] = None,
    plot: Annotated[bool, typer.Option("--plot", help="Draw terminal charts.")] = False,
    plot_file: Annotated[Path | None, typer.Option(help="Write the charts as a PNG.")] = None,
    plot_step: Annotated[int, typer.Option(help="Which step the price chart shows.")] = 1,
    cell: CellOpt = MODEL.cell,
    hidden: HiddenOpt = MODEL.hidden,
    layers: LayersOpt = MODEL.layers,
    dropout: DropoutOpt = MODEL.dropout,
    nonlinearity: NonlinOpt = MODEL.nonlinearity,
    bias: BiasOpt = MODEL.bias,
    window: WindowOpt = DATA.window,
    features: FeaturesOpt = DATA.features,
    scaler: ScalerOpt = DATA.scaler,
    lr: LrOpt = TRAIN.lr,
    batch_size: BatchOpt = TRAIN.batch_size,
    epochs: EpochsOpt = TRAIN.epochs,
    patience: PatienceOpt = TRAIN.patience,
    seed: SeedOpt = TRAIN.seed,
    device: DeviceOpt = TRAIN.device,
    head: HeadOpt = MODEL.head,
    covariate: CovariateOpt = None,
    calendar_features: CalendarOpt = DATA.calendar_features,
    intervals: IntervalsOpt = IntervalMethod.vol,
    precision: PrecisionOpt = TRAIN.precision,
    cuda_graphs: GraphsOpt = TRAIN.cuda_graphs,
    json_out: JsonOut = False,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Walk-forward backtest against the naive and drift baselines."""
    single_process("backtest")
    guarded(lambda: opts.check_backtest(ctx, model, start))
    if plot_file is not None:
        guarded(lambda: workspace.check_output(plot_file, "--plot-file", (data_dir, models_dir)))
    if (plot or plot_file is not None) and not 1 <= plot_step <= horizon:
        fail(UsageError(f"--plot-step must be between 1 and the horizon ({horizon})"))
    # a direct head emits the backtest's days; a recursive one, one day
    args = opts.model_args(locals(), horizon=horizon if head == Head.direct else 1)
    req = guarded(
        lambda: opts.train_request(
            args, data_dir=data_dir, models_dir=models_dir, name="backtest", tickers=tickers
        )
    )
    from stockrnn.cli.progress import backtest_progress
    from stockrnn.pipelines import backtest
    from stockrnn.render import jsonout, tables

    cfg = backtest.BacktestConfig(
        folds=folds,
        horizon=horizon,
        level=level,
        start=start.date() if start else None,
        model=model,
        predictions_out=predictions_out,
    )
    with backtest_progress(stderr_console(), epochs, " ".join(tickers)) as hooks:
        report = guarded(lambda: backtest.run(req, models_dir, cfg, hooks))
    if json_out:
        typer.echo(jsonout.to_json(report))
    else:
        show(*tables.backtest_tables(report))
    for line in report.notes:
        stderr_console().print(f"note: {line}", markup=False)
    for line in report.echo:
        stderr_console().print(f"lag echo: {line}", markup=False)
    if predictions_out is not None:
        stderr_console().print(f"forecasts written to {predictions_out}", markup=False)
    if plot or plot_file is not None:
        from stockrnn.render import backtest_charts

        if plot:
            typer.echo(guarded(lambda: backtest_charts.terminal(report, plot_step)), err=True)
        if plot_file is not None:
            guarded(lambda: backtest_charts.png(report, plot_file, plot_step))
            stderr_console().print(f"charts written to {plot_file}", markup=False)
