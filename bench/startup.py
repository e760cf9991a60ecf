"""Wall time of the commands that answer at once: `stockrnn --help` (must not import torch,
pandas or yfinance), and `list` and `models` in a workspace holding the three bundled sample
tickers (they must not import torch), beside a bare interpreter, interleaved.

usage: python bench/startup.py [--runs 10] [--checkout DIR]
--checkout runs another checkout's `stockrnn/` (a `git worktree` of an older commit, say;
bench/checkouts.py), to time its commands in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import checkouts  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--checkout", help="another checkout, timed beside this one")
    args = parser.parse_args()
    clis = {"": (checkouts.cli(), checkouts.environ())}
    if args.checkout:
        clis[f" ({args.checkout})"] = (
            checkouts.cli(args.checkout),
            checkouts.environ(args.checkout),
        )
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "stockrnn.toml").write_text("[workspace]\n")  # its own data/ and models/
        fetch = [*checkouts.cli(), "fetch", "AAPL", "MSFT", "IBM", "--source", "sample"]
        subprocess.run(fetch, check=True, capture_output=True, cwd=ws)
        print(f"stockrnn (this environment): {checkouts.source(cwd=ws)}")  # what each label times
        if args.checkout:
            print(f"stockrnn ({args.checkout}): {checkouts.source(args.checkout, ws)}")
        cases = {"bare interpreter": ([sys.executable, "-c", "pass"], checkouts.environ())}
        for label, (cli, env) in clis.items():
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
