"""The command line: thin commands that build a config, call the library, and render.

Heavy modules (torch, pandas, yfinance) are imported inside the commands, so `stockrnn --help`
stays instant. Library errors are translated once, in cli.app.guarded, into one red line on
stderr and the exit code documented in stockrnn.common.errors.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import NoReturn

import typer

from stockrnn.cli import app as boundary
from stockrnn.cli import data, models, train, tune
from stockrnn.common import stopping
from stockrnn.common.errors import StorageError

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
    if sys.stdout is None:  # started with stdout closed
        sys.stdout = _Closed()
    if sys.stderr is None:  # nowhere to say anything: only the exit code tells
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    stopping.install()
    code: int = 0
    try:
        app(prog_name="stockrnn")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except OSError as exc:  # stdout closed or full: results could not be written
        code = _cannot_write(exc)
    _exit_fast(code)


class _Closed(io.TextIOBase):
    """Stands in for a standard output the process was started without: writing fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def isatty(self) -> bool:
        return False


def _cannot_write(exc: OSError) -> int:
    """One line on stderr (if it works) for output that could not be written; exit 11."""
    try:
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return StorageError.exit_code


def _exit_fast(code: int) -> NoReturn:
    """Skip interpreter teardown once torch is loaded: tearing torch down takes a sizeable
    share of a cold `predict` (docs/performance.md). Safe here because every file stockrnn
    writes is closed and fsynced before this point."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:  # a full device shows only here (/dev/full)
        code = code or _cannot_write(exc if isinstance(exc, OSError) else OSError(str(exc)))
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if "torch" in sys.modules:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
