"""Forecast skill in walk-forward backtests on the real tickers in ../shared/data/ohlcv, beside
naive and drift, across heads, covariates and interval methods. Prints markdown tables.

usage: python bench/skill.py [--folds 3] [--horizon 5] [--epochs 30] [--patience 5]
           [--tickers AAPL,SPY,...] [--cells lstm] [--configs rec,dir,rec+cov,dir+cov,rec-fixed]

Configurations (each one model per ticker, cell and fold):
  rec        recursive head (one day, rolled forward), volatility-normalised conformal intervals
  dir        direct head emitting all `horizon` days in one pass
  rec+cov    rec with ^GSPC's daily log returns and the calendar features as inputs
  dir+cov    dir with the same inputs
  rec-fixed  rec with the old interval method: one raw log width per step for every origin
Every ticker is cut at the last day of GSPC.csv (2017-12-29), so all configurations see the
same days. Also times one default 5-fold backtest on the bundled sample's AAPL (the real CLI).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from stockrnn.common.choices import Cell, Head, IntervalMethod, Source

OHLCV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv"
TICKERS = "AAPL,GOOG,SPY,INTC,GSPC,ORCL,IBM,MSFT,AMZN,NVDA,TSLA"
MARKET = "GSPC"  # the S&P 500 index (^GSPC), the covariate


@dataclass(frozen=True)
class Config:
    head: Head = Head.recursive
    covariates: bool = False
    intervals: IntervalMethod = IntervalMethod.vol


CONFIGS = {
    "rec": Config(),
    "dir": Config(head=Head.direct),
    "rec+cov": Config(covariates=True),
    "dir+cov": Config(head=Head.direct, covariates=True),
    "rec-fixed": Config(intervals=IntervalMethod.fixed),
}


def fmt(v: float | None, spec: str = ".3f") -> str:
    return "n/a" if v is None else format(v, spec)


def tests_of(rep: object) -> list[float | None]:
    """The row's three p-values: step 1 vs naive, every step vs naive, every step vs drift."""
    o, s1 = rep.overall, rep.per_step[0]  # type: ignore[attr-defined]
    return [s1.vs_naive.p_value, o.vs_naive.p_value, o.vs_drift.p_value]


def p_cell(raw: float | None, adjusted: float | None) -> str:
    return f"{fmt(raw)} ({fmt(adjusted)})"


def row(label: str, ticker: str, rep: object, adjusted: list[float | None]) -> str:
    o = rep.overall  # type: ignore[attr-defined]
    s1 = rep.per_step[0]  # type: ignore[attr-defined]
    cov = o.coverage
    rows = rep.coverage  # type: ignore[attr-defined]
    per = " / ".join(f"{100 * r.coverage:.0f}" for r in rows if r.coverage is not None)
    msis = [r.msis for r in rows if r.msis is not None]
    raw = tests_of(rep)
    return (
        f"| {label} | {ticker} | {o.model.n} | {fmt(s1.model.rel_mae)} | "
        f"{p_cell(raw[0], adjusted[0])} | {fmt(o.model.rel_mae)} | {fmt(o.model.mase, '.2f')} | "
        f"{p_cell(raw[1], adjusted[1])} | {fmt(o.drift.rel_mae)} | "
        f"{p_cell(raw[2], adjusted[2])} | {fmt(o.model.diracc, '.1f')} | "
        f"{fmt(None if cov is None else 100 * cov, '.1f')} | {per} | "
        f"{fmt(sum(msis) / len(msis) if msis else None, '.2f')} |"
    )


def table(runs: list[tuple[str, str, object]]) -> None:
    """Every row, with each p-value beside its Holm adjustment over all the table's tests."""
    from stockrnn.evaluate.significance import holm

    raw = [p for _, _, rep in runs for p in tests_of(rep)]
    adjusted = holm(raw)
    n = sum(p is not None for p in raw)
    print(
        f"\np-values: two-sided Diebold-Mariano (HLN) tests; in brackets, Holm-adjusted over "
        f"all {n} tests of this table (3 per row)\n"
    )
    print(
        "| config | ticker | forecasts | rel. MAE step 1 | DM p step 1 (Holm) | "
        "rel. MAE all steps | MASE all steps | DM p all steps (Holm) | drift rel. MAE | "
        "DM p vs drift (Holm) | dir % | 80% cover % | cover % per step | MSIS |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, (label, ticker, rep) in enumerate(runs):
        print(row(label, ticker, rep, adjusted[3 * i : 3 * i + 3]))
    names = ("step 1 vs naive", "all steps vs naive", "all steps vs drift")
    for k, name in enumerate(names):
        hits = [
            f"{label} {ticker} ({'better' if _better(rep, k) else 'worse'})"
            for i, (label, ticker, rep) in enumerate(runs)
            if (q := adjusted[3 * i + k]) is not None and q < 0.05
        ]
        print(f"\nsignificant after Holm, {name}: {', '.join(hits) or 'none'}")


def _better(rep: object, k: int) -> bool:
    o, s1 = rep.overall, rep.per_step[0]  # type: ignore[attr-defined]
    test = (s1.vs_naive, o.vs_naive, o.vs_drift)[k]
    return bool(test.statistic < 0)


def time_default_backtest() -> float:
    cli = [sys.executable, "-m", "stockrnn"]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "stockrnn.toml").write_text("[workspace]\n")  # its own data/ and models/
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


