"""torch's threads come from the cores this process may use, shared among the workers that
share them by design (torchrun's local ranks, tune workers running a trial), unless
--threads says otherwise."""

from __future__ import annotations

import os

import pytest
import torch
from helpers.cli import cli_runner

from stockrnn.cli.main import app
from stockrnn.common.errors import UsageError
from stockrnn.model import threads


@pytest.fixture(autouse=True)
def keep_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)


def test_the_affinity_mask_not_the_machine(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert threads.cores() == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # macOS, Windows
    assert threads.cores() == 64


@pytest.mark.parametrize(
    ("given", "sharing", "local", "want"),
    [(None, 1, "1", 4), (None, 2, "1", 2), (None, 1, "2", 2), (None, 3, "2", 1), (3, 4, "4", 3)],
)
def test_the_share(four_cores, monkeypatch, given, sharing, local, want) -> None:
    monkeypatch.setenv("LOCAL_WORLD_SIZE", local)
    assert threads.use(given, sharing) == want
    assert torch.get_num_threads() == want


def test_bad_counts_are_refused(four_cores) -> None:
    for bad in (0, -1, 10**6):
        with pytest.raises(UsageError, match="--threads"):
            threads.use(bad)


def test_threads_option_is_checked_before_any_work(tmp_path) -> None:
    got = cli_runner().invoke(app, ["train", "AAA", "--threads", "0", "--data-dir", str(tmp_path)])
    assert got.exit_code == 2 and "--threads must be between 1 and" in got.stderr


def test_tune_counts_the_trials_running_now() -> None:
    optuna = pytest.importorskip("optuna")
    from stockrnn.tuning.search import running

    study = optuna.create_study()
    first = study.ask()
    assert running(study) == 1
    second = study.ask()  # another worker's trial
    assert running(study) == 2
    study.tell(first, 1.0)
    study.tell(second, 2.0)
    assert running(study) == 1  # never below one: the caller's own
