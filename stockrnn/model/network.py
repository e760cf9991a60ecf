"""The many-to-one network: an RNN/LSTM/GRU over a window, a linear head on its last state."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from stockrnn.common.choices import Cell, Head
from stockrnn.model.config import ModelConfig

CELLS: dict[Cell, type[nn.RNNBase]] = {Cell.rnn: nn.RNN, Cell.lstm: nn.LSTM, Cell.gru: nn.GRU}


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
