import csv

import numpy as np
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import app
from stockrnn.common.errors import UsageError
from stockrnn.data import cache
from stockrnn.evaluate import scoring
from stockrnn.pipelines import backtest, train
from stockrnn.pipelines.backtest import BacktestConfig, LeakError
from stockrnn.pipelines.request import TrainRequest

runner = cli_runner()
NAMES = ["open", "high", "low", "close"]


def request(ws, tickers=("AAA",), epochs=2) -> TrainRequest:
    return tiny_request(ws, "bt", tickers, cell="gru", hidden=6, epochs=epochs, patience=2)


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(400, seed=1))
    return tmp_path


def test_no_fold_fits_on_its_test_rows(ws, monkeypatch) -> None:
    seen = []
    real = backtest.fit_series

    def spy(series, req, *a, **k):
        seen.append(max(s.dates[-1] for s in series))
        return real(series, req, *a, **k)

    monkeypatch.setattr(backtest, "fit_series", spy)
    rep = backtest.run(request(ws), ws / "models", BacktestConfig(folds=3, horizon=2))
    starts = [pd.Timestamp(f.test_start) for f in rep.folds]
    assert len(seen) == 3 and all(fit < start for fit, start in zip(seen, starts, strict=True))
    assert all(pd.Timestamp(f.train_through) < pd.Timestamp(f.test_start) for f in rep.folds)


def test_changing_later_rows_leaves_earlier_folds_alone(ws, tmp_path) -> None:
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    backtest.run(
        request(ws), ws / "models", BacktestConfig(folds=2, horizon=1, predictions_out=out1)
    )
    first = pd.read_csv(out1)
    cut = first.loc[first["fold"] == 2, "target_date"].min()
    frame = make_bars(400, seed=1)
    frame.loc[cut:, ["open", "high", "low", "close"]] *= 1.37
    cache_bars(ws / "data", "AAA", frame)
    backtest.run(
        request(ws), ws / "models", BacktestConfig(folds=2, horizon=1, predictions_out=out2)
    )
    second = pd.read_csv(out2)
    fold1 = first["fold"] == 1
    np.testing.assert_array_equal(first.loc[fold1, "prediction"], second.loc[fold1, "prediction"])


