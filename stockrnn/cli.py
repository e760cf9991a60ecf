"""The command line: thin commands that build a config, call the library, and render.

Heavy modules (torch, pandas, yfinance, scikit-learn) are imported inside the commands, so
`stockrnn --help` stays instant. Library errors are translated here, once, into one red line on
stderr and the exit code documented in stockrnn.errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from stockrnn import __version__
from stockrnn import options as opts
from stockrnn.choices import Cell, Device, FeatureSet, ScalerKind, Source
from stockrnn.errors import EXIT_INTERRUPTED, StockrnnError
from stockrnn.options import (
    BatchOpt,
    BiasOpt,
    CellOpt,
    DataDir,
    DateOpt,
    DeviceOpt,
    DropoutOpt,
    EpochsOpt,
    FeaturesOpt,
    HiddenOpt,
    JsonOut,
    LayersOpt,
    LrOpt,
    ModelArgs,
    ModelName,
    ModelsDir,
    NonlinOpt,
    PatienceOpt,
    ScalerOpt,
    SeedOpt,
    Tickers,
    WindowOpt,
)
from stockrnn.symbols import normalize

app = typer.Typer(
    help="Forecast daily stock prices with RNN/LSTM/GRU models, next to the naive baseline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
T = TypeVar("T")


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _out() -> Console:
    # Piped output gets a fixed, roomy width so tables never truncate in logs and scripts.
    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)


def fail(exc: StockrnnError) -> NoReturn:
    """Print one line on stderr and exit with the error's code."""
    _err().print(f"[bold red]error:[/] {escape(str(exc))}", emoji=False)
    raise typer.Exit(exc.exit_code)


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`, turning our errors and Ctrl-C into one line and an exit code."""
    try:
        return fn()
    except StockrnnError as exc:
        fail(exc)
    except KeyboardInterrupt:
        _err().print("[red]interrupted[/]: the write in progress was abandoned; files are intact")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stockrnn {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """stockrnn: fetch daily bars, train an RNN, forecast, and compare with naive."""


@app.command()
def fetch(
    ctx: typer.Context,
    tickers: Annotated[
        list[str] | None, typer.Argument(help="Ticker symbols, e.g. AAPL ^GSPC BRK.B.")
    ] = None,
    source: Annotated[Source, typer.Option(help="Where bars come from.")] = Source.yahoo,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Import this CSV file (see the README for the layouts)."),
    ] = None,
    all_in_csv: Annotated[
        bool, typer.Option("--all", help="With --csv: import every ticker of a long file.")
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option(help="With --csv: the dates' strptime format, e.g. %d/%m/%Y."),
    ] = None,
    start: DateOpt = None,
    end: DateOpt = None,
    period: Annotated[
        str | None, typer.Option(help="yfinance period, e.g. 5y (default: max).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Download everything again.")] = False,
    calendar: Annotated[str, typer.Option(help="Exchange calendar.")] = "XNYS",
    json_out: JsonOut = False,
    data_dir: DataDir = Path("data"),
) -> None:
    """Download daily OHLCV bars into the data folder, incrementally and validated."""
    guarded(
        lambda: opts.check_fetch(ctx, tickers or [], source, csv, all_in_csv, date_format, period)
    )
    if csv is not None:
        source = Source.csv
    from rich.progress import Progress

    from stockrnn import fetch as fetching
    from stockrnn import render

    configs = guarded(
        lambda: fetching.configs_for(
            tickers or [],
            all_in_csv,
            source=source.value,
            csv=csv,
            date_format=date_format,
            start=start.date() if start else None,
            end=end.date() if end else None,
            period=period,
            full=full,
            calendar=calendar,
        )
    )
    err = _err()
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("fetching", total=len(configs))

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=f"fetching {name}")

        results, code = guarded(lambda: fetching.fetch_many(data_dir, configs, advance))

    if json_out:
        typer.echo(render.to_json(results))
    elif any(r.status != "failed" for r in results):
        _out().print(render.fetch_table(results))
    for r in results:
        for note in r.notes:
            _err().print(f"{r.symbol}: {note}", markup=False)
        if r.error:
            _err().print(f"[bold red]error:[/] {escape(r.symbol)}: {escape(r.error)}", emoji=False)
    if code:
        raise typer.Exit(code)


@app.command("list")
def list_cached(json_out: JsonOut = False, data_dir: DataDir = Path("data")) -> None:
    """Show cached tickers with their date ranges and how stale each is."""
    from stockrnn import fetch as fetching
    from stockrnn import render

    rows = guarded(lambda: fetching.list_cached(data_dir))
    if json_out:
        typer.echo(render.to_json(rows))
    elif not rows:
        _err().print(f"no cached data in {data_dir}; run `stockrnn fetch TICKER`")
    else:
        _out().print(render.list_table(rows))


@app.command("train")
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
    name: ModelName = "default",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing model of this name.")
    ] = False,
    json_out: JsonOut = False,
    timings: Annotated[
        Path | None,
        typer.Option(help="Write fit timings as JSON here (for the benchmark harness)."),
    ] = None,
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
    )
    req = guarded(
        lambda: opts.train_request(
            args, data_dir, models_dir, name, ticker, split, train_end, val_end, overwrite
        )
    )
    if timings is not None:
        guarded(lambda: _check_output(timings, "--timings"))
    from stockrnn import experiment, render
    from stockrnn.progress import train_progress

    with train_progress(_err(), req.train.epochs) as hooks:
        summary = guarded(lambda: experiment.run(req, hooks))
    for reason in summary["skipped"]:
        _err().print(f"note: {reason}", markup=False)
    if summary["saved_note"]:
        _err().print(f"note: {summary['saved_note']}", markup=False)
    if timings is not None:
        guarded(lambda: _write_timings(timings, summary["fit"]))
    if json_out:
        typer.echo(render.to_json(summary))
        return
    _out().print(render.metrics_table(summary["metrics"]))
    fit = summary["fit"]
    _err().print(
        f"{render.verdict(summary['metrics'])}\n"
        f"best epoch {fit['best_epoch']} of {fit['epochs_run']}"
        f"{' (interrupted: kept the best so far)' if fit['interrupted'] else ''}; "
        f"80% interval coverage on test: "
        f"{render.pct(summary['intervals']['test_coverage_80'])}; "
        f"saved {models_dir / summary['name']}",
        markup=False,
    )


def _check_output(path: Path, option: str) -> None:
    from stockrnn import workspace

    workspace.check_output(path, option)


def _write_timings(path: Path, fit: dict[str, Any]) -> None:
    import json

    from stockrnn import atomic

    keys = {
        "train_s": fit["train_s"],
        "epochs": fit["epochs_run"],
        "epoch_s": fit["epoch_s"],
        "samples_seen": fit["samples_seen"],
    }
    atomic.write_bytes(path, json.dumps(keys).encode())


models_app = typer.Typer(
    help="List, remove and rename saved models.", no_args_is_help=False, rich_markup_mode=None
)
app.add_typer(models_app, name="models")


@models_app.callback(invoke_without_command=True)
def models_cmd(
    ctx: typer.Context, json_out: JsonOut = False, models_dir: ModelsDir = Path("models")
) -> None:
    """List saved models with their architecture, data and test skill vs naive."""
    if ctx.invoked_subcommand is not None:
        return
    from stockrnn import catalog, render

    rows = guarded(lambda: catalog.describe_all(models_dir))
    if json_out:
        typer.echo(render.to_json(rows))
    elif not rows:
        _err().print(f"no models in {models_dir}; run `stockrnn train`")
    else:
        _out().print(render.models_table(rows))


@models_app.command("rm")
def models_rm(
    name: Annotated[str, typer.Argument(help="The model to delete.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Delete a saved model."""
    from stockrnn import checkpoint

    guarded(lambda: checkpoint.remove(models_dir, name))
    _err().print(f"removed model {name!r} from {models_dir}", markup=False)


@models_app.command("mv")
def models_mv(
    old: Annotated[str, typer.Argument(help="The model's name now.")],
    new: Annotated[str, typer.Argument(help="Its new name (must be free).")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Rename a saved model."""
    from stockrnn import checkpoint

    guarded(lambda: checkpoint.rename(models_dir, old, new))
    _err().print(f"renamed model {old!r} to {new!r}", markup=False)


@app.command("predict")
def predict_cmd(
    tickers: Annotated[list[str], typer.Argument(help="Tickers to forecast.")],
    days: Annotated[int, typer.Option(help="Trading sessions ahead (1-60).")] = 5,
    model: Annotated[str, typer.Option("--model", help="Saved model name.")] = "default",
    level: Annotated[float, typer.Option(help="Interval coverage, 0.5-0.99.")] = 0.8,
    calendar: Annotated[str, typer.Option(help="Exchange calendar for the dates.")] = "XNYS",
    json_out: JsonOut = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV rows on stdout.")] = False,
    plot: Annotated[bool, typer.Option("--plot", help="Draw a terminal chart.")] = False,
    plot_file: Annotated[Path | None, typer.Option(help="Write the chart as a PNG.")] = None,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Forecast the next trading days from the cached data with a saved model."""
    guarded(lambda: opts.check_predict(json_out, csv_out, plot_file))

    def work() -> list[dict[str, object]]:
        from stockrnn import forecast

        cfg = forecast.ForecastConfig(days, level, calendar, model)
        return forecast.predict(data_dir, models_dir, [normalize(t) for t in tickers], cfg)

    results = guarded(work)
    from stockrnn import plot as charts
    from stockrnn import render

    for r in results:
        for note in r["notes"]:  # type: ignore[attr-defined]
            _err().print(f"note: {note}", markup=False)
    if json_out:
        typer.echo(render.forecast_json(results))
    elif csv_out:
        typer.echo(render.forecast_csv(results), nl=False)
    else:
        for r in results:
            _out().print(render.forecast_table(r, level))
    if plot:
        for r in results:
            typer.echo(charts.terminal(r), err=True)
    if plot_file is not None:
        guarded(lambda: charts.png(results, plot_file))
        _err().print(f"chart written to {plot_file}", markup=False)


@app.command("backtest")
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
    json_out: JsonOut = False,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Walk-forward backtest against the naive and drift baselines."""
    guarded(lambda: opts.check_backtest(ctx, model, start))
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
    )
    req = guarded(lambda: opts.train_request(args, data_dir, models_dir, "backtest", tickers))
    from stockrnn import backtest, render
    from stockrnn.progress import backtest_progress

    cfg = backtest.BacktestConfig(
        folds,
        horizon,
        level,
        start.date() if start else None,
        model,
        predictions_out=predictions_out,
    )
    with backtest_progress(_err(), epochs, " ".join(tickers)) as hooks:
        report = guarded(lambda: backtest.run(req, models_dir, cfg, hooks))
    if json_out:
        typer.echo(render.to_json(report))
    else:
        _out().print(render.backtest_table(report))
    for line in report.notes:
        _err().print(f"note: {line}", markup=False)
    for line in report.echo:
        _err().print(f"lag echo: {line}", markup=False)
    if predictions_out is not None:
        _err().print(f"forecasts written to {predictions_out}", markup=False)


def main() -> None:
    """Console-script entry point."""
    code: int = 0
    try:
        app(prog_name="stockrnn")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    _exit_fast(code)


def _exit_fast(code: int) -> NoReturn:
    """Skip interpreter teardown once torch is loaded: it takes ~0.5 s on this class of machine.

    Safe here because every file stockrnn writes is closed and fsynced before this point.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if "torch" in sys.modules:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
