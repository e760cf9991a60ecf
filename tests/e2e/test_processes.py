"""A process that dies leaves nothing behind, and nothing lives on after it: workers die with
their launcher, a killed save's leftovers are swept, links are refused before training, a
failed save takes back what it wrote, SIGTERM is a clean stop, and `models rm` never loses a
model it could not delete."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv
from helpers.processes import interruptible, spawn
from helpers.requests import tiny_request

from stockrnn.checkpoint import store, weights
from stockrnn.cli.main import build
from stockrnn.common import atomic
from stockrnn.common.errors import EXIT_TERMINATED, DistributedError, StorageError, UsageError
from stockrnn.model import torchrun
from stockrnn.pipelines import fitting, train


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    return tmp_path


def _dead_pid() -> int:
    return int(
        subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_workers_die_with_a_killed_launcher_and_write_nothing(ws: Path) -> None:
    argv = train_argv(ws / "data", ws / "models", "--nproc", "2", "--name", "orphan")
    argv += ["--epochs", "100000", "--patience", "100000"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "stockrnn", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(5)  # into training
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers), "a worker outlived its launcher"
    assert not (ws / "models" / "orphan").exists()


def test_a_run_whose_launcher_has_gone_saves_nothing(ws: Path, monkeypatch) -> None:
    monkeypatch.setattr(torchrun, "launcher_alive", lambda: False)
    with pytest.raises(DistributedError, match="launcher of this training has gone"):
        train.run(tiny_request(ws, epochs=1))
    assert not (ws / "models" / "m").exists()


def test_next_save_sweeps_a_killed_saves_leftovers(ws: Path) -> None:
    train.run(tiny_request(ws, epochs=1))
    folder = ws / "models" / "m"
    dead = _dead_pid()
    left = [
        folder / f".meta.json.tmp-{dead}",
        folder / f".weights-0123456789ab.safetensors.tmp-{dead}",
        folder / "weights-0123456789ab.safetensors",  # written, but meta.json never named it
    ]
    for path in left:
        path.write_bytes(b"half")
    live = folder / ".meta.json.tmp-1"  # pid 1 runs: not a leftover
    live.write_bytes(b"busy")
    train.run(tiny_request(ws, epochs=1, overwrite=True))
    assert not any(p.exists() for p in left) and live.exists()
    live.unlink()
    store.remove(ws / "models", "m")  # rm and mv sweep too, under the same lock
    assert not folder.exists()


def test_a_linked_meta_json_is_refused_before_training(ws: Path, monkeypatch) -> None:
    train.run(tiny_request(ws, epochs=1))
    outside = ws / "outside.json"
    meta = ws / "models" / "m" / "meta.json"
    shutil.move(meta, outside)
    os.symlink(outside, meta)
    before = outside.read_bytes()

    def never(*a, **k):
        raise AssertionError("trained before checking the link")

    monkeypatch.setattr(fitting, "fit_series", never)
    with pytest.raises(StorageError, match="link"):
        train.run(tiny_request(ws, epochs=1, overwrite=True))
    assert outside.read_bytes() == before


def test_a_failed_meta_write_takes_back_the_new_weights(ws: Path, monkeypatch) -> None:
    train.run(tiny_request(ws, epochs=1))
    folder = ws / "models" / "m"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real = atomic.write_bytes

    def full_disk(path: Path, data: bytes) -> None:
        if path.name == "meta.json":
            raise StorageError(f"cannot write {path}: no space left on device")
        real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", full_disk)
    with pytest.raises(StorageError, match="no space"):
        train.run(tiny_request(ws, epochs=2, overwrite=True, seed=9))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    weights.load(ws / "models", "m")


def test_rm_that_cannot_delete_puts_the_model_back(ws: Path, monkeypatch) -> None:
    train.run(tiny_request(ws, epochs=1))

    def stuck(path, *a, **k):
        raise PermissionError(13, "Permission denied", str(Path(path) / "meta.json"))

    monkeypatch.setattr(shutil, "rmtree", stuck)
    result = cli_runner().invoke(build(), ["models", "rm", "m", "--models-dir", str(ws / "models")])
    assert result.exit_code == StorageError.exit_code
    assert "back under its name" in result.stderr
    assert [p.name for p in (ws / "models").iterdir() if not p.name.startswith(".m.lock")] == ["m"]
    weights.load(ws / "models", "m")


def test_mv_onto_itself_or_a_file_is_refused_at_once(ws: Path) -> None:
    train.run(tiny_request(ws, epochs=1))
    (ws / "models" / "notes.txt").write_text("mine")
    runner, models = cli_runner(), ["--models-dir", str(ws / "models")]
    start = time.monotonic()
    same = runner.invoke(build(), ["models", "mv", "m", "m", *models])
    assert same.exit_code == UsageError.exit_code and "already has that name" in same.stderr
    assert time.monotonic() - start < 10  # not the lock's 120 s timeout
    onto = runner.invoke(build(), ["models", "mv", "m", "notes.txt", *models])
    assert onto.exit_code == UsageError.exit_code
    assert "a file or folder of that name" in onto.stderr
    assert (ws / "models" / "notes.txt").read_text() == "mine"


@pytest.mark.slow
def test_sigterm_is_a_clean_stop(ws: Path) -> None:
    """What `kill`, systemd and CI send: one line, exit 143, nothing half-written."""
    out = ws / "forecasts.csv"
    argv = ["backtest", "AAA", "--folds", "3", "--epochs", "100000", "--patience", "100000"]
    argv += ["--window", "10", "--hidden", "8", "--predictions-out", str(out)]
    argv += ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    proc = spawn(argv, ws)
    time.sleep(8)
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_TERMINATED, err
    assert "terminated" in err and "Traceback" not in err
    assert not out.exists() and not [p for p in ws.rglob("*") if ".tmp-" in p.name]
    assert json.loads((ws / "data" / "AAA.json").read_text())["symbol"] == "AAA"
