"""Driving the command line in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def cli_runner() -> Any:
    """Typer's CliRunner with stderr kept apart: click 8.2+ does that by default, click 8.1
    (the oldest we test, with typer 0.12) needs mix_stderr=False."""
    from typer.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def train_argv(
    data: Path, models: Path, *extra: str, window: int = 5, epochs: int = 1, hidden: int = 4
) -> list[str]:
    """A small `stockrnn train` command line over the given folders."""
    return [
        "train",
        *("--data-dir", str(data), "--models-dir", str(models)),
        *("--window", str(window), "--epochs", str(epochs), "--hidden", str(hidden)),
        *extra,
    ]
