"""predict --plot: the chart follows the terminal's colours, and the forecast gets a fixed
share of the width however long the history beside it is."""

from __future__ import annotations

import re

import pytest
from helpers.forecasts import forecast_of

from stockrnn.render import charts

BACKGROUND = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:4[0-7]|10[0-7]|48;5;\d+|48;2;[\d;]+)m")


def test_no_white_canvas_in_a_dark_terminal() -> None:
    import plotext as plt

    plt.clear_figure()
    plt.plot([1, 2, 3], [1, 2, 3])
    plt.plotsize(40, 10)
    assert BACKGROUND.search(plt.build())  # plotext's own default paints a background
    text = charts.terminal(forecast_of(), color=True)
    assert "\x1b[" in text  # coloured lines...
    assert not BACKGROUND.search(text)  # ...on the terminal's own background
    assert "\x1b[" not in charts.terminal(forecast_of(), color=False)  # NO_COLOR / not a tty


@pytest.mark.parametrize(("history", "horizon"), [(120, 5), (30, 1), (250, 60)])
def test_the_forecast_has_a_fixed_share_of_the_width(history, horizon) -> None:
    x = charts.positions(history, horizon)
    past, ahead = x[:history], x[history:]
    assert past[0] == 0 and ahead[-1] == 100
    assert ahead[-1] - past[-1] == pytest.approx(100 * charts.FORECAST_SHARE)
    assert all(b > a for a, b in zip(x, x[1:], strict=False))


def test_the_drawn_forecast_spans_its_share() -> None:
    text = charts.terminal(forecast_of(120, 5), color=False)
    lines = text.splitlines()
    last = forecast_of(120, 5).rows[-1].date
    axis = next(line for line in lines if last in line)
    first = forecast_of(120, 5).history.index[0].strftime("%Y-%m-%d")
    width = axis.index(last) + len(last) - axis.index(first)
    assert width > 60  # the x axis labels run from the first close to the last forecast day
