"""Helpers for tests that run the real CLI in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PAUSING = Path(__file__).with_name("pausing.py")
BARRIER = Path(__file__).with_name("barrier.py")


def pausing(marker: Path) -> list[str]:
    """The launcher that pauses at the first atomic rename (tests/helpers/pausing.py)."""
    return [str(PAUSING), str(marker)]


def barrier(folder: Path, count: int) -> list[str]:
    """The launcher that waits at the first tune trial for `count` processes (barrier.py)."""
    return [str(BARRIER), str(folder), str(count)]


def spawn(args: list[str], cwd: Path, launcher: list[str] | None = None) -> subprocess.Popen[str]:
    """The CLI in a child process, plain (`python -m stockrnn`) or behind a test launcher."""
    launcher = launcher or ["-m", "stockrnn"]
    return subprocess.Popen(
        [sys.executable, *launcher, *args],
        cwd=cwd,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


def interruptible() -> None:
    """In the child: Ctrl-C's default action back. A shell that starts a job in the background
    (`.ci/run &`) ignores SIGINT for it and every child, and Python then installs no
    KeyboardInterrupt handler: the Ctrl-C tests would wait forever on a process that never
    hears the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError("timed out waiting for the write hook")
        time.sleep(0.05)
