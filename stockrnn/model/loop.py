"""The training loop: Adam on MSE, shuffled mini-batches, early stopping on validation loss."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from stockrnn.common import collector, stopping
from stockrnn.common.choices import Precision
from stockrnn.common.errors import DivergedError, UsageError
from stockrnn.dataset.config import Part
from stockrnn.dataset.sampling import Samples
from stockrnn.model import adam, cuda_graph, ddp
from stockrnn.model.config import TrainConfig
from stockrnn.model.ddp import TrainingGroup
from stockrnn.model.steps import Stepper
from stockrnn.model.windows import Windows, predict_rows


@dataclass(kw_only=True)
class FitHooks:
    """Progress callbacks, and what Ctrl-C means (keep the best epoch, or abort)."""

    on_epoch: Callable[[Epoch], None] = lambda _: None
    on_batch: Callable[[int, int], None] = lambda done, total: None
    keep_on_interrupt: bool = True


@dataclass(frozen=True, kw_only=True)
class Epoch:
    """One epoch's report, handed to the progress display."""

    epoch: int
    train_loss: float
    val_loss: float
    best_epoch: int
    seconds: float  # the training pass over the train windows
    val_seconds: float  # the validation pass that follows it


@dataclass(kw_only=True)
class FitResult:
    """How training went; filled in epoch by epoch."""

    best_epoch: int = 0
    best_val: float = math.inf
    history: list[Epoch] = field(default_factory=list)
    interrupted: bool = False
    samples_seen: int = 0


def check_device(cfg: TrainConfig) -> torch.device:
    """The device `cfg` trains on, refused before any work when it lacks what cfg asks."""
    device = resolve_device(cfg.device)  # --device cuda without one fails up front
    if device.type != "cuda":
        if cfg.cuda_graphs:
            raise UsageError(f"--cuda-graphs needs CUDA; this run is on {device.type}")
        if cfg.precision != Precision.fp32:
            raise UsageError(f"--precision {cfg.precision} needs CUDA; CPU trains in fp32")
    return device


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device is available (use --device cpu)")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _val_loss(
    model: nn.Module, windows: Windows, rows: np.ndarray, group: TrainingGroup | None = None
) -> float:
    """Mean squared error over the validation rows; under DDP each rank scores its share and
    the sums are all-reduced, so every rank gets the same value and stops on the same epoch."""
    if group is not None:
        rows = group.shard(rows)
    pred = predict_rows(model, windows, rows)
    target = windows.targets(torch.from_numpy(rows).to(windows.device)).cpu().numpy()
    if group is None:
        return float(np.mean((pred - target) ** 2))
    sums = torch.tensor([float(np.sum((pred - target) ** 2, dtype=np.float64)), target.size])
    total = group.sum(sums.double())
    return float(total[0] / total[1])


def _finite(loss: float, what: str, epoch: int, cfg: TrainConfig) -> float:
    if not math.isfinite(loss):
        raise DivergedError(
            f"training diverged: the {what} loss is {loss} at epoch {epoch} "
            f"(--lr {cfg.lr:g}); try a lower --lr"
        )
    return loss


def _train_pass(
    step: Stepper,
    order: torch.Tensor,
    batch_size: int,
    on_batch: Callable[[int, int], None],
) -> float:
    """One epoch over the target rows in `order`, in global batches; the mean training loss
    over every row (all-reduced under torchrun)."""
    total = torch.zeros((), device=order.device)
    for i in range(0, len(order), batch_size):
        rows = order[i : i + batch_size]
        total += step(rows)
        stopping.check()  # a SIGTERM its exception could not carry out of a callback
        on_batch(i + len(rows), len(order))
    if step.group is not None:
        total = step.group.sum(total)
    return float(total) / len(order)


def _stopped(exc: BaseException, group: TrainingGroup | None, can_keep: bool) -> None:
    """Return if training may stop here and keep its best epoch (Ctrl-C, or under torchrun
    the other ranks gone because a Ctrl-C reached them first); otherwise raise."""
    if isinstance(exc, KeyboardInterrupt):
        if can_keep:
            return
        raise exc
    if group is None:
        raise exc
    if can_keep and ddp.interrupted():
        return
    raise ddp.peer_lost_error(exc) from exc


def fit(
    model: nn.Module,
    samples: Samples,
    cfg: TrainConfig,
    device: torch.device,
    *,
    hooks: FitHooks | None = None,
    group: TrainingGroup | None = None,
) -> FitResult:
    """Train in place and restore the best weights.

    Ctrl-C after an epoch has finished stops early and keeps the best weights when
    `hooks.keep_on_interrupt` (what `train` wants); otherwise it propagates (what `backtest`
    wants: a fold cut short must not be scored). With `group` (torchrun), the model trains
    data-parallel; `batch_size` stays the global batch, split into rank shards, so the steps
    equal one process's.
    """
    hooks = hooks or FitHooks()
    windows = Windows(samples, device)
    train_rows = torch.from_numpy(samples.targets[Part.train]).to(device)
    val_rows = samples.targets[Part.val]
    net = ddp.wrap(model, device) if group is not None else model
    graphs = cuda_graph.graphs_enabled(device, cfg.cuda_graphs, group is not None)
    # CPU: an Adam that never imports torch._dynamo (adam.py); CUDA: torch's fused Adam,
    # capturable (its step count on the GPU) when a CUDA graph replays it
    optimizer = adam.for_device(model, device, cfg.lr, capturable=graphs)
    step = Stepper(net, windows, optimizer, group, bf16=cfg.precision == Precision.bf16)
    if graphs and len(train_rows) >= cfg.batch_size:
        step.capture(model, train_rows[: cfg.batch_size])
    shuffle = torch.Generator().manual_seed(cfg.seed)
    masks = torch.Generator().manual_seed(cfg.seed + 1)  # the same on every torchrun rank
    result = FitResult()
    collector.resume()  # what training needs is loaded: collect cycles again
    best_state = copy.deepcopy(model.state_dict())
    model.train()
    try:
        for epoch in range(1, cfg.epochs + 1):
            start = time.perf_counter()
            windows.redraw(masks)
            order = train_rows[torch.randperm(len(train_rows), generator=shuffle).to(device)]
            mean = _train_pass(step, order, cfg.batch_size, hooks.on_batch)
            result.samples_seen += len(order)
            train_loss = _finite(mean, "training", epoch, cfg)
            trained = time.perf_counter()
            val_loss = _val_loss(model, windows, val_rows, group)
            val_loss = _finite(val_loss, "validation", epoch, cfg)
            if val_loss < result.best_val:
                result.best_val, result.best_epoch = val_loss, epoch
                best_state = copy.deepcopy(model.state_dict())
            result.history.append(
                Epoch(
                    epoch=epoch,
                    train_loss=train_loss,
                    val_loss=val_loss,
                    best_epoch=result.best_epoch,
                    seconds=trained - start,
                    val_seconds=time.perf_counter() - trained,
                )
            )
            hooks.on_epoch(result.history[-1])
            if epoch - result.best_epoch >= cfg.patience:
                break
    except (KeyboardInterrupt, RuntimeError, torch.distributed.DistError) as exc:
        _stopped(exc, group, hooks.keep_on_interrupt and result.best_epoch > 0)
        result.interrupted = True
    model.load_state_dict(best_state)  # copies into the same storage: still one chunk
    cuda_graph.flatten_rnn_weights(model)
    model.eval()
    return result
