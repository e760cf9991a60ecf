"""Wall time of `stockrnn --help` (must not import torch, pandas or yfinance).

usage: python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "stockrnn", "--help"]
    base = [sys.executable, "-c", "pass"]
    times: list[float] = []
    bare: list[float] = []
    for _ in range(args.runs):
        for argv, into in ((cmd, times), (base, bare)):
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            into.append(time.perf_counter() - t0)
    print(
        f"stockrnn --help: median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s over {args.runs} runs "
        f"(bare interpreter: median {statistics.median(bare):.3f} s)"
    )


if __name__ == "__main__":
    main()
