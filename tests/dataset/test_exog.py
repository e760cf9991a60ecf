"""Covariates and calendar features: alignment on the target's sessions, the carry-forward
rule, no leakage past the origin or into training, the checkpoint's record, and predict's
refusals."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv
from helpers.requests import tiny_request

from stockrnn.checkpoint import reading, weights
from stockrnn.common.errors import DataError, NotCachedError
from stockrnn.data import cache, manifests
from stockrnn.dataset import exog
from stockrnn.dataset.config import CALENDAR_COLUMNS, DataConfig, Part, Spec
from stockrnn.dataset.loading import series_of
from stockrnn.forecast.rollout import paths
from stockrnn.pipelines import train

runner = cli_runner()


def cov_of(frame: pd.DataFrame, symbol: str = "^IDX") -> exog.Covariate:
    return exog.Covariate(symbol, frame["close"], "")


def test_returns_align_on_target_sessions_with_carry_forward() -> None:
    target = make_bars(40, seed=1)
    idx = target.index
    cov = make_bars(40, seed=2)
    cov = cov.drop(idx[10])  # the covariate misses one of the target's sessions
    start, ret, carried = exog.align("AAA", pd.DatetimeIndex(idx), cov_of(cov))
    assert start == 0 and len(ret) == len(idx) - 1
    c = cov["close"]
    # row r is day idx[r + 1] against idx[r]
    assert ret[4] == pytest.approx(np.log(c[idx[5]] / c[idx[4]]))
    assert ret[9] == 0.0 and carried[9] == 1.0  # idx[10] missing: close carried forward
    assert ret[10] == pytest.approx(np.log(c[idx[11]] / c[idx[9]]))  # across the gap
    assert carried.sum() == 1.0


def test_a_covariate_day_the_target_lacks_folds_into_the_next_return() -> None:
    cov = make_bars(40, seed=2)
    target = cov.drop(cov.index[20])
    _, ret, carried = exog.align("AAA", pd.DatetimeIndex(target.index), cov_of(cov))
    c, t = cov["close"], target.index
    assert ret[19] == pytest.approx(np.log(c[t[20]] / c[t[19]]))  # two covariate days
    assert not carried.any()


def test_late_start_drops_leading_bars_and_early_end_is_refused() -> None:
    target = make_bars(80, seed=1)
    late = make_bars(80, seed=2).iloc[15:]
    cfg = DataConfig(window=5, covariates=["^IDX"])
    s = series_of("AAA", target, cfg, [cov_of(late)])
    assert s.dates[0] == target.index[16] and s.rel.shape == (64, 6)
    with pytest.raises(DataError, match=r"covariate \^IDX's data ends .* before AAA's"):
        series_of("AAA", target, cfg, [cov_of(make_bars(70, seed=2))])


def test_calendar_rows_describe_the_next_session() -> None:
    dates = pd.DatetimeIndex(["2024-07-02", "2024-07-03", "2024-06-14", "2024-06-17"])
    rows = exog.calendar_rows(dates, "XNYS")
    cols = dict(zip(CALENDAR_COLUMNS, rows.T, strict=True))
    # 07-02 -> Wed 07-03 (July 4th follows it); 07-03 -> Fri 07-05 (after the holiday);
    # Fri 06-14 -> Mon 06-17, an ordinary weekend; 06-17 -> Tue 06-18 (Juneteenth follows)
    np.testing.assert_array_equal(cols["gap_days"], [1, 2, 3, 1])
    np.testing.assert_array_equal(cols["holiday_adjacent"], [1, 1, 0, 1])
    dow = np.round(np.arctan2(cols["dow_sin"], cols["dow_cos"]) * 5 / (2 * np.pi)) % 5
    np.testing.assert_array_equal(dow, [2, 4, 0, 1])
    assert cols["month_sin"][0] == pytest.approx(np.sin(2 * np.pi * 6 / 12))


def test_recursive_future_rows_are_carried_and_calendar_known() -> None:
    spec = Spec(("^IDX",), calendar=True)
    out = exog.future(spec, pd.DatetimeIndex(["2024-07-01"]), 4, "XNYS")
    assert out.shape == (1, 3, 2 + 6)
    np.testing.assert_array_equal(out[0, :, :2], [[0, 1]] * 3)
    # predicted rows are 07-02, 07-03, 07-05; each carries the calendar of the session after it
    want = exog.calendar_rows(pd.DatetimeIndex(["2024-07-02", "2024-07-03", "2024-07-05"]), "XNYS")
    np.testing.assert_array_equal(out[0, :, 2:], want)


def _cached(ws, n=320):
    cache_bars(ws / "data", "AAA", make_bars(n, seed=1))
    cache_bars(ws / "data", "^IDX", make_bars(n, seed=7, price=4000, vol=0.01))


def cov_request(ws, head="recursive", horizon=1, overwrite=False):
    req = tiny_request(
        ws,
        "c",
        ("AAA",),
        window=10,
        hidden=8,
        epochs=2,
        data={"covariates": ["^IDX"], "calendar_features": True},
        overwrite=overwrite,
    )
    return replace(req, model=replace(req.model, head=head, horizon=horizon))


@pytest.mark.parametrize(("head", "horizon"), [("recursive", 1), ("direct", 4)])
def test_covariate_after_the_origin_changes_nothing(tmp_path, head, horizon) -> None:
    """Rewrite the covariate after a test-span origin: the forecast from that origin is
    bit-identical; rewrite it after the validation end: training is bit-identical too."""
    _cached(tmp_path)
    first = train.run(cov_request(tmp_path, head, horizon))
    meta = first.meta
    assert meta.model.n_inputs == 4 + 2 + 6 and meta.inputs[4:6] == ["^IDX:return", "^IDX:carried"]
    model, _ = weights.load(tmp_path / "models", "c")
    predictor = reading.predictor_of(model, meta)
    frame, _ = cache.load(tmp_path / "data", "AAA")
    cov = make_bars(320, seed=7, price=4000, vol=0.01)
    s = series_of("AAA", frame, meta.data, [cov_of(cov)])
    origin = np.array([len(s.rel) - 30])
    before = paths(predictor, s, origin, 4).prices
    changed = cov.copy()
    changed.loc[changed.index > s.dates[origin[0]], "close"] *= np.linspace(0.5, 2, 29)
    s2 = series_of("AAA", frame, meta.data, [cov_of(changed)])
    assert not np.array_equal(s.rel[-5:], s2.rel[-5:])  # the inputs did change after it
    np.testing.assert_array_equal(paths(predictor, s2, origin, 4).prices, before)

    tail = cov.copy()
    tail.loc[tail.index > meta.split.val_end, "close"] *= 1.3
    cache_bars(tmp_path / "data", "^IDX", tail)
    second = train.run(cov_request(tmp_path, head, horizon, overwrite=True))
    assert second.meta.scaler == meta.scaler
    assert second.meta.fit.best_val_loss == meta.fit.best_val_loss
    w1 = weights.read_weights(tmp_path / "models", meta)
    w2 = weights.read_weights(tmp_path / "models", second.meta)
    assert all(np.array_equal(w1[k].numpy(), w2[k].numpy()) for k in w1)


def test_checkpoint_records_covariates_and_predict_refuses_stale_or_missing(tmp_path) -> None:
    _cached(tmp_path)
    data, models = tmp_path / "data", tmp_path / "models"
    argv = ["AAA", "--covariate", "^idx", "--calendar-features", "--head", "direct"]
    got = runner.invoke(_app(), train_argv(data, models, *argv, "--horizon", "3", "--json"))
    assert got.exit_code == 0, got.stderr
    meta = json.loads(got.stdout)["meta"]
    assert [c["symbol"] for c in meta["covariates"]] == ["^IDX"]
    assert meta["data"]["calendar_features"] is True and meta["model"]["n_inputs"] == 12
    ok = runner.invoke(_app(), _predict(data, models))
    assert ok.exit_code == 0, ok.stderr
    cache_bars(data, "^IDX", make_bars(300, seed=7, price=4000, vol=0.01))  # ends 20 days early
    stale = runner.invoke(_app(), _predict(data, models))
    assert stale.exit_code != 0 and "covariate ^IDX's data ends" in stale.stderr
    assert "Traceback" not in stale.stderr and len(stale.stderr.strip().splitlines()) == 1
    for path in (manifests.csv_path(data, "^IDX"), manifests.manifest_path(data, "^IDX")):
        path.unlink()
    gone = runner.invoke(_app(), _predict(data, models))
    assert gone.exit_code == NotCachedError.exit_code and "covariate ^IDX" in gone.stderr


def test_backtest_takes_covariates(tmp_path) -> None:
    _cached(tmp_path, 400)
    data, models = tmp_path / "data", tmp_path / "models"
    argv = ["backtest", "AAA", "--folds", "2", "--horizon", "3", "--window", "8", "--epochs", "1"]
    extra = ["--hidden", "4", "--covariate", "^IDX", "--calendar-features", "--json"]
    got = runner.invoke(
        _app(), [*argv, *extra, "--data-dir", str(data), "--models-dir", str(models)]
    )
    assert got.exit_code == 0, got.stderr
    assert len(json.loads(got.stdout)["per_step"]) == 3


def test_unknown_covariate_is_one_clear_line(tmp_path) -> None:
    _cached(tmp_path)
    got = runner.invoke(
        _app(), train_argv(tmp_path / "data", tmp_path / "models", "--covariate", "ZZZ")
    )
    assert got.exit_code == NotCachedError.exit_code
    assert got.stderr.strip().startswith("error: covariate ZZZ") or "covariate ZZZ" in got.stderr
    assert "Traceback" not in got.stderr


def _predict(data, models):
    return ["predict", "AAA", "--model", "default", "--days", "3"] + [
        *("--data-dir", str(data), "--models-dir", str(models)),
    ]


def _app():
    from stockrnn.cli.main import app

    return app


def test_many_series_at_once_equal_one_at_a_time(tmp_path) -> None:
    """`paths_many` (several series' origins sharing forward passes, a job split across
    chunks, the covariate and calendar inputs of each) gives what `paths` gives per series,
    up to float32 summation order (the batch differs)."""
    from stockrnn.forecast.rollout import paths_many

    _cached(tmp_path)
    meta = train.run(cov_request(tmp_path)).meta
    model, _ = weights.load(tmp_path / "models", "c")
    predictor = reading.predictor_of(model, meta)
    frame, _ = cache.load(tmp_path / "data", "AAA")
    cov = cov_of(make_bars(320, seed=7, price=4000, vol=0.01))
    a = series_of("AAA", frame, meta.data, [cov])
    b = series_of("BBB", make_bars(280, seed=9), meta.data, [cov])
    jobs = [(a, np.arange(20, 45)), (b, np.arange(30, 33)), (a, np.array([len(a.rel) - 1]))]
    many = paths_many(predictor, jobs, 5, chunk=7)
    assert [len(p.origins) for p in many] == [25, 3, 1]
    for (s, origins), got in zip(jobs, many, strict=True):
        np.testing.assert_allclose(got.prices, paths(predictor, s, origins, 5).prices, rtol=1e-6)
    assert not np.allclose(many[0].prices[10:13], many[1].prices)  # each its own series


def test_every_input_column_of_a_recursive_model_gets_a_gradient(tmp_path) -> None:
    """^IDX trades on every AAA session, so its `carried` flag is 0 on every training row;
    the roll feeds 1 after the origin. Training masks some windows' last days the same way,
    so that input's weights learn too instead of keeping their random start."""
    import torch

    from stockrnn.dataset import loading, sampling
    from stockrnn.model.network import Forecaster
    from stockrnn.model.steps import Stepper
    from stockrnn.model.windows import Windows

    _cached(tmp_path)
    req = cov_request(tmp_path)
    series = loading.load_series(req.data_dir, ["AAA"], req.data)
    assert not any(s.rel[:, 5].any() for s in series)  # never carried in the data
    samples, scaler = sampling.build(series, req.data)
    assert scaler.dropped == []
    torch.manual_seed(0)
    model = Forecaster(req.model_config())
    windows = Windows(samples, torch.device("cpu"))
    windows.redraw(torch.Generator().manual_seed(0))
    step = Stepper(model, windows, torch.optim.Adam(model.parameters()))
    step.loss_of(torch.from_numpy(samples.targets[Part.train])).backward()
    grad = model.rnn.weight_ih_l0.grad.abs().sum(axis=0)  # (inputs,)
    assert (grad > 0).all(), grad


