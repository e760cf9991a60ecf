"""CPU inference in chunks of the budget in model.config against one pass over the batch.

usage: python bench/inference_chunks.py [--reps 10] [--hidden 64] [--keep]

On the harness's S&P 500 index (../shared/bench/data/sp500.csv, window 60, OHLC), an LSTM
(untrained: the arithmetic is the same) runs, alternately in one process:
- the validation pass of every epoch (754 windows): `predict_rows` in one pass against
  passes of the budget's rows (CPU_CHUNK_FLOATS of LSTM output, at least MIN_CPU_ROWS);
- the interval calibration's 10-step roll from the 754 validation origins: `roll` over the
  whole batch against the same roll chunk by chunk.
--keep first raises glibc's thresholds as the console script does (common/allocator.py).
Prints the median time of each, the minor page faults per pass, the ratio, and the largest
difference between the two outputs (0 if chunking changes no bit).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from stockrnn.common import allocator
from stockrnn.common.choices import Cell
from stockrnn.dataset.config import Part
from stockrnn.forecast import rollout
from stockrnn.model import config
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster
from stockrnn.model.windows import Windows, predict_rows

sys.path.insert(0, str(Path(__file__).parent))
from epoch_speed import samples  # noqa: E402

STEPS = 10  # intervals.CAL_STEPS


def timed(fn: Callable[[], np.ndarray], reps: int) -> tuple[list[float], float, np.ndarray]:
    """(seconds per call, minor page faults per call, the last output)."""
    out = fn()  # warm
    times = []
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / reps
    return times, faults, out


def compare(
    name: str, old: Callable[[], np.ndarray], new: Callable[[], np.ndarray], reps: int
) -> None:
    per: dict[str, list[float]] = {"whole": [], "chunks": []}
    faults: dict[str, list[float]] = {"whole": [], "chunks": []}
    outs: dict[str, np.ndarray] = {}
    for _ in range(3):  # alternate, so the VM's drift hits both alike
        for label, fn in (("whole", old), ("chunks", new)):
            t, f, outs[label] = timed(fn, reps)
            per[label] += t
            faults[label].append(f)
    med = {k: statistics.median(v) for k, v in per.items()}
    diff = float(np.max(np.abs(outs["whole"] - outs["chunks"])))
    print(
        f"{name}: whole batch {med['whole'] * 1e3:.1f} ms ({statistics.mean(faults['whole']):,.0f} "
        f"faults/pass), chunks {med['chunks'] * 1e3:.1f} ms "
        f"({statistics.mean(faults['chunks']):,.0f} faults/pass); chunks / whole "
        f"{med['chunks'] / med['whole']:.2f}; largest difference {diff:.1e}",
        flush=True,
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--keep", action="store_true", help="allocator.keep_freed() first")
    a = p.parse_args()
    if a.keep and not allocator.keep_freed():
        raise SystemExit("keep_freed did not apply here (not glibc, or MALLOC_* set)")
    s = samples()
    torch.manual_seed(42)
    model = Forecaster(ModelConfig(cell=Cell.lstm, n_features=4, hidden=a.hidden)).eval()
    windows = Windows(s, torch.device("cpu"))
    val = s.targets[Part.val]
    x = windows.inputs(torch.from_numpy(val)).contiguous().numpy()  # the validation windows
    rows = config.cpu_chunk(s.window, a.hidden)  # what inference on CPU takes
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; LSTM hidden {a.hidden}, "
        f"window {s.window}, {len(val)} windows; chunks of {rows} rows; "
        f"glibc thresholds {'raised' if a.keep else 'as they are'}",
        flush=True,
    )

    def roll_in(size: int) -> np.ndarray:
        with torch.no_grad():
            parts = [rollout.roll(model, torch.from_numpy(x[i : i + size]), STEPS).numpy()
                     for i in range(0, len(x), size)]  # fmt: skip
            return np.concatenate(parts)

    compare(
        "validation pass",
        lambda: predict_rows(model, windows, val, chunk=len(val)),
        lambda: predict_rows(model, windows, val, chunk=rows),
        a.reps,
    )
    compare(
        f"calibration roll, {STEPS} steps",
        lambda: roll_in(len(x)),
        lambda: roll_in(rows),
        a.reps,
    )


if __name__ == "__main__":
    main()
