"""Training with glibc's default thresholds against common.allocator.keep_freed (what the
console script sets), at several batch sizes.

usage: python bench/allocator.py [--pairs 2] [--epochs 6] [--batches 64,256,1024]

On the 3,461 training windows of ../shared/bench/data/sp500.csv (LSTM hidden 64, window 60,
OHLC, Adam 1e-3, seed 42), `loop.fit` trains for a fixed number of epochs, each run in its own
process, alternating the two settings so that the VM's drift hits both alike. Prints, per
batch size and setting, the median training pass (s/epoch, epoch 1 left out as warm-up), the
minor page faults per optimiser step and the peak resident memory, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def run_one(keep: bool, batch: int, epochs: int) -> dict[str, float]:
    from stockrnn.common import allocator

    if keep and not allocator.keep_freed():
        raise SystemExit("keep_freed did not apply here (not glibc, or MALLOC_* set)")
    import torch
    from epoch_speed import samples

    from stockrnn.common.choices import Cell
    from stockrnn.dataset.config import Part
    from stockrnn.model import loop
    from stockrnn.model.config import ModelConfig, TrainConfig
    from stockrnn.model.network import Forecaster

    s = samples()
    torch.manual_seed(42)
    model = Forecaster(ModelConfig(cell=Cell.lstm, n_features=4))
    cfg = TrainConfig(epochs=epochs, patience=10**6, batch_size=batch)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    history = loop.fit(model, s, cfg, torch.device("cpu")).history
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    steps = epochs * -(-len(s.targets[Part.train]) // batch)
    return {
        "epoch": statistics.median(e.seconds for e in history[1:]),
        "faults": faults / steps,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=2)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batches", default="64,256,1024")
    p.add_argument("--one", nargs=2, metavar=("SETTING", "BATCH"))
    a = p.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one[0] == "keep", int(a.one[1]), a.epochs)))
        return
    print("| batch | glibc default: s/epoch, faults/step, peak MB | kept: same | kept / default |")
    print("|---|---|---|---|")
    for batch in (int(b) for b in a.batches.split(",")):
        runs: dict[str, list[dict[str, float]]] = {"default": [], "keep": []}
        for _ in range(a.pairs):
            for setting in runs:
                cmd = [sys.executable, __file__, "--one", setting, str(batch)]
                out = subprocess.run(
                    [*cmd, "--epochs", str(a.epochs)], check=True, capture_output=True, text=True
                )
                runs[setting].append(json.loads(out.stdout))
        med = {
            k: {m: statistics.median(r[m] for r in v) for m in ("epoch", "faults", "rss_mb")}
            for k, v in runs.items()
        }
        cells = [f"{m['epoch']:.3f}, {m['faults']:,.0f}, {m['rss_mb']:.0f}" for m in med.values()]
        ratio = med["keep"]["epoch"] / med["default"]["epoch"]
        print(f"| {batch} | {cells[0]} | {cells[1]} | {ratio:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