def test_a_column_constant_in_training_is_left_out_and_said(tmp_path) -> None:
    """A direct head reads no masked days, so ^IDX's never-set carried flag is constant over
    its training rows: it is fed as 0, whatever its value later, and train says so."""
    _cached(tmp_path)
    summary = train.run(cov_request(tmp_path, "direct", 3))
    assert summary.meta.scaler.dropped == [5]
    assert any("^IDX:carried is constant over the training rows" in n for n in summary.notes)
    model, meta = weights.load(tmp_path / "models", "c")
    predictor = reading.predictor_of(model, meta)
    frame, _ = cache.load(tmp_path / "data", "AAA")
    s = series_of("AAA", frame, meta.data, exog.load(tmp_path / "data", ("^IDX",)))
    origin = np.array([len(s.rel) - 1])
    before = paths(predictor, s, origin, 3).prices
    s.rel[:, 5] = 1.0  # every day carried: a value training never saw
    np.testing.assert_array_equal(paths(predictor, s, origin, 3).prices, before)


def test_calendar_features_know_only_scheduled_closures() -> None:
    """Hurricane Sandy shut the NYSE on 2012-10-29 and 30; on Friday 10-26 nobody knew, so the
    session after it is Monday, three days on, with no holiday beside it."""
    rows = exog.calendar_rows(pd.DatetimeIndex(["2012-10-26"]), "XNYS")
    cols = dict(zip(CALENDAR_COLUMNS, rows.T, strict=True))
    assert cols["gap_days"][0] == 3 and cols["holiday_adjacent"][0] == 0
    assert np.round(np.arctan2(cols["dow_sin"][0], cols["dow_cos"][0]), 9) == 0  # Monday


