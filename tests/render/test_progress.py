"""What the terminal shows while training: the batch bar restarts each epoch (its clock and
ETA too), and the epoch line says where early stopping stands instead of an ETA toward the
most epochs, which early stopping never reaches."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from stockrnn.model.loop import Epoch
from stockrnn.render import progress


@pytest.fixture
def shown(monkeypatch):
    """train_progress on a recording terminal console, with its Progress kept for checks."""
    bars = []
    real = progress._bar

    def keep(console):
        bars.append(real(console))
        return bars[-1]

    monkeypatch.setattr(progress, "_bar", keep)
    monkeypatch.setattr(progress, "REFRESH_S", 0.0)
    console = Console(file=io.StringIO(), force_terminal=True, width=120, record=True)
    return console, bars


def _epoch(n: int, best: int) -> Epoch:
    return Epoch(epoch=n, train_loss=0.5, val_loss=0.4, best_epoch=best, seconds=1, val_seconds=0)


def test_the_batch_bar_restarts_every_epoch(shown) -> None:
    console, bars = shown
    with progress.train_progress(console, patience=10) as hooks:
        bar = bars[0]
        epochs, batches = bar.tasks
        for done in range(1, 11):
            hooks.on_batch(done, 10)
        hooks.on_epoch(_epoch(1, 1))
        assert bar.tasks[1].finished  # epoch 1 done: its bar is full
        hooks.on_batch(3, 10)
        task = bar.tasks[1]
        assert task.completed == 3 and not task.finished
        assert task.finished_time is None  # rich keeps it across `completed = 0` otherwise
        assert task.time_remaining is None or task.time_remaining > 0


def test_the_epoch_line_shows_patience_not_an_eta(shown) -> None:
    console, bars = shown
    with progress.train_progress(console, patience=10) as hooks:
        hooks.on_epoch(_epoch(17, 15))
        bars[0].refresh()
        epoch_task = bars[0].tasks[0]
        assert epoch_task.description == "epoch 17 · best 15 · patience 2/10"
        row = progress._Eta().render(epoch_task)
        assert row.plain == ""  # no ETA toward the maximum
        assert progress._Eta().render(bars[0].tasks[1]).plain.startswith("eta ")
    assert "patience 2/10" in console.export_text()
