"""One colour rule for both colours: a row turns green or red only where its test against
naive is significant (after adjustment), and a change that rounds to zero is neither."""

from __future__ import annotations

import io

import pytest
from helpers.forecasts import forecast_of
from rich.console import Console

from stockrnn.evaluate.compare import Comparison
from stockrnn.evaluate.significance import Significance
from stockrnn.render import forecasts, tables


def _row(statistic: float, p: float, p_adj: float | None = None, family: int = 1) -> Comparison:
    test = Significance(statistic=statistic, p_value=p, n=500, h=1, p_adjusted=p_adj, family=family)
    return Comparison(model=None, naive=None, vs_naive=test)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("row", "want"),
    [
        (_row(-3.0, 0.001), "green"),
        (_row(3.0, 0.001), "red"),
        (_row(1.1, 0.27), None),  # "-0.9%, p = 0.27": worse, but not significantly
        (_row(-1.1, 0.27), None),
        (_row(3.0, 0.01, p_adj=0.4, family=20), None),  # not after Holm over the table
        (_row(-3.0, 0.001, p_adj=0.02, family=20), "green"),
    ],
)
def test_colour_needs_a_significant_test_either_way(row, want) -> None:
    assert tables.row_style(row) == want


def test_a_change_that_rounds_to_zero_is_plain() -> None:
    result = forecast_of(30, 2)
    first, second = result.rows
    tiny = [
        type(first)(**{**first.__dict__, "change": -0.001, "change_pct": -0.0009}),
        type(first)(**{**second.__dict__, "change": -0.5, "change_pct": -0.4}),
    ]
    result = type(result)(**{**result.__dict__, "rows": tiny})
    console = Console(file=io.StringIO(), force_terminal=True, width=150, record=True)
    console.print(forecasts.forecast_table(result))
    text = console.export_text(clear=False)
    assert "-0.00" not in text and " 0.00 " in text
    styled = console.export_text(styles=True)
    lines = [line for line in styled.splitlines() if result.rows[0].date in line]
    assert "\x1b[31" not in lines[0]  # no red for what rounds to nothing
    assert "\x1b[31" in [line for line in styled.splitlines() if result.rows[1].date in line][0]
