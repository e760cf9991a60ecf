"""`backtest --plot` and `--plot-file`: what people would rather look at than read.

Three panels: actual closes with the forecasts at one step and their band; coverage per step
against the nominal level; and the model's cumulative absolute error minus naive's over time,
which shows where any edge came from or went (below zero: the model is ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockrnn.common.errors import StockrnnError, UsageError
from stockrnn.render.charts import built, theme

if TYPE_CHECKING:
    from stockrnn.pipelines.backtest import BacktestReport


@dataclass(frozen=True, kw_only=True)
class StepView:
    """One ticker's forecasts at one step, in target-date order."""

    ticker: str
    dates: pd.DatetimeIndex
    actual: np.ndarray
    pred: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    edge: np.ndarray  # cumulative |model error| - |naive error|


def views(report: BacktestReport, step: int) -> list[StepView]:
    """Every ticker's forecasts `step` days ahead (1-based), folds joined in date order."""
    if not 1 <= step <= report.horizon:
        raise UsageError(f"--plot-step must be between 1 and the horizon ({report.horizon})")
    out = []
    for ticker in report.tickers:
        parts = [r for r in report.paths if r.symbol == ticker]
        k = step - 1
        cols: dict[str, list[np.ndarray]] = {
            n: [] for n in ("date", "actual", "pred", "lo", "hi", "naive")
        }
        for r in parts:
            ok = ~np.isnan(r.actual[:, k])
            cols["date"].append(r.dates[r.origins[ok] + step].to_numpy())
            for n in ("actual", "pred", "lo", "hi", "naive"):
                cols[n].append(getattr(r, n)[ok, k])
        cat = {n: np.concatenate(v) for n, v in cols.items()}
        order = np.argsort(cat["date"], kind="stable")
        cat = {n: v[order] for n, v in cat.items()}
        edge = np.cumsum(np.abs(cat["pred"] - cat["actual"]) - np.abs(cat["naive"] - cat["actual"]))
        out.append(
            StepView(
                ticker=ticker,
                dates=pd.DatetimeIndex(cat["date"]),
                actual=cat["actual"],
                pred=cat["pred"],
                lo=cat["lo"],
                hi=cat["hi"],
                edge=edge,
            )
        )
    return out


def coverage_by_step(report: BacktestReport) -> list[float | None]:
    return [c.coverage for c in report.per_step]


def coverage_floor(cov: list[float], nominal: float) -> float:
    """Where the coverage bars start: 5 points below the lowest of them and the nominal line
    (not 0, where 79% and 81% look the same), on a multiple of 5."""
    return max(0.0, 5 * ((min([*cov, nominal]) - 5) // 5))


def terminal(report: BacktestReport, step: int, color: bool = True) -> str:
    """The three panels as text (plotext), for the first ticker's prices."""
    import plotext as plt

    v = views(report, step)[0]
    days = [d.strftime("%Y-%m-%d") for d in v.dates]
    plt.clear_figure()
    theme(plt, color)
    plt.subplots(3, 1)
    plt.plotsize(100, 45)
    plt.subplot(1, 1)
    plt.date_form("Y-m-d")  # per subplot in plotext
    plt.plot(days, v.actual.tolist(), label="close", marker="braille")
    plt.plot(days, v.pred.tolist(), label=f"forecast, step {step}", marker="braille", color="cyan")
    plt.plot(days, v.lo.tolist(), marker="dot", color="gray")
    plt.plot(days, v.hi.tolist(), marker="dot", color="gray", label="band")
    plt.title(f"{v.ticker}: closes and {step}-day-ahead forecasts")
    plt.subplot(2, 1)
    cov = [100 * (c or 0.0) for c in coverage_by_step(report)]
    low = coverage_floor(cov, 100 * report.level)
    plt.bar([str(i + 1) for i in range(len(cov))], cov, label="covered %", minimum=low)
    plt.ylim(low, 100)
    plt.hline(100 * report.level, "red")
    plt.title(f"coverage per step (nominal {report.level:.0%})")
    plt.subplot(3, 1)
    plt.date_form("Y-m-d")
    for w in views(report, step):
        plt.plot([d.strftime("%Y-%m-%d") for d in w.dates], w.edge.tolist(), label=w.ticker)
    plt.hline(0, "gray")
    plt.title("cumulative |error| minus naive's (below 0: ahead of naive)")
    return built(plt, color)


def png(report: BacktestReport, path: Path, step: int) -> None:
    """The three panels as a PNG (needs the optional matplotlib extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise StockrnnError("--plot-file needs matplotlib: pip install 'stockrnn[png]'") from exc
    import io

    from stockrnn.common import atomic

    all_views = views(report, step)
    fig, axes = plt.subplots(len(all_views) + 2, 1, figsize=(11, 3.2 * (len(all_views) + 2)))
    for ax, v in zip(axes, all_views, strict=False):
        ax.plot(v.dates, v.actual, label="close", lw=0.8)
        ax.plot(v.dates, v.pred, label=f"forecast, step {step}", lw=0.8)
        ax.fill_between(v.dates, v.lo, v.hi, alpha=0.25, label=f"{report.level:.0%} band")
        ax.set_title(f"{v.ticker}: closes and {step}-day-ahead forecasts")
        ax.legend(loc="upper left")
    cov_ax, edge_ax = axes[-2], axes[-1]
    cov = [100 * (c or 0.0) for c in coverage_by_step(report)]
    low = coverage_floor(cov, 100 * report.level)
    cov_ax.bar(range(1, len(cov) + 1), [c - low for c in cov], bottom=low)
    cov_ax.set_ylim(low, 100)
    cov_ax.axhline(100 * report.level, color="red", label="nominal")
    cov_ax.set_xticks(range(1, len(cov) + 1))
    cov_ax.set_title("interval coverage per step (%)")
    cov_ax.legend()
    for v in all_views:
        edge_ax.plot(v.dates, v.edge, label=v.ticker)
    edge_ax.axhline(0, color="gray")
    edge_ax.set_title("cumulative |error| minus naive's (below 0: ahead of naive)")
    edge_ax.legend(loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic.write_bytes(path, buf.getvalue())
