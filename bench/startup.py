"""Wall time of the commands that answer at once: `stockrnn --help` (must not import torch,
pandas or yfinance), and `list` and `models` in a workspace holding the three bundled sample
tickers (they must not import torch), beside a bare interpreter, interleaved.

usage: python bench/startup.py [--runs 10] [--checkout DIR]
--checkout puts another checkout's `stockrnn/` first on PYTHONPATH (a `git worktree` of an
older commit, say), to time its commands in the same run.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--checkout", help="another checkout, timed beside this one")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "stockrnn"]
    checkouts = {"": dict(os.environ)}
    if args.checkout:
        other = str(Path(args.checkout).resolve())  # the commands run in a temporary folder
        checkouts[f" ({args.checkout})"] = {**os.environ, "PYTHONPATH": other}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "stockrnn.toml").write_text("[workspace]\n")  # its own data/ and models/
        fetch = [*cli, "fetch", "AAPL", "MSFT", "IBM", "--source", "sample"]
        subprocess.run(fetch, check=True, capture_output=True, cwd=ws)
        for label, env in checkouts.items():  # say which code each label times
            where = [sys.executable, "-c", "import stockrnn; print(stockrnn.__file__)"]
            out = subprocess.run(where, check=True, capture_output=True, text=True, cwd=ws, env=env)
            print(f"stockrnn{label or ' (this environment)'}: {out.stdout.strip()}")
        cases = {"bare interpreter": ([sys.executable, "-c", "pass"], dict(os.environ))}
        for label, env in checkouts.items():
            for command in ("--help", "list", "models"):
                cases[f"stockrnn {command}{label}"] = ([*cli, command], env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (argv, env) in cases.items():
                t0 = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True, cwd=ws, env=env)
                times[name].append(time.perf_counter() - t0)
    for name, runs in times.items():
        print(
            f"{name}: median {statistics.median(runs):.3f} s, "
            f"min {min(runs):.3f} s over {args.runs} runs"
        )


if __name__ == "__main__":
    main()
