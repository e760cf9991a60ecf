"""GPU training speed: stockrnn eager vs CUDA graphs, fp32 vs bf16, against a minimal loop.

usage: python bench/gpu.py [--epochs 2] [--batches 64,1024,8192] [--cpu-only]

On the 505 tickers of ../shared/data/ohlcv/sp500_5yr (402k training windows with the default
split), LSTM hidden 64, window 60, OHLC, it runs `stockrnn train` for a fixed number of
epochs for every batch size, on CUDA eager (--no-cuda-graphs) and with graphs, in fp32 and
bf16, and on the CPU at batch 64 and 1024; and a minimal loop (every window pre-built on the
device, shuffled index batches, Adam, MSE: the loop the issue measured) at the same batch
sizes on CUDA, and at batch 1024 on the CPU.
Prints the card's name, s/epoch and windows/s of the training passes (the median epoch), and
each command's time outside its epochs (wall time minus training and validation passes),
split into reading the 505 cached series, building the samples, evaluation (interval
calibration and the test forecasts) and the rest (start-up, model set-up, saving, exit).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stockrnn.dataset import config, sampling
from stockrnn.dataset.config import Part

sys.path.insert(0, str(Path(__file__).parent))
from sp500 import CLI, import_all, minimal_loop, series, train_args  # noqa: E402


def stockrnn_row(data: Path, tmp: Path, label: str, epochs: int, flags: list[str]) -> None:
    timings = tmp / "t.json"
    cmd = [*CLI, *train_args(data, tmp / "m", "g", epochs, timings), *flags]
    t0 = time.perf_counter()
    got = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if got.returncode:
        print(f"| {label} | failed: {got.stderr.strip().splitlines()[-1]} |", flush=True)
        return
    t = json.loads(timings.read_text())
    epoch = statistics.median(t["epoch_s"])
    rate = t["samples_seen"] / len(t["epoch_s"]) / epoch
    outside = wall - sum(t["epoch_s"]) - sum(t["val_s"])
    parts = (t["load_s"], t["prepare_s"], t["evaluate_s"])
    other = outside - sum(parts)  # start-up, model set-up, checkpoint, exit
    split = " / ".join(f"{x:.1f}" for x in (*parts, other))
    print(f"| {label} | {epoch:.2f} | {rate / 1000:,.1f}k | {outside:.1f} | {split} |", flush=True)


def minimal_rows(
    data: Path, batches: list[int], epochs: int, bf16: bool, device: str = "cuda"
) -> None:
    """The issue's minimal loop, on the same training windows, fed from the device."""
    import torch

    from stockrnn.model.windows import Windows

    cfg = config.DataConfig()
    samples, _ = sampling.build(series(data, cfg), cfg)
    dev = torch.device(device)
    win = Windows(samples, dev)
    rows = torch.from_numpy(samples.targets[Part.train]).to(dev)
    x, y = win.inputs(rows).contiguous(), win.targets(rows).contiguous()
    for batch in batches:
        epoch = statistics.median(minimal_loop(x, y, batch, epochs, bf16))
        tag = "bf16" if bf16 else "fp32"
        rate = len(x) / epoch / 1000
        label = f"minimal loop {dev.type}, batch {batch}, {tag}"
        print(f"| {label} | {epoch:.2f} | {rate:,.1f}k | - | - |", flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batches", default="64,1024,8192")
    p.add_argument("--cpu-only", action="store_true")
    a = p.parse_args()
    import torch

    batches = [int(b) for b in a.batches.split(",")]
    tmp = Path(tempfile.mkdtemp())
    data = tmp / "data"
    print(f"import of 505 tickers: {import_all(data, tmp):.1f} s")
    cuda = torch.cuda.is_available() and not a.cpu_only
    card = torch.cuda.get_device_name(0) if cuda else "no CUDA device"
    print(f"torch {torch.__version__}; GPU: {card}; {a.epochs} epochs per run\n")
    print("| run | s/epoch | windows/s | s outside the epochs |", end="")
    print(" load / prepare / evaluate / other |")
    print("|---|---|---|---|---|")
    if cuda:
        for batch in batches:
            for graphs in (False, True):
                for precision in ("fp32", "bf16"):
                    flag = "--cuda-graphs" if graphs else "--no-cuda-graphs"
                    mode = "graphs" if graphs else "eager"
                    label = f"stockrnn cuda, batch {batch}, {mode}, {precision}"
                    flags = ["--device", "cuda", "--batch-size", str(batch), flag]
                    stockrnn_row(data, tmp, label, a.epochs, [*flags, "--precision", precision])
        for bf16 in (False, True):
            minimal_rows(data, batches, a.epochs, bf16)
    for batch in (64, 1024):
        flags = ["--device", "cpu", "--batch-size", str(batch)]
        stockrnn_row(data, tmp, f"stockrnn cpu, batch {batch}, fp32", a.epochs, flags)
    minimal_rows(data, [1024], a.epochs, False, device="cpu")  # the eager ratio at a large batch


if __name__ == "__main__":
    main()
