"""torchrun DDP training (`train --nproc 2`, gloo on CPU): the same epochs and checkpoint as
one process, one clear failure when a process dies, and Ctrl-C keeping the best epoch."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.processes import interruptible

from stockrnn.checkpoint import store, weights
from stockrnn.common.errors import EXIT_INTERRUPTED

SITE = Path(__file__).parents[1] / "helpers" / "ddp_site"


def _cmd(ws: Path, name: str, nproc: int, epochs: int = 4) -> list[str]:
    return [
        *(sys.executable, "-m", "stockrnn", "train", "--json", "--name", name),
        *("--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")),
        *("--window", "10", "--hidden", "8", "--epochs", str(epochs), "--patience", "50"),
        *("--batch-size", "31", "--nproc", str(nproc), "--seed", "3"),
    ]


def _env(mode: str = "") -> dict[str, str]:
    path = os.pathsep.join([str(SITE), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "STOCKRNN_TEST_DDP": mode}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    cache_bars(tmp_path / "data", "BBB", make_bars(280, seed=2, price=30))
    return tmp_path


@pytest.mark.slow
def test_two_processes_train_as_one(ws: Path) -> None:
    """Same seed and global batch (31: shards of 16 and 15, a short last batch): every
    epoch's training and validation loss, the stopping epoch and the checkpoint agree."""
    runs = {}
    for n in (1, 2):
        got = subprocess.run(_cmd(ws, f"p{n}", n), env=_env(), capture_output=True, text=True)
        assert got.returncode == 0, got.stderr
        runs[n] = json.loads(got.stdout)["meta"]
    one, two = runs[1], runs[2]
    np.testing.assert_allclose(two["fit"]["train_loss"], one["fit"]["train_loss"], rtol=1e-5)
    np.testing.assert_allclose(two["fit"]["val_loss"], one["fit"]["val_loss"], rtol=1e-5)
    assert len(one["fit"]["train_loss"]) == 4
    for key in ("best_epoch", "epochs_run", "samples_seen"):
        assert two["fit"][key] == one["fit"][key]
    assert two["scaler"] == one["scaler"] and two["split"] == one["split"]
    assert two["samples"] == one["samples"]
    w1 = weights.read_weights(ws / "models", store.read_meta(ws / "models", "p1"))
    w2 = weights.read_weights(ws / "models", store.read_meta(ws / "models", "p2"))
    for key, value in w1.items():
        np.testing.assert_allclose(w2[key].numpy(), value.numpy(), atol=1e-5, rtol=1e-4)
    rel = [m["overall"]["model"]["rel_mae"] for m in (one["metrics"], two["metrics"])]
    assert rel[1] == pytest.approx(rel[0], rel=1e-4)


@pytest.mark.slow
def test_a_dead_process_ends_all_with_one_clear_error(ws: Path) -> None:
    start = time.monotonic()
    got = subprocess.run(
        _cmd(ws, "dead", 2, epochs=6), env=_env("die:1:2"), capture_output=True, text=True
    )
    assert time.monotonic() - start < 90  # ended, not hung on the lost rank
    assert got.returncode == 7, got.stderr
    assert "error: training process 1 of 2 failed (exit code 7)" in got.stderr
    assert "Traceback" not in got.stderr
    assert not (ws / "models" / "dead").exists()


@pytest.mark.slow
def test_ctrl_c_on_the_launcher_keeps_the_best_epoch(ws: Path, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    proc = subprocess.Popen(
        _cmd(ws, "cut", 2, epochs=500),
        env=_env(f"mark:{marks}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 90
    # epoch-N is touched after epoch N's training pass, before its validation is recorded:
    # wait for epoch 4's, so epoch 3 is surely complete when the Ctrl-C lands
    while not (marks / "epoch-4").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # what a terminal's Ctrl-C sends the launcher
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == EXIT_INTERRUPTED, err
    meta = store.read_meta(ws / "models", "cut")
    assert meta.fit.interrupted and 3 <= meta.fit.epochs_run < 500
    assert "Traceback" not in err


def test_each_rank_draws_its_own_dropout() -> None:
    """Rank 0 keeps one process's dropout stream; every other rank gets its own, so ranks do
    not drop the same units of their different rows."""
    import torch

    from stockrnn.model import ddp

    def masks(rank: int) -> torch.Tensor:
        torch.manual_seed(7)
        group = ddp.TrainingGroup(rank, 2, rank, torch.device("cpu"))
        ddp.seed_rank(7, group)
        return torch.nn.functional.dropout(torch.ones(1000), 0.5)

    torch.manual_seed(7)
    alone = torch.nn.functional.dropout(torch.ones(1000), 0.5)
    assert torch.equal(masks(0), alone) and not torch.equal(masks(1), alone)
