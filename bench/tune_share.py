"""Two `stockrnn tune` workers sharing one study on this machine's cores, against one worker
running the same number of trials alone (goal: at most 1.2x), and the same pair with torch's
old default of every core per process (`--threads` = the core count) as the before.

usage: python bench/tune_share.py [--trials 8] [--epochs 4] [--rounds 1] [--no-before]
(--no-before leaves out the oversubscribed pair, which takes minutes.)
Each case gets its own study in its own database; the bundled AAPL sample is the data.
With --rounds N the lone worker and the pair alternate N times, so that the VM's drift hits
both alike; the ratio reported is that of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "stockrnn"]


def workers(ws: Path, n: int, study: str, a: argparse.Namespace, extra: list[str]) -> float:
    argv = [*CLI, "tune", "AAPL", "--trials", str(a.trials), "--folds", "2"]
    argv += ["--epochs", str(a.epochs), "--patience", "2", "--study", study]
    argv += ["--storage", f"sqlite:///{ws / (study + '.db')}", *extra]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(argv, cwd=ws, stdout=subprocess.DEVNULL) for _ in range(n)]
    if any(p.wait() for p in procs):
        raise SystemExit(f"a worker failed: {' '.join(argv)}")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-before", action="store_true")
    a = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "stockrnn.toml").write_text("[workspace]\n")
        subprocess.run(
            [*CLI, "fetch", "AAPL", "--source", "sample"], cwd=ws, check=True, capture_output=True
        )
        ones, twos = [], []
        for k in range(a.rounds):
            ones.append(workers(ws, 1, f"alone{k}", a, []))
            twos.append(workers(ws, 2, f"shared{k}", a, []))
            print(f"round {k + 1}: alone {ones[-1]:.1f} s, pair {twos[-1]:.1f} s", flush=True)
        one, two = statistics.median(ones), statistics.median(twos)
        before = None if a.no_before else workers(ws, 2, "before", a, ["--threads", str(cores)])
    print(f"{cores} cores, {a.trials} trials of {a.epochs} epochs x 2 folds, one study each")
    print(f"medians of {a.rounds} alternating round(s)")
    print(f"one worker alone:                  {one:6.1f} s")
    print(f"two workers, threads shared:       {two:6.1f} s  ({two / one:.2f}x one alone)")
    if before is not None:
        print(f"two workers, {cores} threads each (before): {before:6.1f} s  ({before / one:.2f}x)")


if __name__ == "__main__":
    main()
