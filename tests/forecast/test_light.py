"""predict's NumPy network is torch's: the same state-dict shapes, the same outputs within
float32 rounding for every cell, depth, bias and head, the same forecasts from a saved model,
and a cold predict that never imports torch."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.requests import tiny_request

from stockrnn.checkpoint import reading, weights
from stockrnn.common.errors import CheckpointError
from stockrnn.data import cache
from stockrnn.forecast.light import LightForecaster, param_shapes
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster
from stockrnn.pipelines import train
from stockrnn.pipelines.predict import ForecastConfig, forecast_one

CONFIGS = [
    ModelConfig(cell=cell, layers=layers, bias=bias, hidden=12, n_inputs=inputs, **head)
    for cell, layers, bias, inputs, head in itertools.product(
        ["rnn", "lstm", "gru"],
        [1, 3],
        [True, False],
        [0, 7],
        [{}, {"head": "direct", "horizon": 3}],
    )
] + [ModelConfig(cell="rnn", nonlinearity="relu", layers=2, hidden=9)]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_the_same_network_as_torch(cfg) -> None:
    torch.manual_seed(0)
    net = Forecaster(cfg).eval()
    state = {k: v.numpy() for k, v in net.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in state.items()} == param_shapes(cfg)
    x = np.random.default_rng(1).normal(size=(5, 20, cfg.n_inputs or cfg.n_features))
    x = x.astype(np.float32)
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    got = LightForecaster(cfg, state)(x)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    cache_bars(ws / "data", "AAA", make_bars(300, start="2023-10-02", seed=3))
    train.run(tiny_request(ws, "default", epochs=2, cell="gru", hidden=16))
    return ws


def test_a_saved_model_forecasts_the_same_either_way(trained) -> None:
    models = trained / "models"
    frame, _ = cache.load(trained / "data", "AAA")
    cfg = ForecastConfig(horizon=8, levels=(80, 95))
    model, meta = weights.load(models, "default")
    light, light_meta = reading.load_light(models, "default")
    assert isinstance(light.model, LightForecaster) and light_meta == meta
    a = forecast_one(reading.predictor_of(model, meta), meta, frame, "AAA", cfg)
    b = forecast_one(light, meta, frame, "AAA", cfg)
    for x, y in zip(a.rows, b.rows, strict=True):
        assert x.date == y.date
        assert y.close == pytest.approx(x.close, rel=1e-6)
        assert y.bands == pytest.approx(x.bands, rel=1e-6)


def test_weights_of_another_dtype_are_refused(trained, tmp_path) -> None:
    import hashlib
    import shutil

    from safetensors.numpy import save

    models = tmp_path / "models"
    shutil.copytree(trained / "models", models)
    folder = models / "default"
    meta = json.loads((folder / "meta.json").read_text())
    path = folder / meta["weights_file"]
    arrays = {
        k: v.astype(np.float64) for k, v in reading.load_light(models, "default")[0].model.w.items()
    }
    payload = save(arrays, metadata={"inputs": json.dumps(meta["inputs"])})
    path.write_bytes(payload)
    meta["weights_sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="not float32"):
        reading.load_light(models, "default")


def test_a_cold_predict_never_imports_torch(trained) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stockrnn", "predict", "AAA", "--horizon", "3",
         "--format", "json", "--data-dir", str(trained / "data"),
         "--models-dir", str(trained / "models")],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(json.loads(proc.stdout)) == 3
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
    assert "torch" not in imported and "stockrnn.pipelines.predict" in imported
