"""The command line's one error boundary: library errors become one red line on stderr and
the exit code documented in stockrnn.common.errors; the consoles results and messages go to."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from stockrnn import __version__
from stockrnn.common.errors import EXIT_INTERRUPTED, DistributedError, StockrnnError, UsageError
from stockrnn.model import torchrun

T = TypeVar("T")


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Console:
    # Piped output gets a fixed, roomy width so tables never truncate in logs and scripts.
    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)


def under_torchrun() -> bool:
    return torchrun.world_size() > 1


def single_process(command: str) -> None:
    """Refuse a command that torchrun would only run N times over."""
    if under_torchrun():
        fail(UsageError(f"only `stockrnn train` runs under torchrun, not `{command}`"))


def is_secondary_rank() -> bool:
    """A torchrun process other than global rank 0: it trains but prints nothing of its own
    (rank 0 prints the same errors), except the loss of another process."""
    return under_torchrun() and torchrun.rank() != 0


def fail(exc: StockrnnError) -> NoReturn:
    """Print one line on stderr and exit with the error's code."""
    if not is_secondary_rank() or exc.exit_code == DistributedError.exit_code:
        stderr_console().print(f"[bold red]error:[/] {escape(str(exc))}", emoji=False)
    raise typer.Exit(exc.exit_code)


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`, turning our errors and Ctrl-C into one line and an exit code."""
    try:
        return fn()
    except StockrnnError as exc:
        fail(exc)
    except KeyboardInterrupt:
        if not is_secondary_rank():
            stderr_console().print(
                "[red]interrupted[/]: the write in progress was abandoned; files are intact"
            )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stockrnn {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """stockrnn: fetch daily bars, train an RNN, forecast, and compare with naive."""
