"""Helpers for tests that run the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from stockrnn.atomic import PAUSE_ENV


def spawn(args: list[str], cwd: Path, pause_marker: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ}
    if pause_marker is not None:
        env[PAUSE_ENV] = str(pause_marker)
    return subprocess.Popen(
        [sys.executable, "-m", "stockrnn", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError("timed out waiting for the write hook")
        time.sleep(0.05)
