"""Rich tables and JSON for command results; functions here build output, the CLI prints it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

if TYPE_CHECKING:
    from stockrnn.checkpoint.schema import CheckpointMeta, MetricsMeta
    from stockrnn.evaluate.compare import Comparison
    from stockrnn.evaluate.metrics import Score
    from stockrnn.evaluate.significance import Significance
    from stockrnn.pipelines.backtest import BacktestReport


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _metric_cells(m: Score) -> list[str]:
    def pct1(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1f}"

    return [
        str(m.n),
        fmt(m.mae, 3),
        fmt(m.rmse, 3),
        fmt(m.mape, 3),
        fmt(m.rel_mae, 3),
        fmt(m.mase, 3),
        pct1(m.diracc),
        pct1(m.skill),
    ]


def _p_value_cell(test: Significance | None, adjusted: bool = False) -> str:
    value = None if test is None else test.p_adjusted if adjusted else test.p_value
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


CAPTION = (
    "rel. MAE = MAE / naive MAE on the same days (< 1 beats naive); MASE = MAE / the training "
    "span's mean daily move; pooled rows: each ticker's errors over its own naive MAE, "
    "averaged per date over tickers, which is what p tests; p: Diebold-Mariano (HLN) test vs "
    "that baseline; MAE/RMSE in price units"
)


def row_style(c: Comparison) -> str | None:
    """One rule for both colours: green or red only where the test against naive says so."""
    test = c.vs_naive
    if test is None or test.statistic is None or not test.significant:
        return None
    return "green" if test.statistic < 0 else "red"


def comparison_table(
    title: str, groups: Sequence[tuple[str, Comparison]], coverage: bool = False
) -> Table:
    """Rows per group: the model first, then each baseline with the DM p-value against it
    (and its Holm-adjusted value when the table's rows form a family of several tests)."""
    tests = [t for _, g in groups for t in (g.vs_naive, g.vs_drift) if t is not None]
    family = max((t.family for t in tests), default=1)
    caption = CAPTION
    if family > 1:
        caption += (
            f"; p adj: Holm-adjusted over the {family} tests of the rows above 'overall' "
            "(the overall row is one test on its own)"
        )
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD)
    heads = ["", "n", "MAE", "RMSE", "MAPE %", "rel. MAE", "MASE", "dir %", "skill %", "p"]
    heads += ["p adj"] if family > 1 else []
    for col in [*heads, "cover %"] if coverage else heads:
        table.add_column(col, justify="left" if not col else "right", no_wrap=True)
    blank = [""] * (2 if family > 1 else 1)
    for label, group in groups:
        if not group.model.n:
            continue
        cover = [pct(group.coverage).rstrip("%")] if coverage else []
        table.add_row(
            f"{label} model", *_metric_cells(group.model), *blank, *cover, style=row_style(group)
        )
        baselines = [
            (n, b, t)
            for n, b, t in (
                ("naive", group.naive, group.vs_naive),
                ("drift", group.drift, group.vs_drift),
            )
            if b
        ]
        for i, (name, base, test) in enumerate(baselines):
            adj = [_p_value_cell(test, adjusted=True) if test and test.family > 1 else ""] * (
                family > 1
            )
            table.add_row(
                f"  {name}",
                *_metric_cells(base),
                _p_value_cell(test),
                *adj,
                *([""] if coverage else []),
                style="dim",
                end_section=i == len(baselines) - 1,
            )
    return table


def metrics_table(scores: MetricsMeta, title: str = "test split, one day ahead") -> Table:
    """Model and naive rows per ticker, and overall when there are several."""
    groups = list(scores.per_ticker.items())
    if len(groups) > 1:
        groups.append(("overall", scores.overall))
    return comparison_table(title, groups)


