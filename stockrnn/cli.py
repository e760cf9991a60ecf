"""The command line: thin commands that build a config, call the library, and render.

Heavy modules (torch, pandas, yfinance, scikit-learn) are imported inside the commands, so
`stockrnn --help` stays instant. Library errors are translated once, in cli_app.guarded, into
one red line on stderr and the exit code documented in stockrnn.errors.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from stockrnn import cli_data, cli_models, cli_train, cli_tune  # noqa: F401  (register commands)
from stockrnn.cli_app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    code: int = 0
    try:
        app(prog_name="stockrnn")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    _exit_fast(code)


def _exit_fast(code: int) -> NoReturn:
    """Skip interpreter teardown once torch is loaded: it takes ~0.5 s on this class of machine.

    Users gain it on every `train`, `predict` and `backtest`, not only the benchmark (it was
    measured at ~0.5 s of a cold `predict` when added). Safe here because every file stockrnn
    writes is closed and fsynced before this point.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if "torch" in sys.modules:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
