"""Commands about data and the workspace: `fetch`, `list` and `workspace`.

Thin: each calls the Python API (stockrnn.api) and hands the result to the renderers. Heavy
modules are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from stockrnn.cli import options as opts
from stockrnn.cli.app import guarded, markup_safe, note, show, stderr_console
from stockrnn.cli.options import (
    DATA_PANEL,
    OUTPUT,
    DataDir,
    JsonOut,
    ModelsDir,
    TickerArgs,
)
from stockrnn.common.choices import Source


def fetch_cmd(
    ctx: typer.Context,
    tickers: TickerArgs = None,
    source: Annotated[Source, typer.Option(help="Where bars come from.")] = Source.yahoo,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", metavar="FILE", help="Import this CSV file (docs/importing.md: layouts)."
        ),
    ] = None,
    all_in_csv: Annotated[
        bool, typer.Option("--all", help="With --csv: import every ticker of a long file.")
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option(metavar="FORMAT", help="With --csv: the dates' strptime format (%d/%m/%Y)."),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="First day to fetch."),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Last day to fetch."),
    ] = None,
    period: Annotated[
        str | None, typer.Option(metavar="PERIOD", help="yfinance period, e.g. 5y (default: max).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Download everything again.")] = False,
    calendar: Annotated[
        str | None,
        typer.Option(
            metavar="MIC",
            help="Exchange calendar (default: the one the symbol's Yahoo suffix names, "
            "e.g. .L XLON, .T XTKS; XNYS without one).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            metavar="N", help="Tickers downloaded at once (Yahoo); 1 = one after another."
        ),
    ] = 4,
    retries: Annotated[
        int,
        typer.Option(metavar="N", help="Tries per ticker when Yahoo rate-limits (with backoff)."),
    ] = 5,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """Download daily OHLCV bars into the data folder, incrementally and validated. With no
    ticker: bring every cached ticker up to date from its own source."""
    guarded(lambda: opts.check_fetch(ctx, source, csv))
    from rich.progress import Progress

    from stockrnn.api import data
    from stockrnn.data.fetch_types import Status
    from stockrnn.render import jsonout, listings

    console = stderr_console()
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("fetching", total=len(tickers or []) or None)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=f"fetching {name}")

        done = guarded(
            lambda: data.fetch(
                tickers,
                source=source,
                csv=csv,
                all_in_csv=all_in_csv,
                date_format=date_format,
                start=start,
                end=end,
                period=period,
                full=full,
                calendar=calendar,
                workers=workers,
                retries=retries,
                data_dir=data_dir,
                on_ticker=advance,
            )
        )
    for line in done.notes:
        note(line)
    if json_out:
        typer.echo(jsonout.to_json(done.results))
    elif any(r.status is not Status.failed for r in done.results):
        show(listings.fetch_table(done.results), optional=("source", "first"))
    for r in done.results:
        for line in r.notes:
            stderr_console().print(f"{r.symbol}: {line}", markup=False)
        if r.error:
            stderr_console().print(
                f"[bold red]error:[/] {markup_safe(r.symbol)}: {markup_safe(r.error)}", emoji=False
            )
    if done.exit_code:
        raise typer.Exit(done.exit_code)


def list_cmd(json_out: JsonOut = False, data_dir: DataDir = None) -> None:
    """Show cached tickers with their date ranges and how stale each is."""
    from stockrnn.api import data
    from stockrnn.render import jsonout, listings

    rows = guarded(lambda: data.cached(data_dir))
    if json_out:
        typer.echo(jsonout.to_json(rows))
    elif not rows:
        stderr_console().print("no cached data; run `stockrnn fetch TICKER`", markup=False)
    else:
        show(listings.list_table(rows), optional=("first", "rows"))


def workspace_cmd(
    init: Annotated[
        bool,
        typer.Option("--init", help="Write a stockrnn.toml here: this folder becomes a workspace."),
    ] = False,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Print the workspace in effect: its data and models folders, and where each came from."""
    from stockrnn.common import project

    if init:
        path = guarded(lambda: project.init(Path.cwd()))
        stderr_console().print(f"wrote {path}", markup=False)
    ws = guarded(lambda: project.workspace(data_dir, models_dir))
    typer.echo(f"project file  {ws.file or 'none (stockrnn.toml in this folder or a parent)'}")
    typer.echo(f"data          {ws.data}  ({ws.origin['data']})")
    typer.echo(f"models        {ws.models}  ({ws.origin['models']})")
    for command, values in sorted(ws.defaults.items()):
        shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        typer.echo(f"[{command}]{' ' * (12 - len(command))}{shown}")


__all__ = ["DATA_PANEL", "OUTPUT", "fetch_cmd", "list_cmd", "workspace_cmd"]
