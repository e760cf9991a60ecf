"""Honest names and pooling, the lag-echo check, the conformal quantile, and the DM test."""

import numpy as np
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import app
from stockrnn.evaluate import compare, metrics, scoring, significance
from stockrnn.evaluate.scoring import Forecasts
from stockrnn.forecast import intervals
from stockrnn.pipelines import train

runner = cli_runner()


def test_diebold_mariano_finds_a_real_difference() -> None:
    rng = np.random.default_rng(0)
    actual = rng.normal(0, 1, 500)
    good, bad = actual + rng.normal(0, 0.5, 500), actual + rng.normal(0, 1.0, 500)
    test = significance.diebold_mariano(np.abs(good - actual), np.abs(bad - actual))
    assert test.significant and test.statistic < 0 and "significantly better" in test.words("x")
    same = significance.diebold_mariano(np.ones(10), np.ones(10))
    assert same.p_value is None and "no test" in same.words("naive")


def test_rel_mae_and_true_mase_by_hand() -> None:
    actual = np.array([10.0, 11.0, 12.0, 12.0])
    naive = np.array([9.0, 10.0, 11.0, 13.0])
    pred = np.array([9.5, 10.5, 10.5, 12.5])
    closes = np.array([10.0, 11.0, 10.0, 12.0])
    scale = metrics.naive_scale(closes[1:], closes[:-1])  # moves 1, 1, 2
    assert scale == pytest.approx(4 / 3)
    m = metrics.score(pred, actual, naive, scale)
    assert m.mae == pytest.approx(0.75) and m.rel_mae == pytest.approx(0.75)  # naive MAE 1.0
    assert m.mase == pytest.approx(0.75 / (4 / 3))
    assert m.skill == pytest.approx(25.0)


def test_pooling_is_scale_free() -> None:
    """Two tickers at rel. MAE 0.70 and 1.30 on the same days, the second priced at 1/100 of
    the first: the price-unit pool says 0.706; each ticker's errors over its own naive MAE,
    averaged per day, say (0.70 + 1.30) / 2 whatever the prices."""
    rng = np.random.default_rng(1)
    dates = pd.bdate_range("2020-01-01", periods=400).to_numpy()

    def group(symbol: str, price: float, ratio: float) -> compare.Group:
        actual = price * (1 + rng.normal(0, 0.01, 400))
        naive = actual + price * 0.01 * rng.choice([-1, 1], 400)
        pred = actual + ratio * (naive - actual)  # errors exactly `ratio` times naive's
        return compare.Group(symbol=symbol, dates=dates, pred=pred, actual=actual, naive=naive)

    a, b = group("A", 500.0, 0.70), group("B", 5.0, 1.30)
    pooled = compare.compare_groups([a, b]).model
    assert pooled.rel_mae == pytest.approx(1.0)  # naive's errors are all 1% of the price here
    naive_pool = metrics.score(
        *(
            np.concatenate([x[:, 0], y[:, 0]])
            for x, y in ((a.pred, b.pred), (a.actual, b.actual), (a.naive, b.naive))
        )
    )
    assert naive_pool.rel_mae == pytest.approx(0.706, abs=0.001)  # what price units would say


def oracle(skill: float | None, seed: int = 0) -> Forecasts:
    """Forecasts that know `skill` of each day's move (None: random moves of the right size)."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    last, actual = close[:-1], close[1:]
    if skill is None:
        pred = last + rng.permutation(actual - last)
    else:
        pred = last + skill * (actual - last)
    col = lambda v: v[:, None]  # noqa: E731
    n = len(last)
    dates = pd.bdate_range("2020-01-01", periods=n + 1)
    return Forecasts(
        symbol="X",
        fold=1,
        origins=np.arange(n),
        dates=dates,
        pred=col(pred),
        actual=col(actual),
        naive=col(last),
        drift=col(last),
        lo=col(pred),
        hi=col(pred),
    )


def test_lag_echo_judges_moves_not_levels() -> None:
    assert scoring.lag_echo([oracle(0.3)]) == []  # rel. MAE 0.70, every direction right
    assert scoring.lag_echo([oracle(1.0)]) == []
    echo = scoring.lag_echo([oracle(0.02)])  # tiny moves, every direction right
    assert len(echo) == 1 and "predicted moves are small" in echo[0]
    assert "direction does track the actual moves (correlation 1.00)" in echo[0]
    noise = scoring.lag_echo([oracle(None)])
    assert len(noise) == 1 and "unrelated to the actual ones" in noise[0]
    ratio, corr = scoring.echo_stats(np.array([0.3, -0.6, 0.9]), np.array([1.0, -2.0, 3.0]))
    assert ratio == pytest.approx(0.3) and corr == pytest.approx(1.0)


def test_conformal_width_is_the_textbook_kth_residual() -> None:
    residuals = np.array([0.05, 0.01, 0.09, 0.03, 0.07, 0.02, 0.08, 0.04, 0.06])  # n = 9
    widths = intervals.calibrate(residuals)
    ordered = np.sort(residuals)
    for level in (0.5, 0.8, 0.9):
        k = int(np.ceil((len(residuals) + 1) * level))
        assert intervals.half_width(widths, level) == ordered[k - 1]
    assert intervals.half_width(widths, 0.8) == 0.08  # k = 8, not the 9th
    assert intervals.half_width(widths, 0.95) is None  # k = 10 > n: an infinite interval


def test_infinite_interval_is_refused(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(90, seed=2))
    summary = train.run(tiny_request(tmp_path, "m", ("AAA",), window=5, epochs=1))
    n = summary.meta.intervals.val_n
    assert n < 99 and summary.meta.intervals.half_widths[0][-1] is None  # 0.99 needs 99
    dirs = ["--data-dir", str(tmp_path / "data"), "--models-dir", str(tmp_path / "models")]
    res = runner.invoke(app, ["predict", "AAA", "--model", "m", "--level", "0.99", *dirs])
    assert (
        res.exit_code == 2
        and f"needs at least 99 validation residuals; the model has {n}" in res.stderr
    )


def test_interval_score_by_hand() -> None:
    lo, hi, actual = np.array([9.0, 9.0]), np.array([11.0, 11.0]), np.array([10.0, 12.0])
    # widths 2 and 2; the second misses by 1, penalised 2 / (1 - 0.8) = 10: (2 + 12) / 2 / 2
    assert metrics.interval_score(lo, hi, actual, 0.8, scale=2.0) == pytest.approx(3.5)
    wide = metrics.interval_score(lo - 100, hi + 100, actual, 0.8, scale=2.0)
    assert wide > 3.5  # covering everything by being wide does not win


def test_coverage_per_ticker_and_step() -> None:
    r = oracle(0.3)
    r.lo = np.concatenate([r.pred - 1e9, r.pred - 1e9], axis=1)[:, :2]  # step 1: always in
    r.hi = np.concatenate([r.pred + 1e9, r.pred], axis=1)[:, :2]  # step 2: hi = pred
    for name in ("pred", "actual", "naive", "drift"):
        a = getattr(r, name)
        setattr(r, name, np.concatenate([a, a], axis=1))
    r.scale = 1.0
    rows = scoring.coverage_rows([r], (80,))
    assert [(x.ticker, x.step, x.n) for x in rows] == [("X", 1, 299), ("X", 2, 299)]
    assert rows[0].coverage == 1.0
    below = float(np.mean(r.actual[:, 1] <= r.pred[:, 1]))
    assert rows[1].coverage == pytest.approx(below) and rows[0].msis > 0
