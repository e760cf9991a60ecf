"""Commands that use saved models: `models` (list, rm, mv) and `predict`.

Thin: each builds a config, calls the library and hands the result to render. Heavy modules
are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stockrnn import options as opts
from stockrnn.cli_app import app, err, guarded, out
from stockrnn.options import (
    DataDir,
    JsonOut,
    ModelsDir,
)
from stockrnn.symbols import normalize

if TYPE_CHECKING:
    from stockrnn.forecast import Forecast

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
        err().print(f"no models in {models_dir}; run `stockrnn train`")
    else:
        out().print(render.models_table(rows))


@models_app.command("rm")
def models_rm(
    name: Annotated[str, typer.Argument(help="The model to delete.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Delete a saved model."""
    from stockrnn import checkpoint

    guarded(lambda: checkpoint.remove(models_dir, name))
    err().print(f"removed model {name!r} from {models_dir}", markup=False)


@models_app.command("mv")
def models_mv(
    old: Annotated[str, typer.Argument(help="The model's name now.")],
    new: Annotated[str, typer.Argument(help="Its new name (must be free).")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Rename a saved model."""
    from stockrnn import checkpoint

    guarded(lambda: checkpoint.rename(models_dir, old, new))
    err().print(f"renamed model {old!r} to {new!r}", markup=False)


@app.command("predict")
def predict_cmd(
    tickers: Annotated[list[str], typer.Argument(help="Tickers to forecast.")],
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
    guarded(lambda: opts.check_predict(json_out, csv_out, plot_file))

    def work() -> list[Forecast]:
        from stockrnn import forecast

        cfg = forecast.ForecastConfig(days, level, calendar, model)
        return forecast.predict(data_dir, models_dir, [normalize(t) for t in tickers], cfg)

    results = guarded(work)
    from stockrnn import plot as charts
    from stockrnn import render

    for r in results:
        for note in r.notes:
            err().print(f"note: {note}", markup=False)
    if json_out:
        typer.echo(render.forecast_json(results))
    elif csv_out:
        typer.echo(render.forecast_csv(results), nl=False)
    else:
        for r in results:
            out().print(render.forecast_table(r, level))
    if plot:
        for r in results:
            typer.echo(charts.terminal(r), err=True)
    if plot_file is not None:
        guarded(lambda: charts.png(results, plot_file))
        err().print(f"chart written to {plot_file}", markup=False)
