"""Large batches need a larger learning rate: which one, checked by the validation loss.

usage: python bench/lr_scale.py [--tickers 100] [--epochs 30] [--patience 5]
                                [--runs 64:1e-3,1024:1e-3,1024:4e-3,1024:1.6e-2,...]

The optimisation is the same arithmetic on any device, so this runs on the CPU: the first
`--tickers` files of ../shared/data/ohlcv/sp500_5yr (default split, LSTM h64 W60, seed 42)
are trained to early stopping for each batch:learning-rate pair, and each run's best
validation loss, its epoch, the epochs run and the test split's rel. MAE (vs naive) are
printed. The rules compared: the same lr as batch 64, the square-root rule (lr x
sqrt(batch / 64)) and the linear rule (lr x batch / 64).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from stockrnn.common.choices import Device
from stockrnn.dataset.config import Part
from stockrnn.pipelines import fitting, request

sys.path.insert(0, str(Path(__file__).parent))
from sp500 import import_all, series  # noqa: E402

RUNS = "64:1e-3,1024:1e-3,1024:4e-3,1024:1.6e-2,8192:1e-3,8192:1.13e-2,8192:0.128"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickers", type=int, default=100)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--runs", default=RUNS)
    a = p.parse_args()

    from stockrnn.common.errors import DivergedError
    from stockrnn.model.config import TrainConfig

    tmp = Path(tempfile.mkdtemp())
    data = tmp / "data"
    import_all(data, tmp, a.tickers)
    req = request.TrainRequest(data_dir=data, models_dir=tmp / "models")
    kept = series(data, req.data)
    print(f"{len(kept)} tickers; up to {a.epochs} epochs, patience {a.patience}, CPU\n")
    print("| batch | lr | rule | best val loss | best epoch | epochs run | test rel. MAE | s |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for run in a.runs.split(","):
        batch, lr = int(run.split(":")[0]), float(run.split(":")[1])
        ratio = lr / 1e-3
        rule = (
            "same"
            if abs(ratio - 1) < 0.01
            else "sqrt"
            if abs(ratio - (batch / 64) ** 0.5) / ratio < 0.01
            else "linear"
            if abs(ratio - batch / 64) / ratio < 0.01
            else "-"
        )
        req = replace(
            req,
            train=TrainConfig(
                lr=lr, batch_size=batch, epochs=a.epochs, patience=a.patience, device=Device.cpu
            ),
        )
        t0 = time.perf_counter()
        try:
            fit = fitting.fit_series(kept, req)
        except DivergedError as exc:
            print(f"| {batch} | {lr:g} | {rule} | diverged: {exc} | | | | |", flush=True)
            continue
        took = time.perf_counter() - t0
        res = fit.result
        test = fitting.part_one_step(fit, kept, Part.test)
        rel = float(abs(test.pred - test.actual).mean() / abs(test.naive - test.actual).mean())
        cells = [batch, f"{lr:g}", rule, f"{res.best_val:.5f}", res.best_epoch]
        cells += [len(res.history), f"{rel:.4f}", f"{took:.0f}"]
        print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
