"""Forecast skill of rnn, lstm and gru in walk-forward backtests on the real tickers in
../shared/data/ohlcv, beside the naive and drift baselines. Prints one markdown table.

usage: python bench/skill.py [--folds 3] [--horizon 5] [--epochs 30] [--patience 5]
           [--tickers AAPL,SPY,...] [--cells rnn,lstm,gru]
Also times one default 5-fold backtest on the bundled sample's AAPL through the real CLI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OHLCV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv"
TICKERS = "AAPL,GOOG,SPY,INTC,GSPC,ORCL,IBM,MSFT,AMZN,NVDA,TSLA"


def fmt(v: float | None, spec: str = ".3f") -> str:
    return "n/a" if v is None else format(v, spec)


def row(cell: str, ticker: str, rep: object) -> str:
    o = rep.overall  # type: ignore[attr-defined]
    s1 = rep.per_step[0]  # type: ignore[attr-defined]
    cov = o.coverage
    p1, p_all = s1.vs_naive.p_value, o.vs_naive.p_value
    per = [100 * r.coverage for r in rep.coverage if r.coverage is not None]  # type: ignore[attr-defined]
    steps = " / ".join(f"{c:.0f}" for c in per)
    return (
        f"| {cell} | {ticker} | {o.model.n} | {fmt(s1.model.rel_mae)} | {fmt(p1)} | "
        f"{fmt(o.model.rel_mae)} | {fmt(o.model.mase, '.2f')} | {fmt(o.drift.rel_mae)} | "
        f"{fmt(p_all)} | {fmt(o.model.diracc, '.1f')} | {fmt(o.drift.diracc, '.1f')} | "
        f"{fmt(None if cov is None else 100 * cov, '.1f')} | {steps} |"
    )


def time_default_backtest() -> float:
    cli = [sys.executable, "-m", "stockrnn"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [*cli, "fetch", "AAPL", "--source", "sample"], cwd=tmp, check=True, capture_output=True
        )
        t0 = time.perf_counter()
        subprocess.run(
            [*cli, "backtest", "AAPL", "--folds", "5", "--horizon", "5"],
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--horizon", type=int, default=5)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--tickers", default=TICKERS)
    p.add_argument("--cells", default="rnn,lstm,gru")
    p.add_argument("--skip-timing", action="store_true")
    a = p.parse_args()
    from stockrnn import backtest
    from stockrnn.dataset import DataConfig
    from stockrnn.experiment import TrainRequest
    from stockrnn.fetch import FetchConfig, fetch_one
    from stockrnn.model import ModelConfig
    from stockrnn.train import TrainConfig

    if not OHLCV.is_dir():
        sys.exit(f"{OHLCV} not found")
    t_all = time.perf_counter()
    print(
        f"settings: walk-forward, {a.folds} folds (expanding window from 50% of each series), "
        f"horizon {a.horizon}, window 60, hidden 64, 1 layer, OHLC log-relative features, "
        f"standard scaler, Adam lr 1e-3, batch 64, up to {a.epochs} epochs, patience "
        f"{a.patience}, seed 42, 80% conformal intervals; one model per ticker and cell\n"
    )
    print(
        "| cell | ticker | forecasts | rel. MAE step 1 | DM p step 1 | rel. MAE all steps | "
        "MASE all steps | drift rel. MAE | DM p all steps | dir % | drift dir % | 80% cover % | "
        "cover % per step |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        tickers = a.tickers.split(",")
        for t in tickers:
            fetch_one(data, FetchConfig(t, "csv", csv=OHLCV / f"{t}.csv"))
        for cell in a.cells.split(","):
            for t in tickers:
                req = TrainRequest(
                    data,
                    Path(tmp) / "m",
                    "bt",
                    [t],
                    DataConfig(),
                    ModelConfig(cell),
                    TrainConfig(epochs=a.epochs, patience=a.patience),
                )
                rep = backtest.run(
                    req, Path(tmp) / "m", backtest.BacktestConfig(a.folds, a.horizon)
                )
                print(row(cell, t, rep), flush=True)
    print(f"\nwhole benchmark: {time.perf_counter() - t_all:.0f} s")
    if not a.skip_timing:
        print(
            f"`stockrnn backtest AAPL --folds 5 --horizon 5` (defaults: lstm 64, up to 100 "
            f"epochs, patience 10) on the bundled sample: {time_default_backtest():.1f} s"
        )


if __name__ == "__main__":
    main()
