"""The saved network's forward pass in NumPy, which is what `predict` runs.

A forecast is a few windows through a small network: NumPy does that in milliseconds, while
`import torch` alone takes 2-4 s here, three quarters of a cold predict's time
(docs/performance.md, predict). So predict reads the same safetensors weights into this
class, never importing torch; training, backtests and tuning run torch's own modules. The
equations are PyTorch's (nn.RNN, nn.LSTM, nn.GRU, nn.Linear, documented there), in float32
like torch's CPU path; tests/forecast/test_light.py holds the two within 1e-5 for every cell,
depth, bias and head.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from stockrnn.common.choices import Cell, Head, Nonlinearity
from stockrnn.model.config import ModelConfig

GATES = {Cell.rnn: 1, Cell.lstm: 4, Cell.gru: 3}  # PyTorch's gate blocks per cell, in order


def param_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The state-dict names and shapes of stockrnn's network for `cfg` (model.network's
    Forecaster: `rnn.` then `head.`), worked out without building it."""
    g = GATES[Cell(cfg.cell)] * cfg.hidden
    shapes: dict[str, tuple[int, ...]] = {}
    for k in range(cfg.layers):
        width = (cfg.n_inputs or cfg.n_features) if k == 0 else cfg.hidden
        shapes[f"rnn.weight_ih_l{k}"] = (g, width)
        shapes[f"rnn.weight_hh_l{k}"] = (g, cfg.hidden)
        if cfg.bias:
            shapes[f"rnn.bias_ih_l{k}"] = (g,)
            shapes[f"rnn.bias_hh_l{k}"] = (g,)
    shapes["head.weight"] = (cfg.n_features * cfg.horizon, cfg.hidden)
    if cfg.bias:
        shapes["head.bias"] = (cfg.n_features * cfg.horizon,)
    return shapes


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)))  # the same function, never overflows


class LightForecaster:
    """Model.network's Forecaster in inference: (batch, window, inputs) float32 to the next
    day's (batch, features), or a direct head's (batch, horizon, features)."""

    def __init__(self, cfg: ModelConfig, weights: Mapping[str, np.ndarray]) -> None:
        self.cfg = cfg
        self.w = {k: np.ascontiguousarray(v, np.float32) for k, v in weights.items()}

    def eval(self) -> LightForecaster:
        return self  # nothing differs in inference: dropout acts in training only

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):  # an overflow gives inf, as in torch, without a warning
            return self._forward(np.asarray(x, np.float32))

    def _forward(self, seq: np.ndarray) -> np.ndarray:
        for k in range(self.cfg.layers):
            seq = self._layer(seq, k)
        head = seq[:, -1] @ self.w["head.weight"].T
        if self.cfg.bias:
            head = head + self.w["head.bias"]
        if self.cfg.head == Head.direct:
            return head.reshape(len(head), self.cfg.horizon, self.cfg.n_features)
        return head

    def _layer(self, seq: np.ndarray, k: int) -> np.ndarray:
        """One recurrent layer over the whole window: (batch, steps, width) -> hidden."""
        w_ih, w_hh = self.w[f"rnn.weight_ih_l{k}"], self.w[f"rnn.weight_hh_l{k}"]
        b_ih = self.w.get(f"rnn.bias_ih_l{k}", np.float32(0))
        b_hh = self.w.get(f"rnn.bias_hh_l{k}", np.float32(0))
        xs = seq @ w_ih.T + b_ih  # every step's input part at once
        n, size = len(seq), self.cfg.hidden
        h = np.zeros((n, size), np.float32)
        c = np.zeros((n, size), np.float32)
        out = np.empty((n, seq.shape[1], size), np.float32)
        cell = Cell(self.cfg.cell)
        for t in range(seq.shape[1]):
            hs = h @ w_hh.T + b_hh
            if cell is Cell.lstm:
                i, f, g, o = np.split(xs[:, t] + hs, 4, axis=1)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
            elif cell is Cell.gru:
                xr, xz, xn = np.split(xs[:, t], 3, axis=1)
                hr, hz, hn = np.split(hs, 3, axis=1)
                r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
                h = (1 - z) * np.tanh(xn + r * hn) + z * h
            elif self.cfg.nonlinearity == Nonlinearity.relu:
                h = np.maximum(xs[:, t] + hs, 0)
            else:
                h = np.tanh(xs[:, t] + hs)
            out[:, t] = h
        return out
