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

from stockrnn.common.choices import Head, IntervalMethod
from stockrnn.common.errors import UsageError
from stockrnn.dataset import exog, features
from stockrnn.dataset.config import CLOSE, Spec
from stockrnn.dataset.loading import Series
from stockrnn.dataset.scaling import Scaler
from stockrnn.forecast import intervals


@dataclass(frozen=True, kw_only=True)
class Predictor:
    """What forecasting needs of a fitted model: the network, its scaler, its window and the
    extra inputs it reads."""

    model: torch.nn.Module
    scaler: Scaler
    window: int
    exog: Spec = field(default_factory=Spec)
    intervals: IntervalMethod = IntervalMethod.vol  # what the widths are in units of

    def sigma(self, s: Series, origins: np.ndarray) -> np.ndarray:
        """Each origin's interval scale (intervals.origin_scale)."""
        return intervals.origin_scale(self.intervals, s.rel[:, CLOSE], origins)


@dataclass(frozen=True)
class Paths:
    """Forecasts from many origins of one series."""

    origins: np.ndarray  # (n,) feature rows whose close anchors each forecast
    prices: np.ndarray  # (n, steps, 4) predicted open, high, low, close

    @property
    def close(self) -> np.ndarray:
        return self.prices[..., CLOSE]  # (n, steps)


@torch.no_grad()
def roll(
    model: torch.nn.Module, window: torch.Tensor, steps: int, extra: torch.Tensor | None = None
) -> torch.Tensor:
    """Recursive forecast: (batch, window, inputs) -> (batch, steps, features), scaled.

    `extra` (batch, steps - 1, inputs - features) completes each predicted row with its extra
    inputs (exog.future) before it joins the window."""
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


def paths(p: Predictor, s: Series, origins: np.ndarray, steps: int) -> Paths:
    """`steps`-day forecasts from each origin row o, from the true rows o-window+1 .. o."""
    return paths_many(p, [(s, origins)], steps)[0]


@torch.no_grad()
def paths_many(
    p: Predictor, jobs: list[tuple[Series, np.ndarray]], steps: int, chunk: int = 4096
) -> list[Paths]:
    """`paths` for many (series, origins) at once: the origins of several series share each
    forward pass of up to `chunk` windows, as one series' few origins would leave a GPU
    waiting on kernel launches (and a CPU on per-call overhead)."""
    p.model.eval()
    out: list[Paths] = []
    group: list[tuple[Series, np.ndarray]] = []
    size = 0  # origins in `group`
    for job in jobs:
        if group and size + len(job[1]) > chunk:
            out += _group(p, group, steps, chunk)
            group, size = [], 0
        group.append(job)
        size += len(job[1])
    return out + (_group(p, group, steps, chunk) if group else [])


def _inputs(
    p: Predictor, s: Series, origins: np.ndarray, steps: int
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(origins, window, inputs) scaled windows, and the predicted rows' extra inputs."""
    if len(origins) and origins.min() < p.window - 1:
        raise ValueError(f"origin {origins.min()} has fewer than {p.window} rows of history")
    scaled = torch.from_numpy(p.scaler.transform(s.rel).astype(np.float32))
    view = scaled.unfold(0, p.window, 1)  # (rows - window + 1, features, window)
    x = view[torch.from_numpy(origins - p.window + 1)].transpose(1, 2)
    if not p.exog.width or steps < 2:
        return x, None
    n_feat = s.rel.shape[1] - p.exog.width
    raw = exog.future(p.exog, pd.DatetimeIndex(s.dates[origins]), steps, s.calendar)
    future = p.scaler.transform(raw, start=n_feat)
    return x, torch.from_numpy(future.astype(np.float32))


def _group(
    p: Predictor, jobs: list[tuple[Series, np.ndarray]], steps: int, chunk: int
) -> list[Paths]:
    """One concatenated batch of several series' windows, forecast in chunks, split back."""
    device = next(p.model.parameters()).device
    parts = [_inputs(p, s, origins, steps) for s, origins in jobs]
    x = torch.cat([x for x, _ in parts])
    extra = None if parts[0][1] is None else torch.cat([e for _, e in parts if e is not None])
    n_feat = jobs[0][0].rel.shape[1] - p.exog.width
    outs = [np.empty((0, steps, n_feat), np.float32)]
    for i in range(0, len(x), chunk):
        more = None if extra is None else extra[i : i + chunk].to(device)
        outs.append(_forward(p.model, x[i : i + chunk].to(device), steps, more).cpu().numpy())
    scaled_out = np.concatenate(outs).astype(np.float64)
    ends = np.cumsum([len(o) for _, o in jobs])[:-1]
    result = []
    for (s, origins), block in zip(jobs, np.split(scaled_out, ends), strict=True):
        rel = p.scaler.inverse(block)  # (origins, steps, features)
        result.append(Paths(origins, features.to_prices(s.close[origins], rel)))
    return result
