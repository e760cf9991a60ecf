"""The cycle collector, paused while a command loads its libraries.

Importing torch and pandas leaves some 350,000 long-lived objects, and CPython's full
collections walk every one of them: the peer harness's `train` spent 0.75 s collecting (0.52 s
in four full collections) and its `fetch --csv` 0.27 s, against 0.01 s and 0.001 s paused
(timed with gc.callbacks; docs/performance.md). The
console script pauses the collector before anything loads (cli.entry); the long commands resume
it once their libraries are in: training at its first epoch (model.loop), fetch once its first
ticker is stored (data.fetch_many), predict after its first forecast (pipelines.predict).
gc.freeze() sets aside what exists then, so later collections skip it, while the cycles the
work itself makes are still collected. The short commands (list, models) end before they
would need it.
"""

from __future__ import annotations

import gc

_PAUSED = [False]


def pause() -> None:
    """Stop collecting until resume(): only the console script does this, never the library."""
    if gc.isenabled():
        gc.disable()
        _PAUSED[0] = True


def resume() -> None:
    """Collect again, leaving what was loaded so far out of every later collection."""
    if _PAUSED[0]:
        _PAUSED[0] = False
        gc.freeze()
        gc.enable()
