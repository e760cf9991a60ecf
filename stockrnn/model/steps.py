"""One training step on a global batch: eager, sharded across torchrun ranks, or a CUDA graph.

All three compute the same step: MSE on the batch's targets (in fp32 even when the forward runs
in bf16 autocast), its backward, and one Adam step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from stockrnn.model.adam import Adam
from stockrnn.model.cuda_graph import GraphStep
from stockrnn.model.ddp import TrainingGroup

if TYPE_CHECKING:
    from stockrnn.model.windows import Windows


class Stepper:
    """Trains one global batch of target rows at a time; returns its squared-error mass
    (loss x rows, on the device: no host sync per step)."""

    def __init__(
        self,
        net: nn.Module,
        windows: Windows,
        optimizer: Adam | torch.optim.Optimizer,
        group: TrainingGroup | None = None,
        bf16: bool = False,
    ) -> None:
        self.net, self.windows, self.optimizer, self.group = net, windows, optimizer, group
        self.bf16 = bf16
        self.loss_fn = nn.MSELoss()
        self.graph: GraphStep | None = None  # once captured

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        x = self.windows.inputs(rows, masked=True)  # as training sees them
        if not self.bf16:
            out: torch.Tensor = self.net(x)
            return out
        with torch.autocast(self.windows.device.type, torch.bfloat16, cache_enabled=False):
            pred: torch.Tensor = self.net(x)
        return pred.float()

    def loss_of(self, rows: torch.Tensor) -> torch.Tensor:
        loss: torch.Tensor = self.loss_fn(self.forward(rows), self.windows.targets(rows))
        return loss

    def capture(self, model: nn.Module, rows: torch.Tensor) -> None:
        """Capture the step for batches the size of `rows` (valid target rows)."""
        if not isinstance(self.optimizer, torch.optim.Optimizer):
            raise TypeError("a CUDA graph replays torch's capturable Adam")
        self.graph = GraphStep(model, self.optimizer, self.loss_of, rows)

    def __call__(self, rows: torch.Tensor) -> torch.Tensor:
        if self.graph is not None and len(rows) == len(self.graph.rows):
            return self.graph.step(rows)
        # keep the captured graph's gradient buffers: zero them rather than drop them
        self.optimizer.zero_grad(set_to_none=self.graph is None)
        if self.group is None:
            loss = self.loss_of(rows)
            seen = loss.detach() * len(rows)
        else:
            loss, seen = self._sharded(rows, self.group)
        loss.backward()  # type: ignore[no-untyped-call]
        self.optimizer.step()
        return seen

    def _sharded(
        self, rows: torch.Tensor, group: TrainingGroup
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss to backpropagate, this shard's squared-error mass) for one global batch.

        The loss is the shard's squared-error sum over the global batch's element count,
        times the world size: DDP averages gradients over ranks, so the step equals one
        process's step on the whole batch. A rank with no rows in a short last batch runs
        one row at weight 0."""
        part = group.shard(rows)
        weight = 1.0 if len(part) else 0.0
        part = part if len(part) else rows[:1]
        target = self.windows.targets(part)
        sse = ((self.forward(part) - target) ** 2).sum() * weight
        per_row = target[0].numel()
        return sse * (group.world / (len(rows) * per_row)), sse.detach() / per_row
