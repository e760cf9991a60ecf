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
from typing import Any, NoReturn

import typer

from stockrnn.cli import app as boundary
from stockrnn.cli import data, models, train, tune
from stockrnn.cli.help import PanelCommand
from stockrnn.common import collector, stopping
from stockrnn.common.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, StorageError

__all__ = ["app", "main", "run"]


HELP = {"help_option_names": ["-h", "--help"]}


def build() -> typer.Typer:
    """The app with every command registered, by name, in the order --help lists them."""
    app = typer.Typer(
        help="Forecast daily stock prices with RNN/LSTM/GRU models, next to the naive and "
        "drift baselines.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings=HELP,
    )
    app.callback()(boundary.root)
    app.command("fetch", cls=PanelCommand)(data.fetch_cmd)
    app.command("list", cls=PanelCommand)(data.list_cmd)
    app.command("train", cls=PanelCommand)(train.train_cmd)
    app.command("backtest", cls=PanelCommand)(train.backtest_cmd)
    app.command("predict", cls=PanelCommand)(models.predict_cmd)
    app.command("tune", cls=PanelCommand)(tune.tune_cmd)
    saved = typer.Typer(
        help="List, remove and rename saved models.", rich_markup_mode=None, context_settings=HELP
    )
    saved.callback(invoke_without_command=True)(models.models_cmd)
    saved.command("rm", cls=PanelCommand)(models.models_rm)
    saved.command("mv", cls=PanelCommand)(models.models_mv)
    app.add_typer(saved, name="models")
    app.command("workspace", cls=PanelCommand)(data.workspace_cmd)
    return app


app = build()


def run(argv: list[str] | None = None) -> int:
    """Run one command line in this process and return its exit code, without exiting (what
    a notebook or a test may call; the Python API, stockrnn.fetch/train/load, is the better
    way from Python)."""
    from stockrnn.common.errors import StockrnnError

    errors = _click_errors()
    boundary.forget_reported()
    code: int = 0
    command = typer.main.get_command(app)
    try:
        defaults = _project_defaults(command)
        # standalone_mode=False: parse errors come here, to be said in one line
        rv = command.main(
            args=argv, prog_name="stockrnn", default_map=defaults, standalone_mode=False
        )
        code = rv if isinstance(rv, int) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except OSError as exc:  # stdout closed or full: results could not be written
        code = _cannot_write(exc)
    except StockrnnError as exc:  # a project file naming options no command has
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except typer.Abort:  # Ctrl-C outside a command's own boundary (click 8.1)
        code = EXIT_INTERRUPTED
    except errors.ClickException as exc:
        code = _parse_error(exc)
    return _interrupt_said(code)


def _click_errors() -> Any:
    """click's exceptions, as this typer raises them (typer 0.29 vendors click)."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


def _parse_error(exc: Any) -> int:
    """One line for a command line click refused, naming the project file when the value
    came from there; `stockrnn` alone still shows the help."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()
        return int(exc.exit_code)
    message = exc.format_message()
    ctx, param = getattr(exc, "ctx", None), getattr(exc, "param", None)
    if ctx is not None and param is not None and param.name:
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name == "DEFAULT_MAP":
            from stockrnn.common import project

            message = f"{project.find()}: [{ctx.info_name}] {param.name}: {message}"
    print(f"error: {message}", file=sys.stderr)
    return int(exc.exit_code)


def _interrupt_said(code: int) -> int:
    """A Ctrl-C or SIGTERM that landed before a command's own boundary (while it imports)
    still gets its line, and SIGTERM its own code."""
    if code not in (EXIT_INTERRUPTED, EXIT_TERMINATED) or boundary.reported():
        return code
    how, code = ("terminated", EXIT_TERMINATED) if stopping.requested() else ("interrupted", code)
    print(f"{how}: stopped before any work; nothing was written", file=sys.stderr)
    return code


def _project_defaults(group: Any) -> dict[str, object] | None:
    """Option defaults from the stockrnn.toml in effect, per command (click's default_map),
    each checked against the command's own options: click would ignore a misspelt one. An
    unreadable file is reported by the command that reads the workspace."""
    from stockrnn.common import project
    from stockrnn.common.errors import UsageError

    try:
        path = project.find()
        raw = project.read(path) if path else {}
    except UsageError:
        return None
    defaults: dict[str, object] = {}
    for name, values in raw.items():
        if name == "workspace":
            continue
        names = _option_names(group.commands[name])
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise UsageError(
                f"{path}: [{name}] has no option(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(names))}"
            )
        defaults[name] = {names[k].name: _listed(names[k], v) for k, v in values.items()}
    return defaults or None


def _listed(param: Any, value: object) -> object:
    """A repeatable option's value as a list (`covariate = "^GSPC"` as `["^GSPC"]`)."""
    many = getattr(param, "multiple", False) or param.nargs == -1
    return [value] if many and not isinstance(value, list) else value


def _option_names(command: Any) -> dict[str, Any]:
    """A command's options as a project file spells them (`batch_size` or `batch-size` for
    --batch-size, `format` for --format), each mapped to its parameter."""
    names: dict[str, Any] = {}
    for param in command.params:
        if getattr(param, "hidden", False) or param.name in (None, "help"):
            continue
        for opt in param.opts:
            if opt.startswith("--") or not opt.startswith("-"):
                key = opt.lstrip("-")
                names[key] = names[key.replace("-", "_")] = param
    return names


def main() -> None:
    """Console-script entry point: run the command line, then exit the process (fast)."""
    if sys.stdout is None:  # started with stdout closed
        sys.stdout = _Closed()
    if sys.stderr is None:  # nowhere to say anything: only the exit code tells
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    stopping.install()
    _exit_fast(run())


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
    """Skip interpreter teardown: tearing torch or pandas down takes 0.1-1 s after the work is
    done (docs/performance.md). Safe here because every file stockrnn writes is closed and
    fsynced before this point (atomic.write_files), and its locks are the kernel's."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:  # a full device shows only here (/dev/full)
        code = code or _cannot_write(exc if isinstance(exc, OSError) else OSError(str(exc)))
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if not collector.interactive():  # an interpreter that lives on: never os._exit there
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
