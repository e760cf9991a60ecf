"""The console script's first stop: `stockrnn --help` and `--version` are answered from here,
without typer.

Importing typer takes about 50 ms and building the app from the commands' signatures 90 ms
more, so the full path alone is over the 0.1 s a help screen may take (docs/performance.md,
start-up). The top-level help is the one typer renders, kept in cli/usage.py and checked
against a live render by tests/cli/test_entry.py; anything else goes to cli.main.
"""

from __future__ import annotations

import os
import sys

COMPLETION_VAR = "_STOCKRNN_COMPLETE"  # click's shell-completion protocol: typer answers it
TRAINING = {"train", "backtest", "tune"}  # the commands whose steps reuse their memory


def main() -> None:
    """Console-script entry point."""
    answer = _quick(sys.argv[1:])
    if answer is not None:
        raise SystemExit(_said(answer))
    from stockrnn.common import allocator, collector

    collector.pause()  # a long command resumes it once its libraries are in
    if _command(sys.argv[1:]) in TRAINING:
        allocator.keep_freed()  # a training step's memory stays for the next one
    from stockrnn.cli.main import main as full

    full()


def _command(args: list[str]) -> str | None:
    """The command a command line names (its first word that is not an option)."""
    return next((a for a in args if not a.startswith("-")), None)


def _quick(args: list[str]) -> str | None:
    """The text for a command line that needs no app, or None."""
    if sys.stdout is None or COMPLETION_VAR in os.environ:
        return None
    if args == ["--version"]:
        from stockrnn import __version__

        return f"stockrnn {__version__}\n"
    if args in (["--help"], ["-h"]) and _wide():
        from stockrnn.cli.usage import TEXT

        return TEXT
    return None


def _wide() -> bool:
    """click wraps help to the terminal's width, up to 80 columns: the kept text is the one
    rendered at 80 or more."""
    import shutil

    return shutil.get_terminal_size().columns >= 80


def _said(text: str) -> int:
    """Write `text`: exit 0, or 11 with a line on stderr when the output fails (as the full
    path does: closed, full, or a broken pipe)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        from stockrnn.common.errors import StorageError

        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        try:
            print(f"error: cannot write the output: {why}", file=sys.stderr)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        try:  # nothing more reaches a broken stdout at exit either
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
        except OSError:
            pass
        return StorageError.exit_code
    return 0
