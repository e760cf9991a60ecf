"""The cycle collector, paused while a command loads its libraries.

Importing torch and pandas leaves some 350,000 long-lived objects, and CPython's full
collections walk every one of them: the peer harness's `train` spent 0.77 s collecting (four
full collections) and its `fetch --csv` 0.16 s, against 0.002 s and 0.001 s paused
(bench/collector.py; docs/performance.md, "The cycle collector, and the exit"). The console
script pauses the collector before anything loads (cli.entry), unless the interpreter lives on
after the command (a REPL, a Jupyter kernel). The commands that work for long resume it once
their libraries are in: training at its first epoch (model.loop), each tune trial, a fetch once
its first ticker is stored, predict and a saved-model backtest after their first forecast, and
the torchrun launcher before it waits on its workers. gc.freeze() sets aside what exists then:
later collections skip it, and the cycles the work itself makes are still collected; what was
already garbage at that moment (a few thousand import-time objects) stays. The short commands
(list, models, workspace) end paused; their garbage is bounded by what they read.
"""

from __future__ import annotations

import gc
import sys

_PAUSED: list[bool] = []  # holds one entry while paused; list.pop is atomic across threads


def interactive() -> bool:
    """An interpreter that lives on after the command (a Jupyter kernel, a REPL)."""
    return hasattr(sys, "ps1") or "ipykernel" in sys.modules or sys.flags.interactive > 0


def pause() -> None:
    """Stop collecting until resume(): only the console script does this, never the library,
    and not in an interpreter that outlives the command."""
    if gc.isenabled() and not interactive() and not _PAUSED:
        gc.disable()
        _PAUSED.append(True)


def resume() -> None:
    """Collect again, leaving what was loaded so far out of every later collection (once,
    whichever thread gets here first). Called per ticker: after the first, a list check."""
    if not _PAUSED:
        return
    try:
        _PAUSED.pop()
    except IndexError:
        return
    gc.freeze()
    gc.enable()
