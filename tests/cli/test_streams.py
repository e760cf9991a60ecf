"""Streams, terminals and environments: closed or full output streams end with the documented
exit code and a line where one can be written; a narrow terminal never cuts a number; torchrun's
variables are checked once, in one clear line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import build
from stockrnn.common.errors import StorageError, UsageError
from stockrnn.pipelines import train


def _run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stockrnn", *args], text=True, capture_output=True, **kw
    )


def _closed(fd: int):
    return lambda: os.close(fd)


@pytest.mark.parametrize("args", [["--help"], ["list", "--data-dir", "nowhere"], ["--version"]])
def test_closed_stdout_is_exit_11_and_one_line(args) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stockrnn", *args],
        stdout=None,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_closed(1),
    )
    if args[0] == "list":  # nothing to print on stdout: its own message, on stderr
        assert proc.returncode == 0 and "no cached data" in proc.stderr
        return
    assert proc.returncode == StorageError.exit_code, proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot write the output" in proc.stderr


def test_stdout_on_a_full_device_is_exit_11() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "stockrnn", "--help"], stdout=full, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
    assert proc.returncode == StorageError.exit_code, proc.stderr
    assert "Traceback" not in proc.stderr and "cannot write the output" in proc.stderr


def test_closed_stderr_keeps_the_exit_code() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stockrnn", "predict", "AAA", "--data-dir", "nowhere"],
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        preexec_fn=_closed(2),
    )
    assert proc.returncode not in (0, 1) and proc.stdout == ""


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"WORLD_SIZE": "junk"}, "WORLD_SIZE"),
        ({"WORLD_SIZE": "2", "RANK": "1"}, "not started by torchrun"),
        ({"WORLD_SIZE": "2", "RANK": "5", "MASTER_ADDR": "x"}, "RANK=5"),
        ({"LOCAL_RANK": "-1"}, "LOCAL_RANK"),
        ({"STOCKRNN_DIST_TIMEOUT": "junk"}, "STOCKRNN_DIST_TIMEOUT"),
        ({"STOCKRNN_DIST_TIMEOUT": "nan"}, "STOCKRNN_DIST_TIMEOUT"),
        ({"STOCKRNN_DIST_TIMEOUT": "inf"}, "STOCKRNN_DIST_TIMEOUT"),
        ({"STOCKRNN_DIST_TIMEOUT": "-5"}, "STOCKRNN_DIST_TIMEOUT"),
    ],
)
def test_torchrun_variables_are_checked_in_one_line(env, says, tmp_path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    proc = _run(["list", "--data-dir", str(tmp_path)], env={**clean, **env})
    assert proc.returncode == UsageError.exit_code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], proc.stderr


@pytest.fixture(scope="module")
def forecasts(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    cache_bars(ws / "data", "AAA", make_bars(200, seed=1, price=1234.5678))
    train.run(tiny_request(ws, name="a-model-with-a-long-name", epochs=1))
    folders = ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    args = ["predict", "AAA", "--model", "a-model-with-a-long-name", "--days", "3", *folders]
    rows = json.loads(cli_runner().invoke(build(), [*args, "--json"]).stdout)
    return ws, args, rows


@pytest.mark.parametrize("columns", [20, 30, 40, 60, 80, 120])
def test_a_narrow_terminal_never_cuts_a_number(forecasts, columns) -> None:
    ws, args, rows = forecasts
    result = cli_runner().invoke(build(), args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns
    shown = set(re.findall(r"[-+]?[\d,]+\.\d\d", out))
    for row in rows:  # the close and its interval, whole, whatever the width
        for key in ("close", "lo-80", "hi-80"):
            assert f"{row[key]:,.2f}" in shown, (key, columns, out)
    listed = cli_runner().invoke(
        build(), ["models", "--models-dir", str(ws / "models")], env={"COLUMNS": str(columns)}
    )
    assert listed.exit_code == 0 and "…" not in listed.stdout
    assert "a-model-with-a-long-name" in re.sub(r"\s", "", listed.stdout)
