"""The direct (many-to-many) head: shapes, samples that never straddle parts, no leakage, the
same forecast path as predict and backtest, and clear refusals."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.checkpoint import reading, weights
from stockrnn.data import cache
from stockrnn.dataset.config import FEATURE_SETS, DataConfig, Part
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import build
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster
from stockrnn.model.windows import Windows
from stockrnn.pipelines import backtest, predict, train

runner = cli_runner()
NAMES = FEATURE_SETS["ohlc"]


def direct_request(ws, name="d", horizon=3, **kw):
    model = {"head": "direct", "horizon": horizon}
    return tiny_request(ws, name, ("AAA",), window=10, hidden=8, epochs=2, model=model, **kw)


def test_shapes_and_targets() -> None:
    model = Forecaster(ModelConfig(cell="gru", hidden=8, head="direct", horizon=3))
    assert model(torch.zeros(5, 10, 4)).shape == (5, 3, 4)
    s = Series.from_frame("AAA", make_bars(300, seed=1), NAMES)
    samples, _ = build([s], DataConfig(window=10), horizon=3)
    rows = torch.from_numpy(samples.targets[Part.train][:7])
    win = Windows(samples, torch.device("cpu"))
    assert win.inputs(rows).shape == (7, 10, 4) and win.targets(rows).shape == (7, 3, 4)
    np.testing.assert_array_equal(win.targets(rows)[:, 2].numpy(), samples.scaled[rows + 2])


def test_no_sample_straddles_two_parts() -> None:
    s = Series.from_frame("AAA", make_bars(300, seed=1), NAMES)
    samples, _ = build([s], DataConfig(window=10), horizon=5)
    for part in Part:
        rows = samples.targets[part]
        for k in range(5):
            assert (samples.parts[0][rows + k] == part).all(), part
    one, _ = build([s], DataConfig(window=10))
    assert (
        len(samples.targets[Part.train]) == len(one.targets[Part.train]) - 4
    )  # the last 4 straddle


def test_test_days_never_touch_training(tmp_path) -> None:
    """Scale every price after the validation end by 1.37: scaler, weights and validation loss
    stay bit-identical, so no training or validation sample's targets reach the test span."""
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    first = train.run(direct_request(tmp_path, horizon=5))
    before = weights.read_weights(tmp_path / "models", first.meta)
    frame = make_bars(300, seed=1)
    frame.loc[frame.index > first.meta.split.val_end, ["open", "high", "low", "close"]] *= 1.37
    cache_bars(tmp_path / "data", "AAA", frame)
    second = train.run(direct_request(tmp_path, horizon=5, overwrite=True))
    after = weights.read_weights(tmp_path / "models", second.meta)
    assert first.meta.scaler == second.meta.scaler
    assert first.meta.fit.best_val_loss == second.meta.fit.best_val_loss
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_predict_equals_backtest_for_a_direct_head(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(400, seed=3))
    train.run(direct_request(tmp_path, horizon=4))
    out = tmp_path / "bt.csv"
    cfg = backtest.BacktestConfig(horizon=4, model="d", predictions_out=out)
    backtest.run(tiny_request(tmp_path, "d", ("AAA",)), tmp_path / "models", cfg)
    rows = pd.read_csv(out)
    frame, _ = cache.load(tmp_path / "data", "AAA")
    model, meta = weights.load(tmp_path / "models", "d")
    d = sorted(rows["origin_date"].unique())[10]
    got = predict.forecast_one(
        reading.predictor_of(model, meta),
        meta,
        frame.loc[:d],
        "AAA",
        predict.ForecastConfig(horizon=4),
    )
    bt = rows[rows["origin_date"] == d].sort_values("step")
    np.testing.assert_allclose(bt["prediction"], [r.close for r in got.rows], rtol=1e-9, atol=0)


def test_both_heads_are_scored_on_the_same_origins(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(400, seed=3))
    reports = {}
    for head in ("recursive", "direct"):
        model = {"head": "direct", "horizon": 3} if head == "direct" else {}
        req = tiny_request(tmp_path, "bt", ("AAA",), window=10, hidden=8, epochs=2, model=model)
        reports[head] = backtest.run(
            req, tmp_path / "models", backtest.BacktestConfig(folds=2, horizon=3)
        )
    rec, dire = reports["recursive"], reports["direct"]
    assert [(f.test_start, f.origins) for f in rec.folds] == [
        (f.test_start, f.origins) for f in dire.folds
    ]
    assert len(rec.per_step) == len(dire.per_step) == 3
    assert [c.model.n for c in rec.per_step] == [c.model.n for c in dire.per_step]


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["train", "--head", "direct"], 2, "--head direct needs --horizon between 2 and 60"),
        (["train", "--horizon", "3"], 2, "a recursive head has 1"),
        (["predict", "AAA", "--model", "d", "--days", "4"], 2, "forecasts 3 days at once"),
    ],
)
def test_refusals(tmp_path, argv, code, text) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    train.run(direct_request(tmp_path))
    dirs = ["--data-dir", str(tmp_path / "data"), "--models-dir", str(tmp_path / "models")]
    res = runner.invoke(app_(), [*argv, *dirs])
    assert res.exit_code == code and text in res.stderr, res.output
    meta = json.loads((tmp_path / "models" / "d" / "meta.json").read_text())
    assert meta["model"]["head"] == "direct" and meta["model"]["horizon"] == 3


def app_():
    from stockrnn.cli.main import app

    return app


def test_every_test_day_is_scored_by_the_steps_it_has(tmp_path) -> None:
    """A direct head's training samples need all H target days inside one part, so the
    last H - 1 test days have none; they are still scored one step ahead, as the recursive
    head's are, so both count the same test days."""
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    direct = train.run(direct_request(tmp_path, horizon=5)).meta
    recursive = train.run(tiny_request(tmp_path, "r", ("AAA",), window=10, epochs=1)).meta
    assert direct.samples["test"] == recursive.samples["test"] - 4
    assert direct.metrics.overall.model.n == recursive.metrics.overall.model.n
    assert direct.intervals.val_n == recursive.intervals.val_n
