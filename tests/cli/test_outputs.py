"""An output file the user names never lands on the workspace's own files: a path (or a link)
inside the data or models folder is refused before any work, and nothing there changes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv

from stockrnn.cli.main import build
from stockrnn.common.errors import UsageError


def _digests(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    cache_bars(root / "data", "SPY", make_bars(160, seed=3))
    result = cli_runner().invoke(build(), train_argv(root / "data", root / "models", "SPY"))
    assert result.exit_code == 0, result.output
    return root


def _cases(ws: Path) -> dict[str, list[str]]:
    data, models = ws / "data", ws / "models"
    folders = ["--data-dir", str(data), "--models-dir", str(models)]
    return {
        "train --timings onto a manifest": train_argv(
            data, models, "SPY", "--name", "other", "--timings", str(data / "SPY.json")
        ),
        "train --predictions-out onto the bars": train_argv(
            data, models, "SPY", "--name", "other", "--predictions-out", str(data / "SPY.csv")
        ),
        "backtest --predictions-out onto the bars": [
            "backtest", "SPY", "--model", "default", "--predictions-out", str(data / "SPY.csv"),
            *folders,
        ],
        "backtest --plot-file into models": [
            "backtest", "SPY", "--model", "default", "--plot-file", str(models / "x.png"),
            *folders,
        ],
        "predict --plot-file onto a checkpoint": [
            "predict", "SPY", "--plot-file", str(models / "default" / "meta.json"), *folders,
        ],
        "predict --plot-file through a link": [
            "predict", "SPY", "--plot-file", str(ws / "chart.png"), *folders,
        ],
    }  # fmt: skip


CASES = [
    "train --timings onto a manifest",
    "train --predictions-out onto the bars",
    "backtest --predictions-out onto the bars",
    "backtest --plot-file into models",
    "predict --plot-file onto a checkpoint",
    "predict --plot-file through a link",
]


@pytest.mark.parametrize("case", CASES)
def test_output_inside_the_workspace_is_refused(ws, case) -> None:
    link = ws / "chart.png"
    if not link.is_symlink():
        os.symlink(ws / "data" / "SPY.csv", link)
    before = _digests(ws / "data", ws / "models")
    result = cli_runner().invoke(build(), _cases(ws)[case])
    assert result.exit_code == UsageError.exit_code, result.output
    assert "holds stockrnn's own files" in result.stderr
    assert _digests(ws / "data", ws / "models") == before
    assert not (ws / "models" / "other").exists()  # refused before training
