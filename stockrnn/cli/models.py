"""Commands that use saved models: `models` (list, rm, mv) and `predict`.

Thin: each calls the Python API (stockrnn.api) and hands the result to the renderers. Heavy
modules are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stockrnn.cli.app import chart_colour, guarded, note, show, stderr_console
from stockrnn.cli.options import (
    OUTPUT,
    DataDir,
    JsonOut,
    LevelOpt,
    ModelsDir,
    TickerArgs,
)
from stockrnn.common.errors import UsageError

if TYPE_CHECKING:
    from stockrnn.api.model import Forecasts


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"  # one row per ticker and session, every column
    long = "long"  # unique_id, ds, MODEL, MODEL-lo-80, ...: what forecasting libraries read


def models_cmd(ctx: typer.Context, json_out: JsonOut = False, models_dir: ModelsDir = None) -> None:
    """List saved models with their architecture, data and test skill vs naive."""
    if ctx.invoked_subcommand is not None:
        return
    from stockrnn.api import model
    from stockrnn.render import jsonout, listings

    rows = guarded(lambda: model.models(models_dir))
    if json_out:
        typer.echo(jsonout.to_json(rows))
    elif not rows:
        stderr_console().print("no saved models; run `stockrnn train TICKER`", markup=False)
    else:
        show(listings.models_table(rows), optional=("size", "trained", "cover 80%"))


def models_rm(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The model to delete.")],
    models_dir: ModelsDir = None,
) -> None:
    """Delete a saved model."""
    from stockrnn.api import model

    guarded(lambda: model.remove(name, models_dir=models_dir))
    stderr_console().print(f"removed model {name!r}", markup=False)


def models_mv(
    old: Annotated[str, typer.Argument(metavar="NAME", help="The model's name now.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new name (must be free).")],
    models_dir: ModelsDir = None,
) -> None:
    """Rename a saved model."""
    from stockrnn.api import model

    guarded(lambda: model.rename(old, new, models_dir=models_dir))
    stderr_console().print(f"renamed model {old!r} to {new!r}", markup=False)


def _format(fmt: Format | None, json_out: bool, csv_out: bool) -> tuple[Format, str]:
    """The output format, from --format or the old --json / --csv (with a note)."""
    old = [flag for flag, on in (("--json", json_out), ("--csv", csv_out)) if on]
    if len(old) > 1 or (old and fmt is not None):
        raise UsageError("choose one output format: --format table|json|csv|long")
    if old:
        return Format(old[0][2:]), f"{old[0]} still works; it is --format {old[0][2:]} now"
    return fmt or Format.table, ""


def _horizon(horizon: int | None, days: int | None) -> tuple[int, str]:
    """--horizon, or the old --days (with a note)."""
    if days is not None and horizon is not None:
        raise UsageError("--days is the old name of --horizon: give one")
    if days is not None:
        return days, "--days still works; it is --horizon now"
    return (5 if horizon is None else horizon), ""


def predict_cmd(
    tickers: TickerArgs = None,
    horizon: Annotated[
        int | None,
        typer.Option(metavar="DAYS", show_default=False, help="Sessions ahead, 1-60 (default 5)."),
    ] = None,
    days: Annotated[int | None, typer.Option(hidden=True, help="Old name of --horizon.")] = None,
    model: Annotated[
        str, typer.Option("--model", metavar="NAME", help="Saved model name.")
    ] = "default",
    level: LevelOpt = None,
    calendar: Annotated[
        str | None,
        typer.Option(
            metavar="MIC",
            help="Exchange calendar for the dates (default: each ticker's own, as fetched).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            show_default=False,
            help="What stdout gets (default table).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Also write the long layout here (CSV, or Parquet for .parquet).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", hidden=True)] = False,
    csv_out: Annotated[bool, typer.Option("--csv", hidden=True)] = False,
    plot: Annotated[
        bool, typer.Option("--plot", help="Draw a terminal chart (on stderr).")
    ] = False,
    plot_file: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the chart as a PNG.")
    ] = None,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Forecast the next trading sessions with a saved model (no ticker: every ticker it was
    trained on). Tables and data go to stdout; notes and charts to stderr."""
    from stockrnn.common import project, workspace

    shape, old_format = guarded(lambda: _format(fmt, json_out, csv_out))
    ahead, old_days = guarded(lambda: _horizon(horizon, days))
    ws = guarded(lambda: project.workspace(data_dir, models_dir))
    outputs = {"--plot-file": plot_file, "--out": out}
    guarded(lambda: workspace.check_outputs(outputs, (ws.data, ws.models)))
    from stockrnn.pipelines import export

    if out is not None:
        guarded(lambda: export.check_format(out))
    from stockrnn.api import model as api
    from stockrnn.render import charts

    def work() -> Forecasts:
        m = api.load(model, data_dir=ws.data, models_dir=ws.models)
        return m.predict(tickers, horizon=ahead, levels=level or (80,), calendar=calendar)

    results = guarded(work)
    for line in [old_format, old_days, *results.notes]:
        if line:
            note(line)
    if out is not None:
        guarded(lambda: export.write(results.to_frame(), out))
        stderr_console().print(f"forecasts written to {out}", markup=False)
    _print(results, shape)
    if plot:
        for r in results:
            typer.echo(charts.terminal(r, chart_colour()), err=True)
    if plot_file is not None:
        guarded(lambda: charts.png(results.forecasts, plot_file))
        stderr_console().print(f"chart written to {plot_file}", markup=False)


def _print(results: Forecasts, shape: Format) -> None:
    from stockrnn.pipelines import export
    from stockrnn.render import forecasts

    if shape is Format.json:
        typer.echo(forecasts.forecast_json(results.forecasts))
    elif shape is Format.csv:
        typer.echo(forecasts.forecast_csv(results.forecasts), nl=False)
    elif shape is Format.long:
        typer.echo(export.to_bytes(results.to_frame(), Path("-.csv")).decode(), nl=False)
    else:
        for r in results:
            show(forecasts.forecast_table(r), optional=("open", "high", "low", "chg"))
