"""Live progress on stderr, on a terminal only: epochs and batches for `train`, folds for
`backtest`. Off a terminal (logs, CI, pipes) nothing is drawn."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from stockrnn.model.loop import Epoch, FitHooks
from stockrnn.pipelines.backtest import BacktestHooks

REFRESH_S = 0.2  # batch updates closer together than this are skipped (thousands per epoch)


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _hooks(bar: Progress, epochs: TaskID, batches: TaskID, label: str = "") -> FitHooks:
    last = [0.0]

    def on_epoch(e: Epoch) -> None:
        bar.update(
            epochs,
            completed=e.epoch,
            description=f"{label}epoch {e.epoch}",
            info=f"train {e.train_loss:.4f} val {e.val_loss:.4f} best@{e.best_epoch}",
        )

    def on_batch(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= REFRESH_S or done == total:
            last[0] = now
            bar.update(batches, completed=done, total=total)

    return FitHooks(on_epoch=on_epoch, on_batch=on_batch)


@contextmanager
def train_progress(console: Console, epochs: int) -> Iterator[FitHooks]:
    """Hooks that advance an epoch bar and, within each epoch, a batch bar."""
    with _bar(console) as bar:
        epoch_task = bar.add_task("epoch", total=epochs, info="")
        batch_task = bar.add_task("  batches", total=None, info="")
        yield _hooks(bar, epoch_task, batch_task)


@contextmanager
def backtest_progress(console: Console, epochs: int, tickers: str) -> Iterator[BacktestHooks]:
    """Hooks that show the fold being fitted, its epochs and batches."""
    with _bar(console) as bar:
        fold_task = bar.add_task("fold", total=None, info=tickers)
        epoch_task = bar.add_task("  epoch", total=epochs, info="")
        batch_task = bar.add_task("  batches", total=None, info="")
        fit = _hooks(bar, epoch_task, batch_task, "  ")
        fit.keep_on_interrupt = False

        def on_fold(k: int, n: int) -> None:
            bar.update(fold_task, completed=k - 1, total=n, description=f"fold {k}/{n}")
            bar.reset(epoch_task, total=epochs)

        yield BacktestHooks(on_fold=on_fold, fit=fit)


@contextmanager
def tune_progress(
    console: Console, trials: int
) -> Iterator[Callable[[int, int, float | None], None]]:
    """A callback that shows trials done and the best value so far."""
    with _bar(console) as bar:
        task = bar.add_task("trials", total=trials, info="")

        def on_trial(done: int, goal: int, best: float | None) -> None:
            best_text = "-" if best is None else f"{best:.4f}"
            bar.update(task, completed=done, total=goal, info=f"best rel. MAE {best_text}")

        yield on_trial
