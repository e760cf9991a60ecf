"""Commands that bring data in and list it: `fetch` and `list`.

Thin: each builds a config, calls the library and hands the result to tables. Heavy modules
are imported inside the commands, so `stockrnn --help` stays instant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockrnn.cli import options as opts
from stockrnn.cli.app import guarded, show, stderr_console
from stockrnn.cli.options import DataDir, DateOpt, JsonOut
from stockrnn.common.choices import Source


def fetch_cmd(
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
    calendar: Annotated[
        str | None,
        typer.Option(
            help="Exchange calendar (default: the one the symbol's Yahoo suffix names, "
            "e.g. .L XLON, .T XTKS; XNYS without one).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Tickers downloaded at once (Yahoo); 1 = one after another.")
    ] = 4,
    retries: Annotated[
        int, typer.Option(help="Tries per ticker when Yahoo rate-limits (backoff with jitter).")
    ] = 5,
    json_out: JsonOut = False,
    data_dir: DataDir = Path("data"),
) -> None:
    """Download daily OHLCV bars into the data folder, incrementally and validated."""
    guarded(
        lambda: opts.check_fetch(
            ctx,
            tickers or [],
            source=source,
            csv=csv,
            all_in_csv=all_in_csv,
            date_format=date_format,
            workers=workers,
            retries=retries,
        )
    )
    if csv is not None:
        source = Source.csv
    from rich.progress import Progress

    from stockrnn.data import fetch, fetch_many
    from stockrnn.data.fetch_types import FetchOptions, Status
    from stockrnn.render import jsonout, listings

    options = FetchOptions(
        source=source,
        csv=csv,
        date_format=date_format,
        start=start.date() if start else None,
        end=end.date() if end else None,
        period=period,
        full=full,
        calendar=calendar,
    )
    configs = guarded(lambda: fetch.configs_for(tickers or [], options, all_in_csv))
    console = stderr_console()
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("fetching", total=len(configs))

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=f"fetching {name}")

        retry = fetch_many.Retry(attempts=retries)
        # a CSV or the sample is parsed in this process: threads would only contend
        pool = workers if source == Source.yahoo else 1
        results, code = guarded(
            lambda: fetch_many.fetch_all(
                data_dir, configs, workers=pool, retry=retry, advance=advance
            )
        )

    if json_out:
        typer.echo(jsonout.to_json(results))
    elif any(r.status is not Status.failed for r in results):
        show(listings.fetch_table(results), optional=("source", "first"))
    for r in results:
        for note in r.notes:
            stderr_console().print(f"{r.symbol}: {note}", markup=False)
        if r.error:
            stderr_console().print(
                f"[bold red]error:[/] {escape(r.symbol)}: {escape(r.error)}", emoji=False
            )
    if code:
        raise typer.Exit(code)


def list_cmd(json_out: JsonOut = False, data_dir: DataDir = Path("data")) -> None:
    """Show cached tickers with their date ranges and how stale each is."""
    from stockrnn.data import fetch
    from stockrnn.render import jsonout, listings

    rows = guarded(lambda: fetch.list_cached(data_dir))
    if json_out:
        typer.echo(jsonout.to_json(rows))
    elif not rows:
        stderr_console().print(f"no cached data in {data_dir}; run `stockrnn fetch TICKER`")
    else:
        show(listings.list_table(rows), optional=("first", "rows"))
