"""The validation pass (windows.predict_rows) runs in config.inference_rows' chunks: the
chunks must give one whole-batch pass's predictions, in order, a ragged last chunk included.
Up to float32 summation order (the kernels may add in a batch-size-dependent order), so the
comparison allows 1e-6; a row out of place differs by far more."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.bars import make_bars

from stockrnn.dataset.config import FEATURE_SETS, DataConfig, Part
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import build
from stockrnn.model import config
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster
from stockrnn.model.windows import Windows, predict_rows

WINDOW, HIDDEN = 10, 8


def test_validation_pass_in_chunks_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "CPU_CHUNK_FLOATS", 7 * WINDOW * HIDDEN)
    monkeypatch.setattr(config, "MIN_CPU_ROWS", 1)
    s = Series.from_frame("AAA", make_bars(300, seed=1), FEATURE_SETS["ohlc"])
    samples, _ = build([s], DataConfig(window=WINDOW))
    windows = Windows(samples, torch.device("cpu"))
    rows = samples.targets[Part.val]
    assert len(rows) % 7  # a ragged last chunk
    torch.manual_seed(0)
    model = Forecaster(ModelConfig(n_features=4, hidden=HIDDEN))
    sizes: list[int] = []
    model.register_forward_pre_hook(lambda _, args: sizes.append(len(args[0])))
    got = predict_rows(model, windows, rows)
    assert max(sizes) == 7 and len(sizes) == -(-len(rows) // 7)
    whole = predict_rows(model, windows, rows, chunk=8192)
    np.testing.assert_allclose(got, whole, rtol=1e-6, atol=1e-6)