def backtest_table(report: BacktestReport) -> Table:
    """Per-step and overall scores beside the naive and drift baselines, with coverage."""
    groups = [(f"step {i + 1}", c) for i, c in enumerate(report.per_step)]
    if len(groups) > 1:
        groups.append(("overall", report.overall))
    title = f"backtest ({report.mode}), {report.level:.0%} interval coverage"
    return comparison_table(title, groups, coverage=True)


def backtest_tables(report: BacktestReport) -> list[Table]:
    """Per step, per ticker (when several) and interval coverage: what backtest prints."""
    by_ticker = [ticker_table(report)] if report.per_ticker else []
    return [backtest_table(report), *by_ticker, coverage_table(report)]


def ticker_table(report: BacktestReport) -> Table:
    """Every step of each ticker beside the baselines (a backtest over several tickers)."""
    groups = list(report.per_ticker)
    return comparison_table(f"backtest ({report.mode}) by ticker, all steps", groups)


def coverage_table(report: BacktestReport) -> Table:
    """Interval coverage per ticker, level and step against the nominal level, with MSIS."""
    table = Table(
        title="intervals by ticker, level and step",
        caption="MSIS: mean scaled interval score (width plus penalised misses; lower is better)",
        box=box.SIMPLE_HEAD,
    )
    for col in ("ticker", "level", "step", "n", "cover %", "MSIS"):
        table.add_column(col, justify="left" if col == "ticker" else "right", no_wrap=True)
    for r in report.coverage:
        off = r.coverage is not None and abs(r.coverage - r.level / 100) > 0.03
        table.add_row(
            r.ticker,
            str(r.level),
            str(r.step),
            str(r.n),
            pct(r.coverage).rstrip("%"),
            fmt(r.msis, 2),
            style="yellow" if off else None,
        )
    return table


def verdict(c: Comparison, span: str = "the test split") -> str:
    """Plain sentences from the Diebold-Mariano tests against naive and drift, whose
    direction always agrees with the printed skill (compare.py tests the printed quantity)."""
    m, test = c.model, c.vs_naive
    if not m.n:
        return "no test samples: nothing to compare with naive"
    if m.rel_mae is None or m.skill is None:
        return "the test span never moved: rel. MAE is undefined"
    figures = f"rel. MAE {m.rel_mae:.3f}, skill {m.skill:.1f}%, over {m.n} days"
    if test is None or not test.significant or test.statistic is None:
        words = test.words("naive") if test else "no test against naive"
        first = f"no evidence the model differs from naive on {span} ({figures}): {words}"
    elif test.statistic < 0:
        first = f"the model beats naive on {span} ({figures}): {test.words('naive')}"
    else:
        first = (
            f"the model does WORSE than naive on {span} ({figures}): {test.words('naive')}; "
            "'tomorrow = today' forecasts better"
        )
    return first + _versus_drift(c)


def _versus_drift(c: Comparison) -> str:
    test, drift = c.vs_drift, c.drift
    if test is None or drift is None or drift.rel_mae is None:
        return ""
    shown = f"drift's rel. MAE {drift.rel_mae:.3f}"
    if test.statistic is None or not test.significant:
        return f"\nagainst drift ({shown}): {test.words('drift')}"
    if test.statistic < 0:
        return f"\nit beats drift too ({shown}): {test.words('drift')}"
    return f"\ndrift does better than the model ({shown}): {test.words('drift')}"


def train_footer(meta: CheckpointMeta, models_dir: Path) -> str:
    """The verdict, the epochs and where the model went: `train`'s closing lines."""
    fit = meta.fit
    stopped = " (interrupted: kept the best so far)" if fit.interrupted else ""
    return (
        f"{verdict(meta.metrics.overall)}\n"
        f"best epoch {fit.best_epoch} of {fit.epochs_run}{stopped}; "
        f"80% interval coverage on test: {pct(meta.intervals.test_coverage_80)}; "
        f"saved {models_dir / meta.name}"
    )


def pct(share: float | None) -> str:
    """A share in [0, 1] as a percentage, or n/a."""
    return "n/a" if share is None else f"{100 * share:.1f}%"
