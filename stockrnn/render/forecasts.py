"""predict's output: a table per ticker, CSV and JSON rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

if TYPE_CHECKING:
    from stockrnn.pipelines.predict import Forecast


from stockrnn.render.jsonout import to_json
from stockrnn.render.tables import fmt

FORECAST_COLUMNS = [
    "ticker",
    "date",
    "step",
    "open",
    "high",
    "low",
    "close",
    "lo",
    "hi",
    "last_close",
    "last_date",
    "model",
]


def forecast_table(result: Forecast, level: float) -> Table:
    """One ticker's forecast: prices, change vs the last close, and the interval."""
    table = Table(
        title=f"{result.ticker}: model {result.model!r}, anchored to the close of "
        f"{result.last_date} ({fmt(result.last_close)})",
        box=box.SIMPLE_HEAD,
    )
    heads = ["date", "open", "high", "low", "close", "chg", "chg %"]
    for col in [*heads, f"lo {level:.0%}", f"hi {level:.0%}"]:
        table.add_column(col, justify="left" if col == "date" else "right", no_wrap=True)
    for r in result.rows:
        style = "green" if r.change > 0 else "red" if r.change < 0 else None
        table.add_row(
            r.date,
            fmt(r.open),
            fmt(r.high),
            fmt(r.low),
            fmt(r.close),
            f"{r.change:+,.2f}",
            f"{r.change_pct:+.2f}",
            fmt(r.lo),
            fmt(r.hi),
            style=style,
        )
    return table


def forecast_csv(results: Sequence[Forecast]) -> str:
    """Machine-readable forecast rows (the columns of FORECAST_COLUMNS)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FORECAST_COLUMNS)
    for result in results:
        writer.writerows([getattr(r, c) for c in FORECAST_COLUMNS] for r in result.rows)
    return buf.getvalue()


def forecast_json(results: Sequence[Forecast]) -> str:
    rows = [{c: getattr(r, c) for c in FORECAST_COLUMNS} for res in results for r in res.rows]
    return to_json(rows)
