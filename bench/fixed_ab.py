"""A/B of stockrnn's fixed cost on the peer harness's task: `fetch --csv` plus `train` minus
its epochs, for two checkouts, interleaved.

usage: python bench/fixed_ab.py EPOCHS RUNS CHECKOUT_A CHECKOUT_B [--csv FILE]
Each checkout is a folder holding a `stockrnn/` package (a `git worktree add` of another
commit, say), run ahead of the installed one (bench/checkouts.py). Prints per checkout
the medians of the fetch wall, the train wall minus the sum of its epochs, and their sum.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import checkouts  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("epochs")
    parser.add_argument("runs", type=int)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--csv", default=str(HERE.parent.parent / "shared/bench/data/sp500.csv"))
    opts = parser.parse_args()
    for src in (opts.a, opts.b):
        print(f"{src}: runs {checkouts.source(src)}")
    split = ["--train-end", "2012-12-31", "--val-end", "2015-12-29", "--window", "60"]
    fit = ["--epochs", opts.epochs, "--patience", "1000", "--batch-size", "64", "--hidden", "64"]
    rows: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(opts.runs):
            for label, src in (("A", opts.a), ("B", opts.b)):
                ws = Path(tmp) / label
                shutil.rmtree(ws, ignore_errors=True)
                cli, env = checkouts.cli(src), checkouts.environ(src)
                t0 = time.perf_counter()
                subprocess.run(
                    [*cli, "fetch", "BENCH", "--csv", opts.csv, "--data-dir", str(ws / "data")],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                fetch = time.perf_counter() - t0
                where = ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
                t0 = time.perf_counter()
                subprocess.run(
                    [*cli, "train", "BENCH", *where, "--cell", "lstm", *split, *fit]
                    + ["--lr", "0.001", "--seed", "42", "--timings", str(ws / "t.json")]
                    + ["--predictions-out", str(ws / "test.csv")],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                train = time.perf_counter() - t0
                epochs = sum(json.loads((ws / "t.json").read_text())["epoch_s"])
                got = rows.setdefault(src, {"fetch": [], "train - epochs": [], "fixed": []})
                got["fetch"].append(fetch)
                got["train - epochs"].append(train - epochs)
                got["fixed"].append(fetch + train - epochs)
    for src, got in rows.items():
        cells = "  ".join(f"{k} {statistics.median(v):.3f} s" for k, v in got.items())
        print(f"{src}: {cells} (medians of {opts.runs})")


if __name__ == "__main__":
    main()
