"""Another checkout's stockrnn, run beside this one's (the A/B benchmarks).

An editable install (`pip install -e`) may map `stockrnn` to this checkout through a finder on
sys.meta_path, which PYTHONPATH cannot override: an A/B that only set PYTHONPATH timed this
checkout twice. `cli(folder)` is a command line that drops that finder, puts `folder` first on
sys.path and runs its `python -m stockrnn`; `source(folder)` says which files it imports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_BOOT = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path "
    "if '__editable__' not in str(getattr(f, '__module__', ''))]; "
    "sys.path.insert(0, {folder!r}); "
)


def cli(folder: str | None = None) -> list[str]:
    """`python -m stockrnn` of this environment, or of the checkout in `folder`."""
    if folder is None:
        return [sys.executable, "-m", "stockrnn"]
    run = "sys.argv[0] = 'stockrnn'; runpy.run_module('stockrnn', run_name='__main__')"
    return [sys.executable, "-c", _BOOT.format(folder=str(Path(folder).resolve())) + run]


def source(folder: str | None = None) -> str:
    """The stockrnn package `cli(folder)` runs; SystemExit when `folder`'s is not the one."""
    code = "import stockrnn; print(stockrnn.__file__)"
    boot = _BOOT.format(folder=str(Path(folder).resolve())) if folder else ""
    out = subprocess.run([sys.executable, "-c", boot + code], check=True, text=True,
                         capture_output=True).stdout.strip()  # fmt: skip
    if folder and not Path(out).resolve().is_relative_to(Path(folder).resolve()):
        raise SystemExit(f"{folder}: stockrnn still comes from {out}")
    return out
