"""Live progress on stderr, on a terminal only: epochs and batches for `train`, folds for
`backtest`, trials for `tune`. Off a terminal (logs, CI, pipes) nothing is drawn.

Early stopping ends training long before its most epochs, so the epoch line says where the
patience stands ("epoch 17 · best 15 · patience 2/10") instead of an ETA toward the maximum;
the batch bar, restarted each epoch, keeps its own ETA."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from stockrnn.model.loop import Epoch, FitHooks
from stockrnn.pipelines.backtest import BacktestHooks

REFRESH_S = 0.2  # batch updates closer together than this are skipped (thousands per epoch)


class _Eta(TimeRemainingColumn):
    """ "eta 0:01:02" for the tasks with a known end (batches, folds, trials), nothing for
    the epoch line, whose end early stopping decides."""

    def render(self, task: Task) -> Text:
        if not task.fields.get("eta", True):
            return Text("")
        return Text("eta ") + super().render(task)


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        _Eta(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _hooks(
    bar: Progress, epochs: TaskID, batches: TaskID, patience: int, label: str = ""
) -> FitHooks:
    last = [0.0, 0]  # the last redraw's time, and batch rows done

    def on_epoch(e: Epoch) -> None:
        waited = e.epoch - e.best_epoch
        bar.update(
            epochs,
            description=f"{label}epoch {e.epoch} · best {e.best_epoch} · patience "
            f"{waited}/{patience}",
            info=f"train {e.train_loss:.4f} val {e.val_loss:.4f}",
        )

    def on_batch(done: int, total: int) -> None:
        if done < last[1]:  # a new epoch: restart the bar, its clock and its ETA
            bar.reset(batches, total=total, completed=0)
        last[1] = done
        now = time.monotonic()
        if now - last[0] >= REFRESH_S or done == total:
            last[0] = now
            bar.update(batches, completed=done, total=total)

    return FitHooks(on_epoch=on_epoch, on_batch=on_batch)


@contextmanager
def train_progress(console: Console, patience: int) -> Iterator[FitHooks]:
    """Hooks that show the epoch and patience, and within each epoch a batch bar."""
    with _bar(console) as bar:
        epoch_task = bar.add_task("epoch", total=None, info="", eta=False)
        batch_task = bar.add_task("  batches", total=None, info="")
        yield _hooks(bar, epoch_task, batch_task, patience)


@contextmanager
def backtest_progress(console: Console, patience: int, tickers: str) -> Iterator[BacktestHooks]:
    """Hooks that show the fold being fitted, its epochs and batches."""
    with _bar(console) as bar:
        fold_task = bar.add_task("fold", total=None, info=tickers)
        epoch_task = bar.add_task("  epoch", total=None, info="", eta=False)
        batch_task = bar.add_task("  batches", total=None, info="")
        fit = _hooks(bar, epoch_task, batch_task, patience, "  ")
        fit.keep_on_interrupt = False

        def on_fold(k: int, n: int) -> None:
            bar.update(fold_task, completed=k - 1, total=n, description=f"fold {k}/{n}")
            bar.reset(epoch_task, total=None, description="  epoch")

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
