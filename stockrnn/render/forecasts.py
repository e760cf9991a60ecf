"""predict's output: a table per ticker, CSV and JSON rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

if TYPE_CHECKING:
    from stockrnn.pipelines.predict import Forecast


from stockrnn.forecast.intervals import band_names
from stockrnn.render.jsonout import to_json
from stockrnn.render.tables import fmt

BASE_COLUMNS = ["ticker", "date", "step", "open", "high", "low", "close"]
TAIL_COLUMNS = ["naive", "drift", "last_close", "last_date", "model"]


def columns(results: Sequence[Forecast]) -> list[str]:
    """The CSV/JSON columns: the bars, each level's lo-L and hi-L, the baselines, the origin."""
    levels = sorted({lv for r in results for lv in r.levels})
    return [*BASE_COLUMNS, *band_names(levels), *TAIL_COLUMNS]


def _flat(result: Forecast) -> list[dict[str, object]]:
    return [
        {**{k: getattr(r, k) for k in BASE_COLUMNS + TAIL_COLUMNS}, **r.bands} for r in result.rows
    ]


def _signed(value: float, digits: int) -> str:
    """+1.23 / -1.23, and 0.00 for what rounds to zero (never "-0.00")."""
    text = f"{value:+,.{digits}f}"
    return text[1:] if float(text.replace(",", "")) == 0 else text


def forecast_table(result: Forecast) -> Table:
    """One ticker's forecast: prices, change vs the last close, and each level's interval;
    green or red by the sign of the change (nothing for what rounds to no change)."""
    table = Table(
        title=f"{result.ticker}: model {result.model!r}, anchored to the close of "
        f"{result.last_date} ({fmt(result.last_close)})",
        box=box.SIMPLE_HEAD,
    )
    heads = ["date", "open", "high", "low", "close", "chg", "chg %"]
    bands = band_names(result.levels)
    for col in [*heads, *bands]:
        table.add_column(col, justify="left" if col == "date" else "right", no_wrap=True)
    for r in result.rows:
        change = _signed(r.change, 2)
        style = None if float(change.replace(",", "")) == 0 else "green" if r.change > 0 else "red"
        table.add_row(
            r.date,
            fmt(r.open),
            fmt(r.high),
            fmt(r.low),
            fmt(r.close),
            change,
            _signed(r.change_pct, 2),
            *(fmt(r.bands[b]) for b in bands),
            style=style,
        )
    return table


def forecast_csv(results: Sequence[Forecast]) -> str:
    """Machine-readable forecast rows (the columns of `columns`)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(results), lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerows(_flat(result))
    return buf.getvalue()


def forecast_json(results: Sequence[Forecast]) -> str:
    keys = columns(results)
    rows = [{k: row.get(k) for k in keys} for res in results for row in _flat(res)]
    return to_json(rows)
