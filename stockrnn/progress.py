"""The live training display: epoch, losses, best epoch, elapsed and ETA (on stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from stockrnn.train import Epoch


@contextmanager
def epoch_progress(console: Console, epochs: int) -> Iterator[Callable[[Epoch], None]]:
    """Yield a callback that advances the bar once per epoch."""
    columns = (
        TextColumn("epoch {task.completed}/{task.total}"),
        BarColumn(),
        TextColumn("{task.fields[losses]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    live = console.is_terminal  # off a terminal (logs, CI) the bar would only add blank lines
    with Progress(*columns, console=console, transient=True, disable=not live) as bar:
        task = bar.add_task("train", total=epochs, losses="")

        def update(e: Epoch) -> None:
            bar.update(
                task,
                completed=e.epoch,
                losses=f"train {e.train_loss:.4f} val {e.val_loss:.4f} best@{e.best_epoch}",
            )

        yield update