def import_cut(data: Path, tickers: list[str], tmp: Path) -> None:
    """Import each ticker's CSV, cut at the market covariate's last day."""
    import pandas as pd

    from stockrnn.data.fetch import fetch_one
    from stockrnn.data.fetch_types import FetchConfig, FetchOptions

    end = pd.read_csv(OHLCV / f"{MARKET}.csv", usecols=["Date"])["Date"].max()
    for t in {*tickers, MARKET}:
        frame = pd.read_csv(OHLCV / f"{t}.csv")
        cut = tmp / f"{t}.csv"
        frame[frame["Date"] <= end].to_csv(cut, index=False)
        got = fetch_one(data, FetchConfig(t, FetchOptions(source=Source.csv, csv=cut)))
        if got.error:
            sys.exit(f"{t}: {got.error}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--horizon", type=int, default=5)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--tickers", default=TICKERS)
    p.add_argument("--cells", default="lstm")
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--skip-timing", action="store_true")
    a = p.parse_args()
    from stockrnn.dataset.config import DataConfig
    from stockrnn.model.config import ModelConfig, TrainConfig
    from stockrnn.pipelines import backtest
    from stockrnn.pipelines.request import TrainRequest

    if not OHLCV.is_dir():
        sys.exit(f"{OHLCV} not found")
    cells = [Cell(c.strip()) for c in a.cells.split(",") if c.strip() in set(Cell)]
    if len(cells) != len(a.cells.split(",")):
        sys.exit(f"--cells: each of {a.cells!r} must be one of {', '.join(Cell)}")
    t_all = time.perf_counter()
    print(
        f"settings: walk-forward, {a.folds} folds (expanding window from 50% of each series), "
        f"horizon {a.horizon}, window 60, hidden 64, 1 layer, OHLC log-relative features, "
        f"standard scaler, Adam lr 1e-3, batch 64, up to {a.epochs} epochs, patience "
        f"{a.patience}, seed 42, 80% conformal intervals; one model per ticker, cell and "
        f"configuration; every ticker cut at {MARKET}'s last day\n"
    )
    runs: list[tuple[str, str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        tickers = a.tickers.split(",")
        import_cut(data, tickers, Path(tmp))
        for cell in cells:
            for label in a.configs.split(","):
                c = CONFIGS[label]
                for t in tickers:
                    data_cfg = DataConfig(
                        covariates=(MARKET,) if c.covariates else (),
                        calendar_features=c.covariates,
                    )
                    direct = c.head is Head.direct
                    model = ModelConfig(cell=cell, head=c.head, horizon=a.horizon if direct else 1)
                    req = TrainRequest(
                        data_dir=data,
                        models_dir=Path(tmp) / "m",
                        name="bt",
                        tickers=(t,),
                        data=data_cfg,
                        model=model,
                        train=TrainConfig(epochs=a.epochs, patience=a.patience),
                        intervals=c.intervals,
                    )
                    rep = backtest.run(
                        req,
                        Path(tmp) / "m",
                        backtest.BacktestConfig(folds=a.folds, horizon=a.horizon),
                    )
                    runs.append((f"{cell} {label}", t, rep))
                    took = time.perf_counter() - t_all
                    print(f"done {cell} {label} {t} ({took:.0f} s)", flush=True)
    table(runs)
    print(f"\nwhole benchmark: {time.perf_counter() - t_all:.0f} s")
    if not a.skip_timing:
        print(
            f"`stockrnn backtest AAPL --folds 5 --horizon 5` (defaults: lstm 64, up to 100 "
            f"epochs, patience 10) on the bundled sample: {time_default_backtest():.1f} s"
        )


if __name__ == "__main__":
    main()