def test_predictions_out_matches_cached_data(ws, tmp_path) -> None:
    out = tmp_path / "p.csv"
    rep = backtest.run(
        request(ws), ws / "models", BacktestConfig(folds=2, horizon=3, predictions_out=out)
    )
    frame, _ = cache.load(ws / "data", "AAA")
    dates = list(frame.index.strftime("%Y-%m-%d"))
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert len(rows) == rep.overall.model.n
    for r in rows[:: max(1, len(rows) // 200)]:
        o, t = dates.index(r["origin_date"]), dates.index(r["target_date"])
        assert t - o == int(r["step"])
        assert float(r["actual"]) == pytest.approx(frame["close"].iloc[t])
        assert float(r["naive"]) == pytest.approx(frame["close"].iloc[o])
        assert float(r["lo"]) < float(r["prediction"]) < float(r["hi"])


def test_saved_model_scores_only_after_its_data(ws, tmp_path) -> None:
    summary = train.run(tiny_request(ws, "m", ("AAA",), hidden=6, epochs=1))
    val_end = summary.meta.tickers[0].val_end
    out = tmp_path / "one.csv"
    rep = backtest.run(
        request(ws), ws / "models", BacktestConfig(horizon=1, model="m", predictions_out=out)
    )
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert min(r["target_date"] for r in rows) > val_end
    assert rep.folds[0].test_start == summary.meta.tickers[0].test_start
    with pytest.raises(UsageError, match="in-sample"):
        backtest.run(
            request(ws),
            ws / "models",
            BacktestConfig(horizon=1, model="m", start=pd.Timestamp(val_end).date()),
        )


def test_leak_guard_covers_every_tickers_training_and_validation_days() -> None:
    from types import SimpleNamespace

    def head(n, start):
        return backtest.Series.from_frame("X", make_bars(n, start=start), NAMES)

    def parts(s, part_of_last):
        codes = np.zeros(len(s.rel), dtype=np.int8)
        codes[-1] = part_of_last
        return codes

    early, late = head(40, "2020-01-02"), head(40, "2020-03-02")
    test_start = late.dates[-1]  # the late ticker's last validation day is in the test span
    samples = SimpleNamespace(parts=[parts(early, 1), parts(late, 1)])
    fitted = SimpleNamespace(scaler=SimpleNamespace(fit_end=early.dates[-1]), samples=samples)
    with pytest.raises(LeakError, match="training/validation days reach"):
        backtest.check_no_leak(fitted, [early, late], test_start)
    samples.parts[1][-1] = 2  # a test row there is fine
    backtest.check_no_leak(fitted, [early, late], test_start)
    fitted.scaler.fit_end = test_start
    with pytest.raises(LeakError, match="scaler was fitted through"):
        backtest.check_no_leak(fitted, [early, late], test_start)


def test_folds_cut_by_date_across_tickers(tmp_path, monkeypatch) -> None:
    """A ticker that starts later is never validated on days after another's test start."""
    cache_bars(tmp_path / "data", "AAA", make_bars(500, seed=1, start="2015-01-02"))
    cache_bars(tmp_path / "data", "LATE", make_bars(330, seed=2, start="2015-09-01"))
    seen = []
    real = backtest.fit_series

    def spy(series, req, *a, **k):
        fitted = real(series, req, *a, **k)
        used = zip(series, fitted.samples.parts, strict=True)
        seen.append(max(s.dates[p <= 1].max() for s, p in used))
        return fitted

    monkeypatch.setattr(backtest, "fit_series", spy)
    rep = backtest.run(
        request(tmp_path, ("AAA", "LATE")), tmp_path / "models", BacktestConfig(folds=2, horizon=1)
    )
    for k, used in enumerate(seen, start=1):
        starts = {pd.Timestamp(f.test_start) for f in rep.folds if f.fold == k}
        assert len(starts) == 1 and used < starts.pop()  # one test start for both tickers


def test_lag_echo_flags_carried_forward_forecasts() -> None:
    n = 50
    last = np.linspace(100, 110, n)[:, None]
    actual = last * np.exp(np.random.default_rng(0).normal(0, 0.01, (n, 1)))
    f = backtest.Forecasts(
        symbol="X",
        fold=1,
        origins=np.arange(n),
        dates=pd.bdate_range("2020-01-01", periods=n + 1),
        pred=last * 1.0001,
        actual=actual,
        naive=last,
        drift=last,
        lo=last,
        hi=last,
    )
    assert any("stays close to yesterday's close" in w for w in scoring.lag_echo([f]))


def test_cli_backtest_on_sample_ticker(tmp_path) -> None:
    data = tmp_path / "data"
    assert (
        runner.invoke(
            app, ["fetch", "MSFT", "--source", "sample", "--data-dir", str(data)]
        ).exit_code
        == 0
    )
    res = runner.invoke(
        app,
        [
            "backtest",
            "MSFT",
            "--folds",
            "2",
            "--horizon",
            "2",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--window",
            "20",
            "--data-dir",
            str(data),
            "--models-dir",
            str(tmp_path / "m"),
        ],
    )
    assert res.exit_code == 0, res.output
    for label in ("step 1 model", "step 2 model", "overall model", "naive", "drift", "cover %"):
        assert label in res.stdout


@pytest.mark.parametrize(
    ("argv", "msg"),
    [
        (["--folds", "0"], "--folds"),
        (["--horizon", "99"], "--horizon"),
        (["--model", "nope"], "no model named"),
    ],
)
def test_cli_backtest_bad_input(ws, argv, msg) -> None:
    res = runner.invoke(
        app,
        [
            "backtest",
            "AAA",
            *argv,
            "--data-dir",
            str(ws / "data"),
            "--models-dir",
            str(ws / "models"),
        ],
    )
    assert res.exit_code in (2, 10) and msg in res.stderr
