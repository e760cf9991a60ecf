"""Helpers for tests that run the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PAUSING = Path(__file__).with_name("pausing.py")


def spawn(args: list[str], cwd: Path, pause_marker: Path | None = None) -> subprocess.Popen[str]:
    launcher = ["-m", "stockrnn"] if pause_marker is None else [str(PAUSING), str(pause_marker)]
    return subprocess.Popen(
        [sys.executable, *launcher, *args],
        cwd=cwd,
        env={**os.environ},
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
