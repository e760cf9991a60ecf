"""The CUDA training step as one CUDA graph: forward, loss, backward and Adam, replayed.

At small batches a GPU waits on kernel launches, not arithmetic: an LSTM step launches
hundreds of kernels. Captured once (torch.cuda.graphs, the "whole-network capture" recipe),
the step is replayed with one launch over fresh rows copied into a static index tensor, so
every replay gathers its own windows from the samples already on the device.

The warm-up that capture needs runs real optimiser steps; the weights and Adam's state are
put back afterwards, so training starts from the same point as eager training and its losses
match eager ones to float tolerance. A last, shorter batch runs eagerly on the same weights
and optimiser; validation, early stopping and best-weight copies stay outside the graph.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

WARMUP = 3  # eager steps on a side stream before capture, as torch.cuda.graphs asks


class GraphStep:
    """A captured training step for batches of exactly `batch` rows."""

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        loss_of: Callable[[torch.Tensor], torch.Tensor],
        rows: torch.Tensor,
    ) -> None:
        """`loss_of(rows)` builds the loss of a batch; `rows`: any valid batch, to warm up."""
        flatten_rnn_weights(model)  # before capture: the graph keeps the weights' addresses
        self.rows = rows.clone()  # the static index tensor every replay reads
        saved = [p.detach().clone() for p in model.parameters()]
        side = torch.cuda.Stream()  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP):
                optimizer.zero_grad(set_to_none=True)
                loss_of(self.rows).backward()  # type: ignore[no-untyped-call]
                optimizer.step()
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        optimizer.zero_grad(set_to_none=True)  # backward inside the capture owns the grads
        with torch.cuda.graph(self.graph):
            self.loss = loss_of(self.rows)
            self.loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
        with torch.no_grad():  # undo the warm-up: the same start as eager training
            for p, before in zip(model.parameters(), saved, strict=True):
                p.copy_(before)
            for state in optimizer.state.values():
                for value in state.values():
                    if torch.is_tensor(value):
                        value.zero_()

    def step(self, rows: torch.Tensor) -> torch.Tensor:
        """One replayed step on `rows`; the loss times the rows (no host sync)."""
        self.rows.copy_(rows)
        self.graph.replay()
        return self.loss.detach() * len(rows)


def flatten_rnn_weights(model: torch.nn.Module) -> None:
    """cuDNN wants an RNN's weights in one contiguous chunk after any copy into them."""
    for m in model.modules():
        if isinstance(m, torch.nn.RNNBase):
            m.flatten_parameters()


def graphs_enabled(device: torch.device, wanted: bool | None, distributed: bool) -> bool:
    """Graphs when asked for (`--cuda-graphs`, opt-in), on CUDA only, never under DDP (its
    all-reduce hooks run between kernels a graph would fix in place)."""
    return bool(wanted) and device.type == "cuda" and not distributed
