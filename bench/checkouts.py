"""Another checkout's stockrnn, run beside this one's (the A/B benchmarks).

`python -m stockrnn` (and `python -c`) put the working directory first on sys.path, ahead of
PYTHONPATH: run from this checkout's root, an A/B that only set PYTHONPATH timed this checkout
twice. `cli(folder)` is a command line that puts `folder` first itself, whatever the working
directory, and `environ(folder)` also sets PYTHONPATH for the processes it starts (torchrun's
workers); `source(folder, cwd)` says which package that command line imports from `cwd`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_FIRST = "import runpy, sys; sys.path.insert(0, {folder!r}); "


def cli(folder: str | None = None) -> list[str]:
    """`python -m stockrnn` of this environment, or of the checkout in `folder`."""
    if folder is None:
        return [sys.executable, "-m", "stockrnn"]
    run = "sys.argv[0] = 'stockrnn'; runpy.run_module('stockrnn', run_name='__main__')"
    return [sys.executable, "-c", _FIRST.format(folder=str(Path(folder).resolve())) + run]


def environ(folder: str | None = None) -> dict[str, str]:
    """The environment for `cli(folder)`: PYTHONPATH names `folder` too, for child processes."""
    if folder is None:
        return dict(os.environ)
    return {**os.environ, "PYTHONPATH": str(Path(folder).resolve())}


def source(folder: str | None = None, cwd: str | Path | None = None) -> str:
    """The stockrnn package `cli(folder)` imports when run from `cwd`; SystemExit when a
    `folder` is given and its package is not the one."""
    first = _FIRST.format(folder=str(Path(folder).resolve())) if folder else ""
    out = subprocess.run(
        [sys.executable, "-c", first + "import stockrnn; print(stockrnn.__file__)"],
        check=True,
        text=True,
        capture_output=True,
        cwd=cwd,
        env=environ(folder),
    ).stdout.strip()
    if folder and not Path(out).resolve().is_relative_to(Path(folder).resolve()):
        raise SystemExit(f"{folder}: stockrnn still comes from {out}")
    return out
