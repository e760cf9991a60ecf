"""Time the cycle collector costs the harness's commands, paused (as the console script runs
them) and not (stockrnn.common.collector.pause made a no-op), interleaved.

usage: python bench/collector.py [--runs 3] [--csv ../shared/bench/data/sp500.csv]
Runs `fetch --csv` and `train` (2 epochs, the harness's other options) and `predict`, each in
its own process through the console script's entry, and prints per command the median
seconds spent collecting (gc.callbacks), the collections by generation, and the wall time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPY = textwrap.dedent(
    """
    import gc, json, os, sys, time
    spent, counts, began = [0.0], [0, 0, 0], [0.0]
    def timer(phase, info):
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - began[0]
            counts[info["generation"]] += 1
    gc.callbacks.append(timer)
    if sys.argv[1] == "off":
        from stockrnn.common import collector
        collector.pause = lambda: None
    leave = os._exit
    def report(code):
        print("GC " + json.dumps([spent[0], counts]), file=sys.stderr, flush=True)
        leave(code)
    os._exit = report
    sys.argv = ["stockrnn", *sys.argv[2:]]
    from stockrnn.cli.entry import main
    try:
        main()
    except SystemExit as exc:
        report(exc.code or 0)
    """
)


def run(mode: str, args: list[str]) -> tuple[float, float, list[int]]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", SPY, mode, *args], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - t0
    line = next(x for x in proc.stderr.splitlines() if x.startswith("GC "))
    spent, counts = json.loads(line[3:])
    return spent, wall, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", default=str(HERE.parent.parent / "shared/bench/data/sp500.csv"))
    opts = parser.parse_args()
    results: dict[tuple[str, str], list[tuple[float, float, list[int]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(opts.runs):
            for mode in ("paused", "off"):
                ws = Path(tmp) / mode
                shutil.rmtree(ws, ignore_errors=True)
                where = ["--data-dir", str(ws / "data")]
                models = [*where, "--models-dir", str(ws / "models")]
                train = ["train", "BENCH", *models, "--cell", "lstm", "--window", "60"]
                train += ["--train-end", "2012-12-31", "--val-end", "2015-12-29"]
                train += ["--epochs", "2", "--batch-size", "64", "--hidden", "64", "--seed", "42"]
                for name, args in (
                    ("fetch --csv", ["fetch", "BENCH", "--csv", opts.csv, *where]),
                    ("train", train),
                    ("predict", ["predict", "BENCH", *models]),
                ):
                    results.setdefault((name, mode), []).append(run(mode, args))
    for (name, mode), rows in results.items():
        spent = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        print(
            f"{name:12s} {mode:6s}: collecting {spent:.3f} s, wall {wall:.2f} s "
            f"(medians of {len(rows)}; collections by generation in the last run {rows[-1][2]})"
        )


if __name__ == "__main__":
    main()
