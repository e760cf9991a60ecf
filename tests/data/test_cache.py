"""The data cache: a manifest is checked whole like a checkpoint (a bad one is an unreadable
ticker, the others still listed), and a save sweeps what a killed save of the ticker left."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import build
from stockrnn.common.errors import DataError
from stockrnn.data import cache, inventory, manifests
from stockrnn.pipelines import train

BAD = {
    "last_date not a date": ("last_date", "soon"),
    "last_date year 20000": ("last_date", "20000-01-01"),
    "symbol not a string": ("symbol", 42),
    "symbol a path": ("symbol", "../../etc/passwd"),
    "source null": ("source", None),
    "rows negative": ("rows", -3),
    "sha256 not a digest": ("sha256", "abc"),
}


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    cache_bars(folder, "AAA", make_bars(120, seed=1))
    cache_bars(folder, "BBB", make_bars(120, seed=2))
    return folder


def _edit(folder, symbol, field, value) -> None:
    path = folder / f"{symbol}.json"
    manifest = json.loads(path.read_text())
    manifest[field] = value
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("case", list(BAD))
def test_bad_manifest_is_one_unreadable_row(data, case) -> None:
    _edit(data, "BBB", *BAD[case])
    with pytest.raises(DataError) as info:
        cache.load(data, "BBB")
    assert "\n" not in str(info.value)
    rows = inventory.list_cached(data)
    assert [(r.symbol, r.error is None) for r in rows] == [("AAA", True), ("BBB", False)]


def test_list_and_predict_survive_a_bad_manifest(data, tmp_path) -> None:
    train.run(tiny_request(tmp_path, tickers=("AAA", "BBB"), epochs=1))
    _edit(data, "BBB", "source", None)
    runner = cli_runner()
    listed = runner.invoke(build(), ["list", "--data-dir", str(data)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "Traceback" not in listed.output
    assert "AAA" in listed.stdout and "unreadable" in listed.stdout
    told = runner.invoke(
        build(),
        [
            "predict",
            "BBB",
            "--data-dir",
            str(data),
            "--models-dir",
            str(tmp_path / "models"),
            "--model",
            "m",
        ],
    )
    assert told.exit_code == DataError.exit_code
    assert "BBB.json: field 'source'" in told.stderr and "Traceback" not in told.stderr


def test_save_sweeps_a_killed_saves_temp_files(data) -> None:
    """kill -9 between writing the temp files and renaming them leaves `.T.csv.tmp-PID`;
    the next save of that ticker (under its lock) removes those of dead processes only."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    left = [data / f".AAA.csv.tmp-{dead}", data / f".AAA.json.tmp-{dead}"]
    alive = data / f".AAA.csv.tmp-{1}"  # pid 1 is always running
    other = data / f".BBB.csv.tmp-{dead}"  # another ticker's, under another lock
    for path in [*left, alive, other]:
        path.write_text("half")
    cache_bars(data, "AAA", make_bars(121, seed=1))
    assert not any(p.exists() for p in left)
    assert alive.exists() and other.exists()


def test_a_fifo_for_a_cached_csv_is_refused_not_waited_on(tmp_path) -> None:
    import os

    cache_bars(tmp_path, "AAA", make_bars(30, start="2024-01-02"))
    csv = manifests.csv_path(tmp_path, "AAA")
    csv.unlink()
    os.mkfifo(csv)  # no writer: a blocking read would wait forever
    with pytest.raises(DataError, match="cannot read"):
        cache.load(tmp_path, "AAA")
