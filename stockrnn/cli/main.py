"""The command line: thin commands that build a config, call the library, and render.

Heavy modules (torch, pandas, yfinance) are imported inside the commands, so `stockrnn --help`
stays instant. Library errors are translated once, in cli.app.guarded, into one red line on
stderr and the exit code documented in stockrnn.common.errors.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from stockrnn.cli import app as boundary
from stockrnn.cli import data, models, train, tune

__all__ = ["app", "main"]


def build() -> typer.Typer:
    """The app with every command registered, by name, in the order --help lists them."""
    app = typer.Typer(
        help="Forecast daily stock prices with RNN/LSTM/GRU models, next to the naive baseline.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(boundary.root)
    app.command("fetch")(data.fetch_cmd)
    app.command("list")(data.list_cmd)
    app.command("train")(train.train_cmd)
    app.command("backtest")(train.backtest_cmd)
    app.command("predict")(models.predict_cmd)
    app.command("tune")(tune.tune_cmd)
    saved = typer.Typer(help="List, remove and rename saved models.", rich_markup_mode=None)
    saved.callback(invoke_without_command=True)(models.models_cmd)
    saved.command("rm")(models.models_rm)
    saved.command("mv")(models.models_mv)
    app.add_typer(saved, name="models")
    return app


app = build()


def main() -> None:
    """Console-script entry point."""
    code: int = 0
    try:
        app(prog_name="stockrnn")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    _exit_fast(code)


def _exit_fast(code: int) -> NoReturn:
    """Skip interpreter teardown once torch is loaded: tearing torch down takes a sizeable
    share of a cold `predict` (docs/performance.md). Safe here because every file stockrnn
    writes is closed and fsynced before this point."""
    sys.stdout.flush()
    sys.stderr.flush()
    if "torch" in sys.modules:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
