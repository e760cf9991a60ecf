"""What thinning the interval calibration's validation origins costs and saves.

usage: python bench/calibration.py [--epochs 1] [--caps 0,32768,16384,8192,4096]

On the 505 tickers of ../shared/data/ohlcv/sp500_5yr (default split, LSTM h64 W60, CPU), it
trains one model, then calibrates its intervals from all validation origins (cap 0) and from
evenly thinned sets, and prints for each: the calibration's time, the 80% and 95% half-widths
at steps 1 and 5 (in units of each origin's volatility), and the coverage those widths give on
the test span at steps 1 and 5. The test forecasts are made once; only the widths change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from stockrnn.common.choices import Device
from stockrnn.dataset.config import Part
from stockrnn.pipelines import fitting, request

sys.path.insert(0, str(Path(__file__).parent))
from sp500 import import_all, series  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--caps", default="0,32768,16384,8192,4096")
    a = p.parse_args()
    from stockrnn.forecast import intervals
    from stockrnn.forecast.rollout import paths
    from stockrnn.model.config import TrainConfig

    tmp = Path(tempfile.mkdtemp())
    data = tmp / "data"
    print(f"import of 505 tickers: {import_all(data, tmp):.1f} s", flush=True)
    cfg = TrainConfig(epochs=a.epochs, patience=a.epochs + 1, device=Device.cpu)
    req = request.TrainRequest(data_dir=data, models_dir=tmp / "models", train=cfg)
    kept = series(data, req.data)
    t0 = time.perf_counter()
    fit = fitting.fit_series(kept, req)
    print(f"trained {a.epochs} epoch(s) in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    err, sig = [], []  # per test origin: |log(actual / pred)| at steps 1..5, and its sigma
    for s, local in zip(kept, fitting.target_rows_by_series(fit, Part.test), strict=True):
        origins = local[local + 4 <= local.max()] - 1 if len(local) else local
        if not len(origins):
            continue
        pred = paths(fit.predictor, s, origins, 5).close
        actual = s.close[origins[:, None] + np.arange(1, 6)]
        err.append(np.abs(np.log(actual / pred)))
        sig.append(fit.predictor.sigma(s, origins))
    e, sigma = np.concatenate(err), np.concatenate(sig)
    print(f"test forecasts, 5 steps from {len(e):,} origins: {time.perf_counter() - t0:.1f} s")
    print(f"validation origins: {len(fit.samples.targets[Part.val]):,}\n")
    print("| cap | origins used (step 1) | s | w80 h1 | w80 h5 | w95 h1 | w95 h5 |", end="")
    print(" test cov80 h1 | h5 | test cov95 h1 | h5 |")
    print("|---" * 11 + "|")
    for cap in (int(c) for c in a.caps.split(",")):
        t0 = time.perf_counter()
        by_step, counts = fitting.calibration(fit, kept, cap or 10**12)
        took = time.perf_counter() - t0
        row = [f"{cap or 'all'}", f"{counts[0]:,}", f"{took:.1f}"]
        covs = []
        for level in (0.8, 0.95):
            w = intervals.step_widths(by_step, level, 5, counts)
            row += [f"{w[0]:.4f}", f"{w[4]:.4f}"]
            covs += [f"{np.mean(e[:, h] <= w[h] * sigma):.2%}" for h in (0, 4)]
        print("| " + " | ".join(row + covs) + " |", flush=True)


if __name__ == "__main__":
    main()