def london_and_new_york(n: int = 700, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A New York index, and a London stock whose every move is New York's move of the
    afternoon before, which happens after London's close: London cannot be forecast at its
    own close, but a covariate read by calendar date would hand it tomorrow's move."""
    rng = np.random.default_rng(seed)
    ny = make_bars(n + 40, start="2020-01-02", seed=seed, vol=0.012)
    lon = make_bars(n, start="2020-01-06", seed=seed + 1, calendar="XLON")
    ny_ret = np.log(ny["close"]).diff().fillna(0.0)
    # London's return on day d: New York's last full-day return before London's close on d
    nyc = pd.DatetimeIndex(ny.index)
    prev_ny = nyc[np.searchsorted(nyc, lon.index) - 1]
    ret = ny_ret.loc[prev_ny].to_numpy() + rng.normal(0, 0.001, n)
    close = 50 * np.exp(np.cumsum(ret))
    lon = lon.assign(close=close, open=close * np.exp(-ret / 2))
    lon["high"] = lon[["open", "close"]].max(axis=1) * 1.002
    lon["low"] = lon[["open", "close"]].min(axis=1) * 0.998
    return lon, ny


def test_a_later_closing_covariate_gives_its_previous_close() -> None:
    lon, ny = london_and_new_york(60)
    cov = exog.Covariate("^NY", ny["close"], "", calendar="XNYS")
    _, ret, carried = exog.align("VOD.L", pd.DatetimeIndex(lon.index), cov, "XLON")
    nyc = ny["close"]
    for r in range(5, 50):  # row r: London day lon.index[r + 1] against lon.index[r]
        today, before = lon.index[r + 1], lon.index[r]
        last = nyc.index[nyc.index < today][-1]  # New York's close of the day before
        first = nyc.index[nyc.index < before][-1]
        assert ret[r] == pytest.approx(np.log(nyc[last] / nyc[first]))
        assert carried[r] == float(last == first)


@pytest.mark.slow
def test_no_skill_from_a_covariate_that_closes_after_the_target(tmp_path) -> None:
    lon, ny = london_and_new_york()
    data = tmp_path / "data"
    cache_bars(data, "VOD.L", lon, calendar="XLON")
    cache_bars(data, "^NY", ny, calendar="XNYS")
    req = tiny_request(
        tmp_path, "x", ("VOD.L",), window=10, hidden=16, epochs=15, patience=15,
        data={"covariates": ["^NY"]},
    )  # fmt: skip
    req = replace(req, model=replace(req.model, head="direct", horizon=2))
    summary = train.run(req)
    overall = summary.meta.metrics.overall
    assert not (overall.vs_naive.significant and overall.vs_naive.statistic < 0), overall
    assert overall.model.rel_mae > 0.97 and overall.model.diracc < 60  # leaked: 0.83, 82%
