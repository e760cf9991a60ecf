"""The one forecast path: a fitted model, a series and origin rows in; price paths out.

`train` (test metrics and interval widths), `backtest` (every origin of every fold) and
`predict` (the last day) all forecast through `paths`, so they cannot disagree: the same
window, the same recursive roll, the same turn from scaled log ratios back into prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from stockrnn.common.choices import Head, IntervalMethod
from stockrnn.common.errors import UsageError
from stockrnn.dataset import exog, features
from stockrnn.dataset.config import CLOSE, Spec
from stockrnn.dataset.loading import Series
from stockrnn.dataset.scaling import Scaler
from stockrnn.forecast import intervals
from stockrnn.forecast.light import LightForecaster
from stockrnn.model.config import inference_rows


@dataclass(frozen=True, kw_only=True)
class Predictor:
    """What forecasting needs of a fitted model: the network, its scaler, its window and the
    extra inputs it reads."""

    model: Any  # a torch.nn.Module (training, backtests), or a light.LightForecaster (predict)
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


def roll(model: Any, window: Any, steps: int, extra: Any = None) -> Any:
    """Recursive forecast: (batch, window, inputs) -> (batch, steps, features), scaled, in
    the arrays the model takes (torch tensors, or NumPy for light.LightForecaster).

    `extra` (batch, steps - 1, inputs - features) completes each predicted row with its extra
    inputs (exog.future) before it joins the window."""
    cat, stack = _ops(window)
    outs = []
    for k in range(steps):
        nxt = model(window)  # (batch, features)
        outs.append(nxt)
        row = nxt if extra is None or k >= extra.shape[1] else cat([nxt, extra[:, k]], 1)
        if k < steps - 1:
            window = cat([window[:, 1:], row[:, None]], 1)  # slide by one day
    return stack(outs, 1)


def _ops(x: Any) -> tuple[Any, Any]:
    """concatenate and stack for x's kind of array (positional axis: the same in both)."""
    if isinstance(x, np.ndarray):
        return np.concatenate, np.stack
    import torch

    return torch.cat, torch.stack


def _forward(model: Any, x: Any, steps: int, extra: Any = None) -> Any:
    """(batch, steps, features) scaled: a direct head's first `steps` days, else the roll."""
    cfg = getattr(model, "cfg", None)
    if cfg is not None and cfg.head == Head.direct:
        if steps > cfg.horizon:
            raise UsageError(
                f"this model's direct head forecasts {cfg.horizon} days at once: ask for at "
                f"most {cfg.horizon} (or train with --horizon {steps})"
            )
        return model(x)[:, :steps]
    return roll(model, x, steps, extra)


def paths(p: Predictor, s: Series, origins: np.ndarray, steps: int) -> Paths:
    """`steps`-day forecasts from each origin row o, from the true rows o-window+1 .. o."""
    return paths_many(p, [(s, origins)], steps)[0]


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
) -> tuple[np.ndarray, np.ndarray | None]:
    """(origins, window, inputs) scaled windows, and the predicted rows' extra inputs."""
    if len(origins) and origins.min() < p.window - 1:
        raise ValueError(f"origin {origins.min()} has fewer than {p.window} rows of history")
    scaled = p.scaler.transform(s.rel).astype(np.float32)
    view = sliding_window_view(scaled, p.window, axis=0)  # (rows - window + 1, inputs, window)
    x = view[origins - p.window + 1].transpose(0, 2, 1)
    if not p.exog.width or steps < 2:
        return x, None
    n_feat = s.rel.shape[1] - p.exog.width
    raw = exog.future(p.exog, pd.DatetimeIndex(s.dates[origins]), steps, s.calendar)
    future = p.scaler.transform(raw, start=n_feat)
    return x, future.astype(np.float32)


def _group(
    p: Predictor, jobs: list[tuple[Series, np.ndarray]], steps: int, chunk: int
) -> list[Paths]:
    """One concatenated batch of several series' windows, forecast in chunks, split back."""
    parts = [_inputs(p, s, origins, steps) for s, origins in jobs]
    x = np.concatenate([x for x, _ in parts])
    extra = None if parts[0][1] is None else np.concatenate([e for _, e in parts if e is not None])
    n_feat = jobs[0][0].rel.shape[1] - p.exog.width
    run = _forward if isinstance(p.model, LightForecaster) else _torch  # NumPy in, NumPy out
    outs = [np.empty((0, steps, n_feat), np.float32)]
    for i in range(0, len(x), chunk):
        more = None if extra is None else extra[i : i + chunk]
        outs.append(run(p.model, x[i : i + chunk], steps, more))
    scaled_out = np.concatenate(outs).astype(np.float64)
    ends = np.cumsum([len(o) for _, o in jobs])[:-1]
    result = []
    for (s, origins), block in zip(jobs, np.split(scaled_out, ends), strict=True):
        rel = p.scaler.inverse(block)  # (origins, steps, features)
        result.append(Paths(origins, features.to_prices(s.close[origins], rel)))
    return result


def _torch(model: Any, x: np.ndarray, steps: int, extra: np.ndarray | None) -> np.ndarray:
    """A torch module's forecasts, config.inference_rows' rows at a time."""
    import torch

    device = next(model.parameters()).device
    rows = inference_rows(model, x.shape[1], device.type)
    outs = []
    with torch.no_grad():
        for i in range(0, max(len(x), 1), rows):  # an empty batch still runs (its shape)
            more = None if extra is None else torch.from_numpy(extra[i : i + rows]).to(device)
            out = _forward(model, torch.from_numpy(x[i : i + rows]).to(device), steps, more)
            outs.append(out.cpu().numpy())
    return np.concatenate(outs)
