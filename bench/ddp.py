"""Data-parallel training speed: 1 process against 2 (torchrun, gloo), and a two-"node" run.

usage: python bench/ddp.py [--epochs 2] [--skip-nodes]

Imports the 505 tickers of ../shared/data/ohlcv/sp500_5yr into a temporary data folder, then
trains the default LSTM (hidden 64, window 60, OHLC, global batch 64, seed 42) for a fixed
number of epochs (patience above it) with `stockrnn train --nproc 1` and `--nproc 2`, and once
more as two torchrun launchers of one process each, joined through one c10d rendezvous
endpoint on localhost (the multi-node form). Prints s/epoch and windows/s of the training
passes (from --timings) and each command's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sp500 import CLI, SP500, import_all, train_args  # noqa: E402


def report(label: str, timings: Path, wall: float) -> None:
    t = json.loads(timings.read_text())
    epochs = t["epoch_s"]
    per = t["samples_seen"] / len(epochs)
    rates = [per / s for s in epochs]
    print(
        f"| {label} | {' / '.join(f'{s:.1f}' for s in epochs)} | "
        f"{' / '.join(f'{r / 1000:.1f}k' for r in rates)} | {wall:.0f} |",
        flush=True,
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--skip-nodes", action="store_true")
    a = p.parse_args()
    if not SP500.is_dir():
        sys.exit(f"{SP500} not found")
    tmp = Path(tempfile.mkdtemp())
    data, models = tmp / "data", tmp / "models"
    print(f"import of 505 tickers (fetch --csv --all): {import_all(data, tmp):.1f} s\n")
    print("| run | s/epoch (training pass) | windows/s | command wall s |")
    print("|---|---|---|---|")
    for n in (1, 2):
        timings = tmp / f"t{n}.json"
        t0 = time.perf_counter()
        args = train_args(data, models, f"p{n}", a.epochs, timings)
        subprocess.run([*CLI, *args, "--nproc", str(n)], check=True, capture_output=True)
        report(f"`--nproc {n}`", timings, time.perf_counter() - t0)
    if a.skip_nodes:
        return
    timings = tmp / "nodes.json"
    args = train_args(data, models, "nodes", a.epochs, timings)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    launchers = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "torch.distributed.run", "--nnodes", "2"),
                *("--nproc-per-node", "1", "--node-rank", str(rank)),
                *("--rdzv-backend", "c10d", "--rdzv-endpoint", "localhost:29517"),
                *("--rdzv-id", "bench", "-m", "stockrnn", *args),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for rank in (0, 1)
    ]
    t0 = time.perf_counter()
    codes = [proc.wait() for proc in launchers]
    if any(codes):
        sys.exit(f"two-node run failed: exit codes {codes}")
    report("two launchers (`--nnodes 2`, c10d on localhost)", timings, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
