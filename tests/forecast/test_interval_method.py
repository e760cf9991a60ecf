"""The interval method travels from the request to the checkpoint and to every band."""

from dataclasses import replace

import numpy as np
from helpers.bars import cache_bars, make_bars
from helpers.requests import tiny_request

from stockrnn.checkpoint import reading, weights
from stockrnn.data import cache
from stockrnn.forecast import intervals
from stockrnn.pipelines import predict, train
from stockrnn.pipelines.predict import ForecastConfig


def test_fixed_method_gives_one_log_width_per_step(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    fixed = replace(tiny_request(tmp_path, "f", ("AAA",), epochs=2), intervals="fixed")
    meta = train.run(fixed).meta
    assert meta.intervals.method == "fixed"
    vol = train.run(tiny_request(tmp_path, "v", ("AAA",), epochs=2)).meta
    assert vol.intervals.method == "vol"
    # same model and residuals; only the unit differs, so the widths must too
    assert meta.intervals.half_widths[0] != vol.intervals.half_widths[0]
    model, loaded = weights.load(tmp_path / "models", "f")
    frame, _ = cache.load(tmp_path / "data", "AAA")
    got = predict.forecast_one(
        reading.predictor_of(model, loaded),
        loaded,
        frame,
        "AAA",
        ForecastConfig(horizon=3, model="f"),
    )
    widths = intervals.step_widths(meta.intervals.half_widths, 0.8, 3, meta.intervals.step_n)
    for row, w in zip(got.rows, widths, strict=True):
        assert abs(np.log(row.bands["hi-80"] / row.close) - w) < 1e-9


def test_origin_scale() -> None:
    rel = np.random.default_rng(0).normal(0, 0.02, 100)
    origins = np.arange(30, 40)
    np.testing.assert_array_equal(intervals.origin_scale("fixed", rel, origins), np.ones(10))
    np.testing.assert_array_equal(
        intervals.origin_scale("vol", rel, origins), intervals.origin_sigma(rel, origins)
    )
