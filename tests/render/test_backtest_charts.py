"""`backtest --plot` / `--plot-file`: the panels' data, and the files and refusals."""

import re

import numpy as np
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import app
from stockrnn.pipelines import backtest
from stockrnn.render import backtest_charts

runner = cli_runner()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    ws = tmp_path_factory.mktemp("plot")
    cache_bars(ws / "data", "AAA", make_bars(400, seed=1))
    cache_bars(ws / "data", "BBB", make_bars(380, seed=2, price=30))
    out = ws / "p.csv"
    req = tiny_request(ws, "bt", ("AAA", "BBB"), hidden=6, epochs=2)
    cfg = backtest.BacktestConfig(folds=2, horizon=3, predictions_out=out)
    return backtest.run(req, ws / "models", cfg), pd.read_csv(out), ws


def test_step_view_is_the_forecasts_at_that_step(report) -> None:
    rep, rows, _ = report
    for step in (1, 3):
        view = next(v for v in backtest_charts.views(rep, step) if v.ticker == "BBB")
        mine = rows[(rows["ticker"] == "BBB") & (rows["step"] == step)].sort_values("target_date")
        assert list(view.dates.strftime("%Y-%m-%d")) == list(mine["target_date"])
        np.testing.assert_allclose(view.pred, mine["prediction"])
        np.testing.assert_allclose(view.lo, mine["lo"])
        edge = np.cumsum(
            np.abs(mine["prediction"] - mine["actual"]) - np.abs(mine["naive"] - mine["actual"])
        )
        np.testing.assert_allclose(view.edge, edge)
    assert backtest_charts.coverage_by_step(rep) == [c.coverage for c in rep.per_step]


def test_terminal_and_png(report, tmp_path) -> None:
    rep, _, _ = report
    text = backtest_charts.terminal(rep, 2)
    assert "2-day-ahead forecasts" in text and "coverage per step" in text
    png = tmp_path / "c.png"
    backtest_charts.png(rep, png, 2)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_cli_plot_options(report, tmp_path) -> None:
    _, _, ws = report
    dirs = ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    base = ["backtest", "AAA", "--folds", "2", "--horizon", "2", "--epochs", "1", "--hidden", "4"]
    res = runner.invoke(app, [*base, *dirs, "--plot-file", str(tmp_path / "x" / "c.png")])
    assert res.exit_code == 11 and "does not exist" in res.stderr  # before any training
    res = runner.invoke(app, [*base, *dirs, "--plot", "--plot-step", "3"])
    assert res.exit_code == 2 and "--plot-step must be between 1 and the horizon (2)" in res.stderr
    assert "backtest (" not in res.stdout  # refused before any work
    res = runner.invoke(app, [*base, *dirs, "--plot", "--plot-file", str(tmp_path / "c.png")])
    assert res.exit_code == 0, res.output
    assert "cumulative |error| minus naive's" in res.stderr and (tmp_path / "c.png").exists()


def test_chart_only_fields_stay_out_of_json(report) -> None:
    import json

    from stockrnn.render import jsonout

    rep, _, _ = report
    payload = json.loads(jsonout.to_json(rep))
    assert "paths" not in payload and rep.paths  # the charts' data, not the report's
    assert set(payload) >= {"per_step", "overall", "coverage", "folds"}


@pytest.mark.parametrize(
    ("cov", "nominal", "want"),
    [([79.0, 81.0], 80.0, 70.0), ([95.5, 97.0], 95.0, 90.0), ([3.0, 40.0], 80.0, 0.0)],
)
def test_coverage_bars_start_near_the_values_not_at_zero(cov, nominal, want) -> None:
    """79% and 81% differ visibly when the axis starts at 70, not at 0."""
    low = backtest_charts.coverage_floor(cov, nominal)
    assert low == want


def test_the_coverage_panel_is_drawn_from_its_floor(report) -> None:
    rep, _, _ = report
    text = backtest_charts.terminal(rep, 1, color=False)
    panel = text.split("coverage per step")[1].split("cumulative")[0]
    ticks = [float(t) for t in re.findall(r"^\s*(\d+(?:\.\d+)?)\s*[┤│]", panel, re.M)]
    cov = [100 * (c or 0.0) for c in backtest_charts.coverage_by_step(rep)]
    assert ticks and min(ticks) >= backtest_charts.coverage_floor(cov, 100 * rep.level) > 0
