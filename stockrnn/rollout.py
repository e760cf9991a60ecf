"""The one forecast path: a fitted model, a series and origin rows in; price paths out.

`train` (test metrics and interval widths), `backtest` (every origin of every fold) and
`predict` (the last day) all forecast through `paths`, so they cannot disagree: the same
window, the same recursive roll, the same turn from scaled log ratios back into prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from stockrnn import exog, features, intervals
from stockrnn.choices import Head
from stockrnn.dataset import Scaler, Series
from stockrnn.errors import UsageError


@dataclass
class Predictor:
    """What forecasting needs of a fitted model: the network, its scaler, its window and the
    extra inputs it reads."""

    model: torch.nn.Module
    scaler: Scaler
    window: int
    exog: exog.Spec = field(default_factory=exog.Spec)
    intervals: str = "vol"  # interval method (choices.IntervalMethod)

    def sigma(self, s: Series, origins: np.ndarray) -> np.ndarray:
        """Each origin's interval scale (intervals.origin_scale)."""
        return intervals.origin_scale(self.intervals, s.rel[:, features.CLOSE], origins)


@dataclass
class Paths:
    """Forecasts from many origins of one series."""

    origins: np.ndarray  # (n,) feature rows whose close anchors each forecast
    prices: np.ndarray  # (n, steps, 4) predicted open, high, low, close

    @property
    def close(self) -> np.ndarray:
        return self.prices[..., features.CLOSE]  # (n, steps)


@torch.no_grad()
def roll(
    model: torch.nn.Module, window: torch.Tensor, steps: int, extra: torch.Tensor | None = None
) -> torch.Tensor:
    """Recursive forecast: (batch, window, inputs) -> (batch, steps, features), scaled.

    `extra` (batch, steps - 1, inputs - features) completes each predicted row with its extra
    inputs (exog.Spec.future) before it joins the window."""
    outs = []
    for k in range(steps):
        nxt = model(window)  # (batch, features)
        outs.append(nxt)
        row = nxt if extra is None or k >= extra.shape[1] else torch.cat([nxt, extra[:, k]], 1)
        if k < steps - 1:
            window = torch.cat([window[:, 1:], row[:, None]], dim=1)  # slide by one day
    return torch.stack(outs, dim=1)


def _forward(
    model: torch.nn.Module, x: torch.Tensor, steps: int, extra: torch.Tensor | None = None
) -> torch.Tensor:
    """(batch, steps, features) scaled: a direct head's first `steps` days, else the roll."""
    cfg = getattr(model, "cfg", None)
    if cfg is not None and cfg.head == Head.direct:
        if steps > cfg.horizon:
            raise UsageError(
                f"this model's direct head forecasts {cfg.horizon} days at once: ask for at "
                f"most {cfg.horizon} (or train with --horizon {steps})"
            )
        out: torch.Tensor = model(x)[:, :steps]
        return out
    return roll(model, x, steps, extra)


@torch.no_grad()
def paths(p: Predictor, s: Series, origins: np.ndarray, steps: int, chunk: int = 4096) -> Paths:
    """`steps`-day forecasts from each origin row o, from the true rows o-window+1 .. o."""
    if len(origins) and origins.min() < p.window - 1:
        raise ValueError(f"origin {origins.min()} has fewer than {p.window} rows of history")
    p.model.eval()
    scaled = torch.from_numpy(p.scaler.transform(s.rel).astype(np.float32))
    view = scaled.unfold(0, p.window, 1)  # (rows - window + 1, features, window)
    device = next(p.model.parameters()).device
    n_feat = s.rel.shape[1] - p.exog.width
    future = None
    if p.exog.width and steps > 1:
        raw = p.exog.future(pd.DatetimeIndex(s.dates[origins]), steps, s.calendar)
        scaled_future = (raw - p.scaler.shift[n_feat:]) / p.scaler.scale[n_feat:]
        future = torch.from_numpy(scaled_future.astype(np.float32))
    outs = []
    for i in range(0, len(origins), chunk):
        start = torch.from_numpy(origins[i : i + chunk] - p.window + 1)
        x = view[start].transpose(1, 2).to(device)  # (batch, window, inputs)
        extra = None if future is None else future[i : i + chunk].to(device)
        outs.append(_forward(p.model, x, steps, extra).cpu().numpy())
    scaled_out = np.concatenate(outs) if outs else np.empty((0, steps, n_feat), np.float32)
    rel = p.scaler.inverse(scaled_out.astype(np.float64))  # (origins, steps, features)
    return Paths(origins, features.to_prices(s.close[origins], rel))
