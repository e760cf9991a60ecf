"""Diebold-Mariano tests of the right size, Holm's adjustment, and verdicts that agree with
the printed skill."""

import numpy as np
import pandas as pd
import pytest
from helpers.reference import P1, P2, A
from hypothesis import given, settings
from hypothesis import strategies as st

from stockrnn.evaluate import compare, scoring, significance
from stockrnn.evaluate.scoring import Forecasts
from stockrnn.render import tables


@pytest.mark.parametrize(
    ("h", "stat", "p"),
    [
        (1, -1.6519694189372522, 0.10657097058375775),
        (3, -1.4561384660595766, 0.15335821768556235),
        (5, -1.5009742664612378, 0.14141565785807397),
    ],
)
def test_dm_matches_the_dieboldmariano_package(h, stat, p) -> None:
    """Reference values from dieboldmariano 1.1.0's dm_test(loss=absolute error, h=h) with its
    defaults: variance_estimator="acf", harvey_correction=True, two-sided."""
    a, p1, p2 = (np.array(x) for x in (A, P1, P2))
    got = significance.diebold_mariano(np.abs(a - p1), np.abs(a - p2), h)
    assert got.statistic == pytest.approx(stat, rel=1e-9)
    assert got.p_value == pytest.approx(p, rel=1e-6)
    assert got.estimator == "acf"


def test_a_non_positive_acf_variance_falls_back_to_bartlett_and_says_so() -> None:
    d = np.tile([1.0, -1.0], 20)  # lag-1 autocovariance -gamma_0: acf variance = -gamma_0 < 0
    got = significance.dm_test(d + 0.01, h=2)
    assert got.estimator == "bartlett" and got.p_value is not None
    dev = d + 0.01 - np.mean(d + 0.01)
    n = len(d)
    g = [float(dev[k:] @ dev[: n - k]) / n for k in range(3)]
    var = g[0] + 2 * ((1 - 1 / 3) * g[1] + (1 - 2 / 3) * g[2])  # bandwidth h = 2
    hln = np.sqrt((n + 1 - 4 + 2 / n) / n)
    assert got.statistic == pytest.approx(hln * np.mean(d + 0.01) / np.sqrt(var / n))


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.02, 0.03, 0.5 with m = 4: 0.04, 0.06, 0.06 (monotone), 0.5
    assert significance.holm([0.03, None, 0.01, 0.5, 0.02]) == pytest.approx(
        [0.06, None, 0.04, 0.5, 0.06]
    )
    tests = significance.adjusted([significance.dm_test(np.r_[1.0, -0.5, 2, 1.5, 0.3])] * 3)
    assert all(t.family == 3 and t.p_adjusted == min(1, 3 * t.p_value) for t in tests)


DATES = pd.bdate_range("2001-01-01", periods=800)


def world(rng, tickers: int = 1, n: int = 750, horizon: int = 5) -> list[Forecasts]:
    """A true null: log random walks (tickers correlated through a market factor) forecast by
    two forecasters with equal expected absolute error, biased up and down by half a day's
    move. Their loss differentials overlap across origins and steps as real ones do."""
    rho, sigma, bias = 0.33, 0.01, 0.005
    shocks = np.sqrt(rho) * rng.normal(size=n + horizon + 1) + np.sqrt(1 - rho) * rng.normal(
        size=(tickers, n + horizon + 1)
    )
    price = 100 * np.exp(np.cumsum(sigma * shocks, axis=1))
    origins = np.arange(n)
    target = origins[:, None] + np.arange(1, horizon + 1)
    out = []
    for i in range(tickers):
        last = price[i, origins][:, None] * np.ones(horizon)
        up, down, actual = last * np.exp(bias), last * np.exp(-bias), price[i, target]
        out.append(
            Forecasts(
                symbol=f"T{i}",
                fold=1,
                origins=origins,
                dates=DATES,
                pred=up,
                actual=actual,
                naive=down,
                drift=down,
                lo=up,
                hi=up,
            )
        )
    return out


@pytest.mark.slow
def test_every_test_has_its_nominal_size_under_a_true_null() -> None:
    """At 5%, each test rejects 3-7% of 600 null worlds: per step at h = 1 and h = 5, every
    step (one value per origin, h = 5), and pooled over 11 correlated tickers (same-day
    correlation of the loss differentials about 0.27) at h = 1 and over every step."""
    rng = np.random.default_rng(20261201)
    runs = {"step 1": [], "step 5": [], "all steps": [], "pooled step 1": [], "pooled all": []}
    for _ in range(600):
        one, many = world(rng), world(rng, tickers=11)
        for name, results, step in (
            ("step 1", one, 0),
            ("step 5", one, 4),
            ("all steps", one, None),
            ("pooled step 1", many, 0),
            ("pooled all", many, None),
        ):
            p = scoring.score_step(results, step).vs_naive.p_value
            runs[name].append(p is not None and p < 0.05)
    sizes = {name: float(np.mean(v)) for name, v in runs.items()}
    assert all(0.03 <= s <= 0.07 for s in sizes.values()), sizes


def two_tickers(seed: int, ratio_a: float, ratio_b: float, n_a: int, n_b: int):
    """Groups whose model errors are about `ratio` times naive's, with noise."""
    rng = np.random.default_rng(seed)
    out = []
    for symbol, ratio, n in (("A", ratio_a, n_a), ("B", ratio_b, n_b)):
        actual = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n + 1)))
        naive = actual[:-1]
        move = actual[1:] - naive
        pred = actual[1:] - ratio * move * rng.uniform(0.5, 1.5, n) * rng.choice([-1, 1], n)
        out.append(
            compare.Group(
                symbol=symbol,
                dates=DATES[-n:].to_numpy(),
                pred=pred,
                actual=actual[1:],
                naive=naive,
                drift=naive * 1.0001,
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    ratio_a=st.floats(0.5, 1.5),
    ratio_b=st.floats(0.5, 1.5),
    n_a=st.integers(30, 200),
    n_b=st.integers(30, 700),
)
def test_the_verdict_never_contradicts_the_printed_skill(seed, ratio_a, ratio_b, n_a, n_b):
    c = compare.compare_groups(two_tickers(seed, ratio_a, ratio_b, n_a, n_b))
    words = tables.verdict(c)
    skill, stat = c.model.skill, c.vs_naive.statistic
    assert skill is not None and stat is not None
    assert np.sign(skill) == -np.sign(stat) or skill == 0
    if "beats naive" in words:
        assert skill > 0
    if "WORSE than naive" in words:
        assert skill < 0
    drift_skill = c.drift.rel_mae - c.model.rel_mae  # > 0: the model beats drift
    if "beats drift too" in words:
        assert drift_skill > 0
    if "drift does better" in words:
        assert drift_skill < 0


def test_a_small_good_ticker_beside_a_large_poor_one_is_reported_as_tested() -> None:
    """The case that printed 'does WORSE than naive (rel. MAE 0.966, skill 3.4%)': a pooled
    geometric mean of the ratios said better, a row-weighted test said worse. Now the printed
    rel. MAE is the tested quantity."""
    c = compare.compare_groups(two_tickers(3, 0.7, 1.05, 120, 700))
    assert c.model.rel_mae > 1 and c.vs_naive.statistic > 0
    per = [compare.compare_groups([g]).model.rel_mae for g in two_tickers(3, 0.7, 1.05, 120, 700)]
    assert np.sqrt(per[0] * per[1]) < 1  # what the geometric mean would have printed
