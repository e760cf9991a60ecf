"""The console script answers `--help` and `--version` without typer: the kept text must be
what typer renders, and every other command line must still reach the full app."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stockrnn import __version__
from stockrnn.cli import usage


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stockrnn", *args],
        text=True,
        capture_output=True,
        env={**os.environ, **env},
    )


def _declared_order() -> bool:
    """click 8.2+ lists commands as declared; 8.1 sorts them."""
    return usage.render().index("fetch") < usage.render().index("backtest")


def test_kept_help_is_what_typer_renders_now() -> None:
    live = usage.render()
    if _declared_order():
        assert usage.TEXT == live, "run `python -m stockrnn.cli.usage --write`"
    else:  # the same lines, in click 8.1's sorted order
        assert sorted(usage.TEXT.splitlines()) == sorted(live.splitlines())


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_the_kept_text_without_importing_typer(flag) -> None:
    proc = _run([flag], COLUMNS="120")
    assert proc.returncode == 0
    assert proc.stdout == usage.TEXT
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
    assert "typer" not in imported and "click" not in imported


def test_version_without_typer() -> None:
    proc = _run(["--version"])
    assert proc.returncode == 0 and proc.stdout == f"stockrnn {__version__}\n"
    assert "typer" not in {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}


def test_a_narrow_terminal_gets_typer_wrapping_it() -> None:
    proc = _run(["--help"], COLUMNS="60")
    assert proc.returncode == 0
    assert proc.stdout != usage.TEXT and max(map(len, proc.stdout.splitlines())) <= 58
    assert "typer" in {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}


@pytest.mark.parametrize("args", [["--help", "--version"], ["list", "--help"], ["-hx"]])
def test_other_command_lines_reach_the_app(args) -> None:
    proc = _run(args)
    assert "typer" in {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}


def test_shell_completion_goes_to_typer() -> None:
    proc = _run(
        ["--help"], _STOCKRNN_COMPLETE="complete_bash", COMP_WORDS="stockrnn ", COMP_CWORD="1"
    )
    assert "typer" in {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
    assert proc.stdout != usage.TEXT


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_a_full_output_device_is_exit_11_and_one_line(flag) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "stockrnn", flag], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert proc.returncode == 11
    assert proc.stderr.splitlines() == ["error: cannot write the output: No space left on device"]
