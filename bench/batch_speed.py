"""stockrnn's eager training pass against a minimal loop at a large batch, alternating in one
process so that this shared machine's drift hits both alike.

usage: python bench/batch_speed.py [--tickers 100] [--batch 1024] [--rounds 3] [--device cpu]

On the first `--tickers` files of ../shared/data/ohlcv/sp500_5yr (default split, LSTM h64
W60, OHLC, Adam 1e-3, seed 42), each round times one epoch of `loop._train_pass` (stockrnn's
step: windows gathered from the samples on the device by row index) and one epoch of the
minimal loop (every window pre-built as one tensor, indexed per batch). Prints each pass and
the medians' ratio. On CUDA (`--device cuda`) stockrnn runs eagerly (no graph).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from stockrnn.common.choices import Cell
from stockrnn.dataset import config, sampling
from stockrnn.dataset.config import Part
from stockrnn.model import loop, windows

sys.path.insert(0, str(Path(__file__).parent))
from sp500 import import_all, minimal_loop, series  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickers", type=int, default=100)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    import torch

    from stockrnn.model.config import ModelConfig
    from stockrnn.model.network import Forecaster
    from stockrnn.model.steps import Stepper

    tmp = Path(tempfile.mkdtemp())
    import_all(tmp / "data", tmp, a.tickers)
    cfg = config.DataConfig()
    samples, _ = sampling.build(series(tmp / "data", cfg), cfg)
    dev = torch.device(a.device)

    def sync() -> None:
        if dev.type == "cuda":
            torch.cuda.synchronize()

    win = windows.Windows(samples, dev)
    rows = torch.from_numpy(samples.targets[Part.train]).to(dev)
    x, y = win.inputs(rows).contiguous(), win.targets(rows).contiguous()
    print(f"{len(rows):,} training windows, batch {a.batch}, {dev}", flush=True)

    def stockrnn() -> float:
        torch.manual_seed(42)
        model = Forecaster(ModelConfig(cell=Cell.lstm, hidden=64)).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        order = rows[torch.randperm(len(rows), device=dev)]
        sync()
        t0 = time.perf_counter()
        loop._train_pass(Stepper(model, win, opt), order, a.batch, lambda done, total: None)
        sync()
        return time.perf_counter() - t0

    times: dict[str, list[float]] = {"stockrnn": [], "minimal": []}
    for r in range(a.rounds):
        times["stockrnn"].append(stockrnn())
        times["minimal"].append(minimal_loop(x, y, a.batch)[0])
        for name in times:
            print(f"round {r + 1}: {name} {times[name][-1]:.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: len(rows) / v / 1000 for k, v in med.items()}
    for k in med:
        print(f"median {k}: {med[k]:.2f} s, {rate[k]:.1f}k windows/s")
    print(f"stockrnn windows/s / minimal's: {med['minimal'] / med['stockrnn']:.3f}")


if __name__ == "__main__":
    main()
