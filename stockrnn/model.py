"""The many-to-one network: an RNN/LSTM/GRU over a window, a linear head on its last state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from stockrnn.choices import Cell, Head, check
from stockrnn.errors import UsageError
from stockrnn.limits import MAX_DAYS

CELLS: dict[Cell, type[nn.RNNBase]] = {Cell.rnn: nn.RNN, Cell.lstm: nn.LSTM, Cell.gru: nn.GRU}


@dataclass
class ModelConfig:
    """Hyperparameters of the network; the checkpoint stores them to rebuild it."""

    cell: str = "lstm"  # rnn | lstm | gru
    n_features: int = 4  # the ticker's own features per day: inputs and outputs
    n_inputs: int = 0  # inputs per day with covariates and calendar features (0: n_features)
    hidden: int = 64  # hidden units per layer
    layers: int = 1  # stacked recurrent layers
    dropout: float = 0.0  # between stacked layers (PyTorch applies none after the last)
    nonlinearity: str = "tanh"  # tanh | relu, rnn cell only
    bias: bool = True
    head: str = "recursive"  # recursive (next day, rolled forward) | direct (horizon days at once)
    horizon: int = 1  # days a direct head emits (1 for recursive)

    def validate(self) -> None:
        check(Cell, self.cell, "--cell")
        if not 1 <= self.hidden <= 4096:
            raise UsageError("--hidden must be between 1 and 4096")
        if not 1 <= self.layers <= 16:
            raise UsageError("--layers must be between 1 and 16")
        if not 0 <= self.dropout < 1:
            raise UsageError("--dropout must be in [0, 1)")
        if self.nonlinearity not in ("tanh", "relu"):
            raise UsageError("--nonlinearity must be tanh or relu")
        if self.nonlinearity != "tanh" and self.cell != "rnn":
            raise UsageError("--nonlinearity applies to --cell rnn only")
        head = check(Head, self.head, "--head")
        if head == Head.direct and not 2 <= self.horizon <= MAX_DAYS:
            raise UsageError(f"--head direct needs --horizon between 2 and {MAX_DAYS}")
        if head == Head.recursive and self.horizon != 1:
            raise UsageError("--horizon sets a direct head's days; a recursive head has 1")
        if self.n_inputs and self.n_inputs < self.n_features:
            raise UsageError("a model reads at least its own features")


class Forecaster(nn.Module):
    """Maps (batch, window, features) to the next day's (batch, features) with a recursive
    head, or to the next `horizon` days' (batch, horizon, features) with a direct head (the
    many-to-many case), in the same scaled space."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        extra: dict[str, Any] = {"nonlinearity": cfg.nonlinearity} if cfg.cell == "rnn" else {}
        self.rnn = CELLS[Cell(cfg.cell)](
            input_size=cfg.n_inputs or cfg.n_features,
            hidden_size=cfg.hidden,
            num_layers=cfg.layers,
            bias=cfg.bias,
            batch_first=True,
            dropout=cfg.dropout if cfg.layers > 1 else 0.0,
            **extra,
        )
        self.head = nn.Linear(cfg.hidden, cfg.n_features * cfg.horizon, bias=cfg.bias)
        self.direct = cfg.head == Head.direct

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (batch, window, hidden)
        pred: torch.Tensor = self.head(out[:, -1])  # (batch, horizon * features)
        if self.direct:
            return pred.view(len(pred), self.cfg.horizon, self.cfg.n_features)
        return pred  # (batch, features)
