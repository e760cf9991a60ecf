"""Batches gathered by target row from the samples on the device: inputs and targets."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from stockrnn.dataset import exog
from stockrnn.dataset.sampling import Samples
from stockrnn.model.config import inference_rows


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
        self.mask_cols = torch.from_numpy(samples.mask_cols).to(device)
        self.mask_values = torch.from_numpy(samples.mask_values).to(device)
        self.positions = torch.arange(samples.window, device=device)
        # per target row: how many of its window's last days have their covariates masked
        # (redrawn every epoch; filled in place, so a captured CUDA graph keeps reading it)
        self.hidden = torch.zeros(len(samples.scaled), dtype=torch.long, device=device)

    def inputs(self, rows: torch.Tensor, masked: bool = False) -> torch.Tensor:
        x = self.view[rows - self.window].transpose(1, 2)  # (batch, window, features)
        if masked and len(self.mask_cols):
            tail = self.positions >= (self.window - self.hidden[rows])[:, None]  # (batch, window)
            x[:, :, self.mask_cols] = torch.where(
                tail[..., None], self.mask_values, x[:, :, self.mask_cols]
            )
        return x

    def redraw(self, generator: torch.Generator) -> None:
        """A new draw of masked days: 0 for 1 - MASK_SHARE of the rows, else 1..MASK_STEPS
        (never the whole window)."""
        if not len(self.mask_cols):
            return
        n = len(self.hidden)
        most = min(exog.MASK_STEPS, self.window - 1)
        days = torch.randint(1, most + 1, (n,), generator=generator)
        days[torch.rand(n, generator=generator) >= exog.MASK_SHARE] = 0
        self.hidden.copy_(days.to(self.device))

    def targets(self, rows: torch.Tensor) -> torch.Tensor:
        if self.horizon == 1:
            return self.data[rows, : self.n_out]  # (batch, features)
        return self.data[rows[:, None] + self.steps, : self.n_out]  # (batch, horizon, features)


@torch.no_grad()
def predict_rows(
    model: nn.Module, windows: Windows, rows: np.ndarray, chunk: int | None = None
) -> np.ndarray:
    """Scaled predictions for the given target rows: (n, features) or (n, horizon, features),
    `chunk` rows per pass (by default config.inference_rows')."""
    if chunk is None:
        chunk = inference_rows(model, windows.window, windows.device.type)
    model.eval()
    idx = torch.from_numpy(rows).to(windows.device)
    out = [model(windows.inputs(idx[i : i + chunk])) for i in range(0, len(idx), chunk)]
    model.train()
    if not out:
        n = windows.n_out
        shape = (0, n) if windows.horizon == 1 else (0, windows.horizon, n)
        return np.empty(shape, dtype=np.float32)
    return torch.cat(out).cpu().numpy()
