"""`stockrnn tune`'s output: the best trials and the line that keeps the tuning score apart
from the unseen test score."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

from stockrnn.render.tables import fmt, verdict

if TYPE_CHECKING:
    from stockrnn.tuning.search import TuneReport


def tune_table(report: TuneReport) -> Table:
    """The best trials: parameters, the tuning score, epochs and time."""
    table = Table(
        title=f"study {report.study!r}: best trials",
        caption=(
            "value: mean validation rel. MAE over walk-forward folds inside the training span "
            f"({report.tuning_span[0]} to {report.tuning_span[1]}); the test span is unseen"
        ),
        box=box.SIMPLE_HEAD,
    )
    names = sorted({k for r in report.top for k in r.params})
    for col in ["trial", "state", "value", *names, "epochs", "s"]:
        table.add_column(col, justify="left" if col in ("state", "cell") else "right")
    for r in report.top:
        cells = [
            f"{v:.3g}" if isinstance(v, float) else str(v)
            for v in (r.params.get(n, "-") for n in names)
        ]
        table.add_row(
            str(r.number),
            r.state,
            fmt(r.value, 4),
            *cells,
            str(r.epochs or "-"),
            fmt(r.seconds, 1),
        )
    return table


def tune_footer(report: TuneReport) -> str:
    """Counts, parameter importance, and the best configuration's unseen test score."""
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report.counts.items()))
    lines = [f"trials: {counts} (study {report.study!r} in {report.storage})"]
    if report.importance:
        shown = ", ".join(f"{k} {v:.2f}" for k, v in report.importance.items())
        lines.append(f"parameter importance: {shown}")
    if report.final is not None:
        meta = report.final.meta
        m, n = meta.metrics.overall.model, meta.metrics.overall.naive
        tuned = f"{meta.tuned.value:.4f}" if meta.tuned else "n/a"
        lines.append(
            f"tuning score (validation folds, trial {meta.tuned.trial if meta.tuned else '-'}): "
            f"rel. MAE {tuned}; unseen test score of that configuration trained once: "
            f"rel. MAE {fmt(m.rel_mae, 4)} beside naive {fmt(n.rel_mae, 4)} over {m.n} days "
            f"(MASE {fmt(m.mase, 3)})"
        )
        lines.append(verdict(meta.metrics.overall))
    return "\n".join(lines)
