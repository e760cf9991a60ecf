"""The command line's one error boundary: library errors become one red line on stderr and
the exit code documented in stockrnn.common.errors; the consoles results and messages go to."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from stockrnn import __version__
from stockrnn.common.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    DistributedError,
    StockrnnError,
    Terminated,
    UsageError,
)
from stockrnn.model import torchrun

if TYPE_CHECKING:  # rich loads when something is printed, not for --help (~50 ms)
    from rich.console import Console
    from rich.table import Table

T = TypeVar("T")


def markup_safe(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def chart_colour() -> bool:
    """Whether a terminal chart on stderr may use colour (a terminal, and no NO_COLOR)."""
    return stderr_console().color_system is not None


def stdout_console() -> Console:
    # Piped output gets a fixed, roomy width (unless COLUMNS sets one) for logs and scripts.
    from rich.console import Console

    roomy = sys.stdout.isatty() or "COLUMNS" in os.environ
    return Console(highlight=False, soft_wrap=True, width=None if roomy else 120)


METRIC_EXTRAS = ("MAPE %", "RMSE", "dir %", "MAE", "MASE")  # dropped first when narrow


def show(*tables: Table, optional: Sequence[str] = METRIC_EXTRAS) -> None:
    """Print result tables on stdout, fitted to its width: numbers are never cut."""
    from stockrnn.render import layout

    console = stdout_console()
    # soft_wrap off: a narrow layout's wrapped lines would otherwise be cropped
    console.print(*(layout.fit(t, console.width, optional) for t in tables), soft_wrap=False)


def note(text: str) -> None:
    """One `note:` line on stderr (rank 0 only under torchrun)."""
    if not is_secondary_rank():
        stderr_console().print(f"note: {text}", markup=False)


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
        stderr_console().print(f"[bold red]error:[/] {markup_safe(str(exc))}", emoji=False)
    raise typer.Exit(exc.exit_code)


_REPORTED = [False]  # whether the boundary below has said why the command stopped


def reported() -> bool:
    return _REPORTED[0]


def forget_reported() -> None:
    """A new command line: nothing said yet (run() may be called many times in a process)."""
    _REPORTED[0] = False


def stop_said() -> None:
    """A command that said itself why it stopped (tune's "stopped after trial N")."""
    _REPORTED[0] = True


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`, turning our errors and Ctrl-C into one line and an exit code."""
    try:
        return fn()
    except StockrnnError as exc:
        fail(exc)
    except KeyboardInterrupt as exc:
        how, code = (
            ("terminated", EXIT_TERMINATED)
            if isinstance(exc, Terminated)
            else (
                "interrupted",
                EXIT_INTERRUPTED,
            )
        )
        if not is_secondary_rank():
            stderr_console().print(
                f"[red]{how}[/]: the write in progress was abandoned; files are intact"
            )
        _REPORTED[0] = True
        raise typer.Exit(code) from None


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
    try:
        torchrun.check_environment()
    except (UsageError, DistributedError) as exc:  # printed by every process, rank > 0 too
        stderr_console().print(f"[bold red]error:[/] {markup_safe(str(exc))}", emoji=False)
        raise typer.Exit(exc.exit_code) from None
