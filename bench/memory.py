"""Peak RSS of `stockrnn train` for one epoch on all 505 tickers of ../shared/data/ohlcv/sp500_5yr.

usage: python bench/memory.py [--epochs 1] [--checkout DIR]
Imports the files into a temporary data folder (library calls, not timed), then runs the real
CLI in a subprocess and reads its peak resident memory from the kernel (getrusage).
--checkout runs another checkout's CLI instead (bench/checkouts.py), for an A/B.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import checkouts  # noqa: E402

SP500 = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv" / "sp500_5yr"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--checkout", help="another checkout's stockrnn to run")
    args = parser.parse_args()
    print(f"stockrnn train from {checkouts.source(args.checkout)}", flush=True)
    from stockrnn.common.choices import Source
    from stockrnn.common.errors import StockrnnError
    from stockrnn.data.fetch import fetch_one
    from stockrnn.data.fetch_types import FetchConfig, FetchOptions

    files = sorted(SP500.glob("*_data.csv"))
    if not files:
        sys.exit(f"no files in {SP500}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        failed = 0
        for path in files:
            try:
                fetch_one(
                    data,
                    FetchConfig(
                        path.stem.removesuffix("_data"), FetchOptions(source=Source.csv, csv=path)
                    ),
                )
            except StockrnnError:
                failed += 1
        rows = sum(1 for _ in data.glob("*.csv"))
        cmd = [
            *checkouts.cli(args.checkout),
            "train",
            "--data-dir",
            str(data),
            "--models-dir",
            str(Path(tmp) / "models"),
            "--epochs",
            str(args.epochs),
            "--cell",
            "lstm",
            "--hidden",
            "64",
            "--window",
            "60",
            "--json",
        ]
        t0 = time.perf_counter()
        out = subprocess.run(
            cmd, capture_output=True, text=True, env=checkouts.environ(args.checkout)
        )
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit(out.stderr)
        import json

        summary = json.loads(out.stdout)
        meta = summary["meta"]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"tickers imported: {rows} of {len(files)} ({failed} refused); trained on "
            f"{len(meta['tickers'])} ({len(summary['notes'])} notes: tickers left out, "
            "too short or without test days)"
        )
        print(
            f"train windows: {meta['samples']['train']}, epochs: {args.epochs}, "
            f"epoch {meta['fit']['timings']['epoch_s'][0]:.1f} s, whole command {wall:.1f} s"
        )
        print(f"peak RSS of `stockrnn train`: {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
