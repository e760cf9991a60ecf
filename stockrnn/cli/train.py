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
    single_process,
    stderr_console,
    stdout_console,
)
from stockrnn.cli.options import (
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
    ModelArgs,
    ModelName,
    ModelsDir,
    NonlinOpt,
    PatienceOpt,
    PrecisionOpt,
    ScalerOpt,
    SeedOpt,
    Tickers,
    WindowOpt,
)
from stockrnn.common.choices import (
    Cell,
    Device,
    FeatureSet,
    Head,
    IntervalMethod,
    Precision,
    ScalerKind,
)
from stockrnn.common.errors import UsageError
from stockrnn.pipelines import train


def train_cmd(
    ticker: Tickers = None,
    cell: CellOpt = Cell.lstm,
    hidden: HiddenOpt = 64,
    layers: LayersOpt = 1,
    dropout: DropoutOpt = 0.0,
    nonlinearity: NonlinOpt = "tanh",
    bias: BiasOpt = True,
    window: WindowOpt = 60,
    features: FeaturesOpt = FeatureSet.ohlc,
    scaler: ScalerOpt = ScalerKind.standard,
    split: Annotated[str, typer.Option(help="Train, val, test fractions.")] = "0.7,0.15,0.15",
    train_end: DateOpt = None,
    val_end: DateOpt = None,
    lr: LrOpt = 1e-3,
    batch_size: BatchOpt = 64,
    epochs: EpochsOpt = 100,
    patience: PatienceOpt = 10,
    seed: SeedOpt = 42,
    device: DeviceOpt = Device.auto,
    head: HeadOpt = Head.recursive,
    covariate: CovariateOpt = None,
    calendar_features: CalendarOpt = False,
    intervals: IntervalsOpt = IntervalMethod.vol,
    precision: PrecisionOpt = Precision.fp32,
    cuda_graphs: GraphsOpt = None,
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
    args = ModelArgs(
        cell,
        hidden,
        layers,
        dropout,
        nonlinearity,
        bias,
        window,
        features,
        scaler,
        lr,
        batch_size,
        epochs,
        patience,
        seed,
        device,
        head,
        horizon,
        covariate or [],
        calendar_features,
        intervals,
        precision,
        cuda_graphs,
    )
    req = guarded(
        lambda: opts.train_request(
            args, data_dir, models_dir, name, ticker, split, train_end, val_end, overwrite
        )
    )
    req.predictions_out = predictions_out
    if timings is not None:
        guarded(lambda: opts.check_output(timings, "--timings"))
    if nproc != 1:
        guarded(lambda: opts.check_nproc(nproc, req))
        from stockrnn.model import torchrun

        raise typer.Exit(torchrun.launch(nproc, torchrun.without_nproc(sys.argv[1:])))
    from stockrnn.pipelines import reports
    from stockrnn.render import tables

    if is_secondary_rank():
        guarded(lambda: train.run_worker(req))
        return
    from stockrnn.cli.progress import train_progress

    with train_progress(stderr_console(), req.train.epochs) as hooks:
        summary = guarded(lambda: train.run(req, hooks))
    for note in [*summary.skipped, *([summary.saved_note] if summary.saved_note else [])]:
        stderr_console().print(f"note: {note}", markup=False)
    if timings is not None:
        guarded(lambda: reports.write_timings(timings, summary.meta.fit))
    if json_out:
        typer.echo(tables.to_json(summary))
        return
    stdout_console().print(tables.metrics_table(summary.meta.metrics))
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
    cell: CellOpt = Cell.lstm,
    hidden: HiddenOpt = 64,
    layers: LayersOpt = 1,
    dropout: DropoutOpt = 0.0,
    nonlinearity: NonlinOpt = "tanh",
    bias: BiasOpt = True,
    window: WindowOpt = 60,
    features: FeaturesOpt = FeatureSet.ohlc,
    scaler: ScalerOpt = ScalerKind.standard,
    lr: LrOpt = 1e-3,
    batch_size: BatchOpt = 64,
    epochs: EpochsOpt = 100,
    patience: PatienceOpt = 10,
    seed: SeedOpt = 42,
    device: DeviceOpt = Device.auto,
    head: HeadOpt = Head.recursive,
    covariate: CovariateOpt = None,
    calendar_features: CalendarOpt = False,
    intervals: IntervalsOpt = IntervalMethod.vol,
    precision: PrecisionOpt = Precision.fp32,
    cuda_graphs: GraphsOpt = None,
    json_out: JsonOut = False,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Walk-forward backtest against the naive and drift baselines."""
    single_process("backtest")
    guarded(lambda: opts.check_backtest(ctx, model, start))
    if plot_file is not None:
        guarded(lambda: opts.check_output(plot_file, "--plot-file"))
    if (plot or plot_file is not None) and not 1 <= plot_step <= horizon:
        fail(UsageError(f"--plot-step must be between 1 and the horizon ({horizon})"))
    args = ModelArgs(
        cell,
        hidden,
        layers,
        dropout,
        nonlinearity,
        bias,
        window,
        features,
        scaler,
        lr,
        batch_size,
        epochs,
        patience,
        seed,
        device,
        head,
        horizon if head == Head.direct else 1,  # a direct head's days are the backtest's
        covariate or [],
        calendar_features,
        intervals,
        precision,
        cuda_graphs,
    )
    req = guarded(lambda: opts.train_request(args, data_dir, models_dir, "backtest", tickers))
    from stockrnn.cli.progress import backtest_progress
    from stockrnn.pipelines import backtest
    from stockrnn.render import tables

    cfg = backtest.BacktestConfig(
        folds,
        horizon,
        level,
        start.date() if start else None,
        model,
        predictions_out=predictions_out,
    )
    with backtest_progress(stderr_console(), epochs, " ".join(tickers)) as hooks:
        report = guarded(lambda: backtest.run(req, models_dir, cfg, hooks))
    if json_out:
        typer.echo(tables.to_json(report))
    else:
        stdout_console().print(*tables.backtest_tables(report))
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
