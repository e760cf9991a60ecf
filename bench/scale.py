"""Scale test: thousands of synthetic tickers through the real cache, samples and training step.

usage: python bench/scale.py [--tickers 5000] [--sessions 5000] [--steps 500] [--dir DIR]

Writes `tickers` random-walk series of `sessions` XNYS sessions each with cache.save (what
`fetch` writes), unless DIR already holds them, then in a fresh process times:
  - loading the cache (loading.load_series over every ticker), twice (the second time from
    the operating system's file cache);
  - building the samples (split, scaler on train rows, the one scaled array);
  - the epoch's shuffled permutation and `steps` training steps of the default LSTM
    (batch 64), for windows/s; a whole epoch here would take hours on 2 cores;
and the peak RSS of all that (ru_maxrss). An epoch's remaining steps allocate nothing new.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stockrnn.dataset import loading, sampling
from stockrnn.dataset.config import DataConfig, Part
from stockrnn.model import loop
from stockrnn.model.windows import Windows


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(data: Path, tickers: int, sessions: int) -> float:
    import numpy as np
    import pandas as pd

    from stockrnn.data import cache, manifests, trading_calendar

    days = trading_calendar.get_calendar("XNYS").sessions
    dates = pd.DatetimeIndex(days[days <= pd.Timestamp("2025-12-31")][-sessions:], name="date")
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for i in range(tickers):
        vol = rng.uniform(0.008, 0.03)
        close = rng.uniform(5, 500) * np.exp(np.cumsum(rng.normal(0.0002, vol, sessions)))
        open_ = close * np.exp(rng.normal(0, vol / 3, sessions))
        high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, vol / 3, sessions)))
        low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, vol / 3, sessions)))
        volume = rng.integers(100_000, 5_000_000, sessions).astype(float)
        frame = pd.DataFrame(
            {"open": open_, "high": high, "low": low, "close": close, "volume": volume},
            index=dates,
        )
        cache.save(data, frame, manifests.Manifest(f"S{i:05d}", "synthetic", "2026-01-01", True))
    return time.perf_counter() - t0


def measure(data: Path, steps: int) -> None:
    import torch

    from stockrnn.model.config import ModelConfig
    from stockrnn.model.network import Forecaster
    from stockrnn.model.steps import Stepper

    cfg = DataConfig()
    t0 = time.perf_counter()
    series = loading.load_series(data, [], cfg)
    cold = time.perf_counter() - t0
    del series
    t0 = time.perf_counter()
    series = loading.load_series(data, [], cfg)
    warm = time.perf_counter() - t0
    rows = sum(len(s.rel) for s in series)
    print(f"cache: {len(series)} tickers, {rows:,} feature rows")
    print(f"load, first: {cold:.1f} s; again: {warm:.1f} s; peak RSS so far {rss_mib():.0f} MiB")
    t0 = time.perf_counter()
    samples, _ = sampling.build(series, cfg)
    print(
        f"build samples: {time.perf_counter() - t0:.1f} s "
        f"({len(samples.targets[Part.train]):,} train windows); peak RSS {rss_mib():.0f} MiB"
    )
    del series
    torch.manual_seed(0)
    model = Forecaster(ModelConfig(n_features=4))
    windows = Windows(samples, torch.device("cpu"))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    order = torch.from_numpy(samples.targets[Part.train])
    order = order[torch.randperm(len(order))]  # the epoch's permutation, as loop.fit makes it
    batches = order[: steps * 64]
    t0 = time.perf_counter()
    loop._train_pass(Stepper(model, windows, opt), batches, 64, lambda d, t: None)
    took = time.perf_counter() - t0
    epoch_h = len(order) / (len(batches) / took) / 3600
    print(
        f"train: {steps} steps of batch 64 in {took:.1f} s = {len(batches) / took:,.0f} "
        f"windows/s (a whole epoch: {epoch_h:.1f} h); peak RSS {rss_mib():.0f} MiB "
        f"({rss_mib() / 1024:.2f} GiB)"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickers", type=int, default=5000)
    p.add_argument("--sessions", type=int, default=5000)
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--dir", type=Path, default=None)
    p.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.measure is not None:
        measure(a.measure, a.steps)
        return
    data = a.dir or Path(tempfile.mkdtemp()) / "data"
    if not any(data.glob("*.json")):
        print(
            f"wrote {a.tickers} x {a.sessions} sessions with cache.save: "
            f"{generate(data, a.tickers, a.sessions):.0f} s"
        )
    here = [sys.executable, __file__, "--measure", str(data), "--steps", str(a.steps)]
    subprocess.run(here, check=True)  # a fresh process: its peak RSS is the pipeline's own


if __name__ == "__main__":
    main()
