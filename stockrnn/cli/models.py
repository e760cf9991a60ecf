"""Commands that use saved models: `models` (list, rm, mv) and `predict`.

Thin: each builds a config, calls the library and hands the result to tables. Heavy modules
are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stockrnn.cli import options as opts
from stockrnn.cli.app import guarded, show, stderr_console
from stockrnn.cli.options import DataDir, JsonOut, ModelsDir
from stockrnn.common.symbols import normalize

if TYPE_CHECKING:
    from stockrnn.pipelines.predict import Forecast


def models_cmd(
    ctx: typer.Context, json_out: JsonOut = False, models_dir: ModelsDir = Path("models")
) -> None:
    """List saved models with their architecture, data and test skill vs naive."""
    if ctx.invoked_subcommand is not None:
        return
    from stockrnn.checkpoint import catalog
    from stockrnn.render import jsonout, listings

    rows = guarded(lambda: catalog.describe_all(models_dir))
    if json_out:
        typer.echo(jsonout.to_json(rows))
    elif not rows:
        stderr_console().print(f"no models in {models_dir}; run `stockrnn train`")
    else:
        show(listings.models_table(rows), optional=("size", "trained", "cover 80%"))


def models_rm(
    name: Annotated[str, typer.Argument(help="The model to delete.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Delete a saved model."""
    from stockrnn.checkpoint import store

    guarded(lambda: store.remove(models_dir, name))
    stderr_console().print(f"removed model {name!r} from {models_dir}", markup=False)


def models_mv(
    old: Annotated[str, typer.Argument(help="The model's name now.")],
    new: Annotated[str, typer.Argument(help="Its new name (must be free).")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Rename a saved model."""
    from stockrnn.checkpoint import store

    guarded(lambda: store.rename(models_dir, old, new))
    stderr_console().print(f"renamed model {old!r} to {new!r}", markup=False)


def predict_cmd(
    tickers: Annotated[list[str], typer.Argument(help="Tickers to predict.")],
    days: Annotated[int, typer.Option(help="Trading sessions ahead (1-60).")] = 5,
    model: Annotated[str, typer.Option("--model", help="Saved model name.")] = "default",
    level: Annotated[float, typer.Option(help="Interval coverage, 0.5-0.99.")] = 0.8,
    calendar: Annotated[
        str | None,
        typer.Option(
            help="Exchange calendar for the dates (default: each ticker's own, as fetched).",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOut = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV rows on stdout.")] = False,
    plot: Annotated[bool, typer.Option("--plot", help="Draw a terminal chart.")] = False,
    plot_file: Annotated[Path | None, typer.Option(help="Write the chart as a PNG.")] = None,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Forecast the next trading days from the cached data with a saved model."""
    guarded(lambda: opts.check_predict(json_out, csv_out, plot_file, (data_dir, models_dir)))

    def work() -> list[Forecast]:
        from stockrnn.pipelines import predict

        cfg = predict.ForecastConfig(days=days, level=level, calendar=calendar, model=model)
        return predict.predict(data_dir, models_dir, [normalize(t) for t in tickers], cfg)

    results = guarded(work)
    from stockrnn.render import charts, forecasts

    for note in dict.fromkeys(n for r in results for n in r.notes):  # a covariate's once
        stderr_console().print(f"note: {note}", markup=False)
    if json_out:
        typer.echo(forecasts.forecast_json(results))
    elif csv_out:
        typer.echo(forecasts.forecast_csv(results), nl=False)
    else:
        for r in results:
            show(forecasts.forecast_table(r, level), optional=("open", "high", "low", "chg"))
    if plot:
        for r in results:
            typer.echo(charts.terminal(r), err=True)
    if plot_file is not None:
        guarded(lambda: charts.png(results, plot_file))
        stderr_console().print(f"chart written to {plot_file}", markup=False)
