"""`predict` from day D and `backtest` at origin D forecast through one path: same numbers.

Same up to float32 summation order: `predict` runs one origin, `backtest` thousands in one
batch, and the matrix kernels add in a batch-size-dependent order (measured: prices agree to
2e-10 relative). Anything that differed in the maths (window, roll, scaling, prices) would
show as differences of 1e-4 or more.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.requests import tiny_request

from stockrnn.checkpoint import reading, weights
from stockrnn.common.choices import Head
from stockrnn.data import cache
from stockrnn.forecast import rollout
from stockrnn.model import config
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster
from stockrnn.pipelines import backtest, predict, train

RTOL = 1e-9


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ws = tmp_path_factory.mktemp("agree")
    cache_bars(ws / "data", "AAA", make_bars(400, seed=3))
    summary = train.run(tiny_request(ws, "m", ("AAA",), hidden=8, epochs=2))
    return ws, summary


@pytest.mark.parametrize("steps", [1, 5])
def test_predict_from_d_equals_backtest_at_origin_d(trained, tmp_path, steps) -> None:
    ws, summary = trained
    out = tmp_path / "bt.csv"
    cfg = backtest.BacktestConfig(horizon=steps, model="m", predictions_out=out)
    backtest.run(tiny_request(ws, "m", ("AAA",)), ws / "models", cfg)
    rows = pd.read_csv(out)
    frame, _ = cache.load(ws / "data", "AAA")
    model, meta = weights.load(ws / "models", "m")
    predictor = reading.predictor_of(model, meta)
    origins = sorted(rows["origin_date"].unique())
    for d in (origins[0], origins[len(origins) // 2], origins[-steps]):
        got = predict.forecast_one(
            predictor, meta, frame.loc[:d], "AAA", predict.ForecastConfig(horizon=steps)
        )
        bt = rows[rows["origin_date"] == d].sort_values("step")
        assert list(bt["target_date"]) == [r.date for r in got.rows]  # calendar = data
        for col, key in (("prediction", None), ("lo", "lo-80"), ("hi", "hi-80")):
            want = [r.close if key is None else r.bands[key] for r in got.rows]
            np.testing.assert_allclose(bt[col].to_numpy(), want, rtol=RTOL, atol=0)


def test_train_test_metrics_come_from_the_same_path(trained, tmp_path) -> None:
    """`train --predictions-out` one-step forecasts equal backtest's step 1 from the same days."""
    ws, summary = trained
    out = tmp_path / "test.csv"
    req = replace(tiny_request(ws, "m2", ("AAA",), hidden=8, epochs=2), predictions_out=out)
    s2 = train.run(req)
    test = pd.read_csv(out)
    assert len(test) == s2.meta.metrics.overall.model.n and (test["ticker"] == "AAA").all()
    assert test["date"].min() > s2.meta.split.val_end
    np.testing.assert_allclose(
        np.mean(np.abs(test["prediction"] - test["actual"])), s2.meta.metrics.overall.model.mae
    )
    bt_out = tmp_path / "bt.csv"
    cfg = backtest.BacktestConfig(horizon=1, model="m2", predictions_out=bt_out)
    backtest.run(tiny_request(ws, "m2", ("AAA",)), ws / "models", cfg)
    bt = pd.read_csv(bt_out).set_index("target_date")["prediction"]
    np.testing.assert_allclose(
        test.set_index("date")["prediction"], bt.loc[test["date"]], rtol=RTOL, atol=0
    )


@pytest.fixture
def seven_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPU inference in chunks of 7 rows (config.inference_rows)."""
    monkeypatch.setattr(config, "CPU_CHUNK_FLOATS", 7 * 10 * 8)
    monkeypatch.setattr(config, "MIN_CPU_ROWS", 1)


@pytest.mark.parametrize("head", [Head.recursive, Head.direct])
def test_chunked_torch_forecasts_equal_one_pass(seven_rows, head: Head) -> None:
    """Each chunk with its own rows' extra inputs, in order, a ragged last chunk included (up
    to float32 summation order: 1e-6; a row out of place differs by far more)."""
    torch.manual_seed(0)
    direct = head is Head.direct
    cfg = ModelConfig(n_features=4, n_inputs=0 if direct else 6, hidden=8, head=head,
                      horizon=5 if direct else 1)  # fmt: skip
    model = Forecaster(cfg).eval()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 10, cfg.n_inputs or 4)).astype(np.float32)  # 7 chunks + 1
    extra = None if direct else rng.standard_normal((50, 4, 2)).astype(np.float32)
    sizes: list[int] = []
    model.register_forward_pre_hook(lambda _, args: sizes.append(len(args[0])))
    got = rollout._torch(model, x, 5, extra)
    assert set(sizes) == {7, 1}  # seven chunks of 7 rows, then the ragged last row
    with torch.no_grad():
        more = None if extra is None else torch.from_numpy(extra)
        whole = rollout._forward(model, torch.from_numpy(x), 5, more).numpy()
    assert got.shape == whole.shape == (50, 5, 4)
    np.testing.assert_allclose(got, whole, rtol=1e-6, atol=1e-6)


def test_an_empty_batch_keeps_its_shape(seven_rows) -> None:
    model = Forecaster(ModelConfig(n_features=4, hidden=8)).eval()
    assert rollout._torch(model, np.empty((0, 10, 4), np.float32), 3, None).shape == (0, 3, 4)
