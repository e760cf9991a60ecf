"""Per-epoch training time: stockrnn's loop against the harness's minimal PyTorch loop.

usage: python bench/epoch_speed.py [--pairs 3] [--epochs 20]
Both train the same LSTM (hidden 64, window 60, OHLC, batch 64, Adam 1e-3, seed 42) on the
3,461 training windows of ../shared/bench/data/sp500.csv. The reference is
`train_reference` imported from ../shared/bench/peer_bench.py, fed every window pre-built as
one tensor, as in the harness. Each run is its own process, alternating, so drift in this
shared machine's speed hits both alike; medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from stockrnn.common.choices import Cell, Source
from stockrnn.dataset import loading, sampling
from stockrnn.dataset.config import DataConfig, Part
from stockrnn.dataset.sampling import Samples
from stockrnn.model import loop
from stockrnn.model.config import TrainConfig
from stockrnn.model.windows import Windows

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"


def samples() -> Samples:
    import tempfile
    from datetime import date

    from stockrnn.data.fetch import fetch_one
    from stockrnn.data.fetch_types import FetchConfig, FetchOptions

    tmp = Path(tempfile.mkdtemp())
    fetch_one(
        tmp, FetchConfig("SPX", FetchOptions(source=Source.csv, csv=SHARED / "data" / "sp500.csv"))
    )
    cfg = DataConfig(train_end=date(2012, 12, 31), val_end=date(2015, 12, 29))
    series = loading.load_series(tmp, ["SPX"], cfg)
    return sampling.build(series, cfg)[0]


def run_one(which: str, epochs: int) -> dict[str, list[float]]:
    import torch

    s = samples()
    if which == "ref":
        sys.path.insert(0, str(SHARED))
        import peer_bench

        w = Windows(s, torch.device("cpu"))
        rows = torch.from_numpy(s.targets[Part.train])
        x, y = w.inputs(rows).contiguous(), w.targets(rows)[:, 3].contiguous()
        args = argparse.Namespace(seed=42, hidden=64, lr=1e-3, epochs=epochs, batch_size=64)
        return {"epoch": list(peer_bench.train_reference(x, y, args)[1]), "val": []}
    from stockrnn.model.config import ModelConfig
    from stockrnn.model.network import Forecaster

    torch.manual_seed(42)
    model = Forecaster(ModelConfig(cell=Cell.lstm, n_features=4))
    cfg = TrainConfig(epochs=epochs, patience=10**6)
    history = loop.fit(model, s, cfg, torch.device("cpu")).history
    return {"epoch": [e.seconds for e in history], "val": [e.val_seconds for e in history]}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--one", choices=["ref", "stockrnn"])
    a = p.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.epochs)))
        return
    per: dict[str, list[float]] = {"ref": [], "stockrnn": []}
    val: list[float] = []
    for _ in range(a.pairs):
        for which in ("ref", "stockrnn"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", which, "--epochs", str(a.epochs)],
                check=True,
                capture_output=True,
                text=True,
            )
            times = json.loads(out.stdout)
            per[which].append(statistics.mean(times["epoch"][1:]))  # epoch 1 warms up
            val += times["val"][1:]
    for which, runs in per.items():
        print(
            f"{which:9s} s/epoch per run: {', '.join(f'{t:.3f}' for t in runs)}; "
            f"median {statistics.median(runs):.3f}"
        )
    ratio = statistics.median(per["stockrnn"]) / statistics.median(per["ref"])
    both = (statistics.median(per["stockrnn"]) + statistics.median(val)) / statistics.median(
        per["ref"]
    )
    print(f"stockrnn / reference, training pass: {ratio:.2f} (below 1 = stockrnn faster)")
    print(
        f"stockrnn's validation pass (early stopping; the reference has none): median "
        f"{statistics.median(val):.3f} s/epoch; training + validation / reference: {both:.2f}"
    )


if __name__ == "__main__":
    main()
