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

from stockrnn.choices import Device, check
from stockrnn.dataset import Samples
from stockrnn.errors import DivergedError, UsageError

MAX_SEED = 2**32 - 1  # numpy's and every torch generator's common range


@dataclass
class TrainConfig:
    """Optimiser and stopping settings."""

    lr: float = 1e-3  # Adam learning rate
    batch_size: int = 64
    epochs: int = 100  # at most
    patience: int = 10  # epochs without a better validation loss before stopping
    seed: int = 42  # CPU runs with the same seed are bit-identical
    device: str = "auto"  # auto | cpu | cuda

    def validate(self) -> None:
        if not 0 < self.lr <= 1:
            raise UsageError("--lr must be in (0, 1]")
        if not 1 <= self.batch_size <= 65536:
            raise UsageError("--batch-size must be between 1 and 65536")
        if not 1 <= self.epochs <= 100000:
            raise UsageError("--epochs must be between 1 and 100000")
        if self.patience < 1:
            raise UsageError("--patience must be at least 1")
        if not 0 <= self.seed <= MAX_SEED:
            raise UsageError(f"--seed must be between 0 and {MAX_SEED}")
        check(Device, self.device, "--device")
        resolve_device(self.device)  # --device cuda on a machine without one fails up front


@dataclass
class Epoch:
    """One epoch's report, handed to the progress display."""

    epoch: int
    train_loss: float
    val_loss: float
    best_epoch: int
    seconds: float  # the training pass over the train windows
    val_seconds: float  # the validation pass that follows it


@dataclass
class FitResult:
    best_epoch: int = 0
    best_val: float = math.inf
    history: list[Epoch] = field(default_factory=list)
    interrupted: bool = False
    samples_seen: int = 0


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device is available (use --device cpu)")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class Windows:
    """Gathers (batch, window, features) inputs and the targets by target row: (batch,
    features), or (batch, horizon, features) for a direct head."""

    def __init__(self, samples: Samples, device: torch.device) -> None:
        self.data = torch.from_numpy(samples.scaled).to(device)  # (rows, features)
        self.view = self.data.unfold(0, samples.window, 1)  # (rows - window + 1, features, window)
        self.window = samples.window
        self.device = device
        self.steps = torch.arange(samples.horizon, device=device)  # target offsets
        self.horizon = samples.horizon
        self.n_out = samples.n_out or samples.scaled.shape[1]  # target columns

    def inputs(self, rows: torch.Tensor) -> torch.Tensor:
        return self.view[rows - self.window].transpose(1, 2)  # (batch, window, features)

    def targets(self, rows: torch.Tensor) -> torch.Tensor:
        if self.horizon == 1:
            return self.data[rows, : self.n_out]  # (batch, features)
        return self.data[rows[:, None] + self.steps, : self.n_out]  # (batch, horizon, features)


@torch.no_grad()
def predict_rows(
    model: nn.Module, windows: Windows, rows: np.ndarray, chunk: int = 8192
) -> np.ndarray:
    """Scaled predictions for the given target rows: (n, features) or (n, horizon, features)."""
    model.eval()
    idx = torch.from_numpy(rows).to(windows.device)
    out = [model(windows.inputs(idx[i : i + chunk])) for i in range(0, len(idx), chunk)]
    model.train()
    if not out:
        n = windows.n_out
        shape = (0, n) if windows.horizon == 1 else (0, windows.horizon, n)
        return np.empty(shape, dtype=np.float32)
    return torch.cat(out).cpu().numpy()


def _val_loss(model: nn.Module, windows: Windows, rows: np.ndarray) -> float:
    pred = predict_rows(model, windows, rows)
    target = windows.targets(torch.from_numpy(rows).to(windows.device)).cpu().numpy()
    return float(np.mean((pred - target) ** 2))


def _finite(loss: float, what: str, epoch: int, cfg: TrainConfig) -> float:
    if not math.isfinite(loss):
        raise DivergedError(
            f"training diverged: the {what} loss is {loss} at epoch {epoch} "
            f"(--lr {cfg.lr:g}); try a lower --lr"
        )
    return loss


def fit(
    model: nn.Module,
    samples: Samples,
    cfg: TrainConfig,
    device: torch.device,
    on_epoch: Callable[[Epoch], None] = lambda _: None,
    keep_on_interrupt: bool = True,
    on_batch: Callable[[int, int], None] = lambda done, total: None,
) -> FitResult:
    """Train in place and restore the best weights.

    Ctrl-C after an epoch has finished stops early and keeps the best weights when
    `keep_on_interrupt` (what `train` wants); otherwise it propagates (what `backtest` wants:
    a fold cut short must not be scored). `on_batch(done, total)` reports progress in an epoch.
    """
    windows = Windows(samples, device)
    train_rows = torch.from_numpy(samples.targets["train"]).to(device)
    val_rows = samples.targets["val"]
    # fused: one kernel per step for all parameters (CPU and CUDA, float32), same maths as Adam
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, fused=True)
    loss_fn = nn.MSELoss()
    shuffle = torch.Generator().manual_seed(cfg.seed)
    result = FitResult()
    best_state = copy.deepcopy(model.state_dict())
    model.train()
    try:
        for epoch in range(1, cfg.epochs + 1):
            start = time.perf_counter()
            order = train_rows[torch.randperm(len(train_rows), generator=shuffle).to(device)]
            total = torch.zeros((), device=device)
            for i in range(0, len(order), cfg.batch_size):
                rows = order[i : i + cfg.batch_size]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(windows.inputs(rows)), windows.targets(rows))
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(rows)
                on_batch(i + len(rows), len(order))
            result.samples_seen += len(order)
            train_loss = _finite(float(total) / len(order), "training", epoch, cfg)
            trained = time.perf_counter()
            val_loss = _finite(_val_loss(model, windows, val_rows), "validation", epoch, cfg)
            if val_loss < result.best_val:
                result.best_val, result.best_epoch = val_loss, epoch
                best_state = copy.deepcopy(model.state_dict())
            result.history.append(
                Epoch(
                    epoch,
                    train_loss,
                    val_loss,
                    result.best_epoch,
                    trained - start,
                    time.perf_counter() - trained,
                )
            )
            on_epoch(result.history[-1])
            if epoch - result.best_epoch >= cfg.patience:
                break
    except KeyboardInterrupt:
        if not keep_on_interrupt or result.best_epoch == 0:
            raise
        result.interrupted = True
    model.load_state_dict(best_state)
    model.eval()
    return result
