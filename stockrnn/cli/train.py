"""Commands that train: `train`, and `backtest` (which refits per fold or scores a saved model).

Thin: each builds a config, calls the library and hands the result to tables. Heavy modules
are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stockrnn.api.options import train_request
from stockrnn.cli import options as opts
from stockrnn.cli.app import (
    chart_colour,
    fail,
    guarded,
    is_secondary_rank,
    note,
    show,
    single_process,
    stderr_console,
)
from stockrnn.cli.options import (
    DATA,
    HARDWARE,
    MODEL,
    MODEL_PANEL,
    OUTPUT,
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
    LevelOpt,
    LrOpt,
    ModelName,
    ModelsDir,
    NonlinOpt,
    OldTickers,
    PatienceOpt,
    PrecisionOpt,
    ScalerOpt,
    SeedOpt,
    Span,
    SplitOpt,
    ThreadsOpt,
    TickerArgs,
    WindowOpt,
)
from stockrnn.common import project, workspace
from stockrnn.common.choices import (
    IntervalMethod,
)
from stockrnn.common.errors import UsageError

if TYPE_CHECKING:
    from stockrnn.pipelines.backtest import BacktestReport


def train_cmd(
    tickers: TickerArgs = None,
    ticker: OldTickers = None,
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
    threads: ThreadsOpt = None,
    horizon: Annotated[
        int,
        typer.Option(
            metavar="DAYS",
            help="Days a direct head forecasts at once (--head direct).",
            rich_help_panel=MODEL_PANEL,
        ),
    ] = 1,
    name: ModelName = "default",
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace an existing model of this name.", rich_help_panel=OUTPUT
        ),
    ] = False,
    json_out: JsonOut = False,
    predictions_out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the test split's one-step forecasts to this CSV.",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    # Kept for the benchmark harness (training time without imports and data loading), and
    # for users who track training speed across runs.
    timings: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write fit timings as JSON here (train_s, epoch_s, samples_seen).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    nproc: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Train one model with N processes on this machine (torchrun, DDP); "
            "--batch-size stays the global batch.",
            rich_help_panel=HARDWARE,
        ),
    ] = 1,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Train a many-to-one RNN/LSTM/GRU on cached tickers (none given: every cached one);
    report its test scores beside naive and drift, and save it."""
    args = opts.model_args(locals())
    names, old = guarded(lambda: opts.tickers_given(tickers, ticker))
    span = Span(split=split, train_end=train_end, val_end=val_end)
    ws = guarded(lambda: project.workspace(data_dir, models_dir))
    req = guarded(
        lambda: train_request(
            args,
            data_dir=ws.data,
            models_dir=ws.models,
            name=name,
            tickers=names,
            span=span,
            overwrite=overwrite,
            predictions_out=predictions_out,
        )
    )
    if timings is not None:
        guarded(lambda: workspace.check_output(timings, "--timings", (ws.data, ws.models)))
    if old and not is_secondary_rank():
        note(old)
    if nproc != 1:
        guarded(lambda: opts.check_nproc(nproc, req))
        from stockrnn.model import torchrun

        raise typer.Exit(torchrun.launch(nproc, torchrun.without_nproc(sys.argv[1:])))
    from stockrnn.api import model as api
    from stockrnn.pipelines import reports, train
    from stockrnn.render import jsonout, tables

    if is_secondary_rank():
        guarded(lambda: train.run_worker(req))
        return
    from stockrnn.render.progress import train_progress

    with train_progress(stderr_console(), req.train.patience) as hooks:
        trained = guarded(
            lambda: api.train(
                names,
                name=name,
                overwrite=overwrite,
                split=span.split,
                train_end=train_end,
                val_end=val_end,
                options=args,
                predictions_out=predictions_out,
                data_dir=ws.data,
                models_dir=ws.models,
                hooks=hooks,
            )
        )
    summary = trained.summary
    assert summary is not None
    for line in [*summary.notes, *([summary.saved_note] if summary.saved_note else [])]:
        note(line)
    if timings is not None:
        guarded(lambda: reports.write_timings(timings, summary.meta.fit))
    if json_out:
        typer.echo(jsonout.to_json(summary))
        return
    show(tables.metrics_table(summary.meta.metrics))
    stderr_console().print(tables.train_footer(summary.meta, ws.models), markup=False)


def backtest_cmd(
    ctx: typer.Context,
    tickers: Annotated[list[str], typer.Argument(metavar="TICKER...", help="Tickers to evaluate.")],
    folds: Annotated[
        int, typer.Option(metavar="N", help="Walk-forward folds (expanding window).")
    ] = 5,
    horizon: Annotated[
        int, typer.Option(metavar="DAYS", help="Days forecast from each origin.")
    ] = 5,
    level: LevelOpt = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", metavar="NAME", help="Evaluate this saved model without refitting."
        ),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="First target date with --model."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write every forecast in the long layout (CSV, or Parquet for .parquet).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    predictions_out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write every forecast to this CSV, a row per origin and step, with its fold.",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    plot: Annotated[
        bool,
        typer.Option("--plot", help="Draw terminal charts (on stderr).", rich_help_panel=OUTPUT),
    ] = False,
    plot_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the charts as a PNG.", rich_help_panel=OUTPUT),
    ] = None,
    plot_step: Annotated[
        int,
        typer.Option(metavar="N", help="Which step the price chart shows.", rich_help_panel=OUTPUT),
    ] = 1,
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
    threads: ThreadsOpt = None,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Walk-forward backtest against the naive and drift baselines (or a saved model's score
    after its validation span, with --model)."""
    single_process("backtest")
    guarded(lambda: opts.check_backtest(ctx, model, start))
    ws = guarded(lambda: project.workspace(data_dir, models_dir))
    if plot_file is not None:
        guarded(lambda: workspace.check_output(plot_file, "--plot-file", (ws.data, ws.models)))
    if (plot or plot_file is not None) and not 1 <= plot_step <= horizon:
        fail(UsageError(f"--plot-step must be between 1 and the horizon ({horizon})"))
    args = opts.model_args(locals())
    from stockrnn.api import evaluate
    from stockrnn.render import jsonout, tables
    from stockrnn.render.progress import backtest_progress

    with backtest_progress(stderr_console(), patience, " ".join(tickers)) as hooks:
        result = guarded(
            lambda: evaluate.backtest(
                tickers,
                model=model,
                folds=folds,
                horizon=horizon,
                levels=level or (80,),
                start=start,
                out=out,
                predictions_out=predictions_out,
                options=None if model is not None else args,
                data_dir=ws.data,
                models_dir=ws.models,
                hooks=hooks,
            )
        )
    report = result.report
    if json_out:
        typer.echo(jsonout.to_json(report))
    else:
        show(*tables.backtest_tables(report))
    for line in [*result.notes, *report.notes]:
        note(line)
    for line in report.echo:
        stderr_console().print(f"lag echo: {line}", markup=False)
    for path in (out, predictions_out):
        if path is not None:
            stderr_console().print(f"forecasts written to {path}", markup=False)
    _charts(report, plot, plot_file, plot_step)


def _charts(report: BacktestReport, plot: bool, plot_file: Path | None, step: int) -> None:
    from stockrnn.render import backtest_charts

    if plot:
        text = guarded(lambda: backtest_charts.terminal(report, step, chart_colour()))
        typer.echo(text, err=True)
    if plot_file is not None:
        guarded(lambda: backtest_charts.png(report, plot_file, step))
        stderr_console().print(f"charts written to {plot_file}", markup=False)
