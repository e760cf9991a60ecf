"""SIGTERM as Ctrl-C: raised where the main thread is, and remembered.

Python runs a signal handler between any two bytecodes of the main thread, including inside a
weakref callback or a `__del__`, where an exception is not propagated but printed ("Exception
ignored in ...") and dropped. Torch's autograd runs many such callbacks, so a `kill` during
training was lost that way, with a traceback, and training went on. Here the request is also
recorded: the dropped exception prints nothing (sys.unraisablehook), and the training loop's
`check()` after each batch raises it again where it can propagate.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from stockrnn.common.errors import Terminated

_requested = False


def on_terminate(signum: int, frame: Any) -> None:
    global _requested
    _requested = True
    raise Terminated


def requested() -> bool:
    """Whether SIGTERM came."""
    return _requested


def check() -> None:
    """Raise Terminated if SIGTERM came (a safe point of a long loop)."""
    if _requested:
        raise Terminated


def install() -> None:
    """SIGTERM stops the command as Ctrl-C does (the CLI's entry point calls this)."""
    signal.signal(signal.SIGTERM, on_terminate)
    default = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            return  # a signal that landed in a callback: check() raises it again
        default(unraisable)

    sys.unraisablehook = quiet
