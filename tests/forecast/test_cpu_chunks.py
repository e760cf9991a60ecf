"""CPU inference runs in chunks of config.cpu_chunk rows (fresh pages cost more than the
arithmetic past ~2 MB a pass): the chunks must give the forecasts of one whole-batch pass,
with each row's extra inputs, in order, a ragged last chunk included.

Up to float32 summation order: the matrix kernels may add in a batch-size-dependent order,
so the comparison allows 1e-6; a row out of place or a wrong slice differs by far more."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.bars import make_bars

from stockrnn.common.choices import Head
from stockrnn.dataset.config import FEATURE_SETS, DataConfig, Part
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import build
from stockrnn.forecast import rollout
from stockrnn.model import config
from stockrnn.model.config import ModelConfig, cpu_chunk
from stockrnn.model.network import Forecaster
from stockrnn.model.windows import Windows, predict_rows

WINDOW, HIDDEN = 10, 8


@pytest.fixture
def seven_rows(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(config, "CPU_CHUNK_FLOATS", 7 * WINDOW * HIDDEN)
    assert cpu_chunk(WINDOW, HIDDEN) == 7
    return 7


def test_the_budget_gives_rows_per_pass() -> None:
    assert cpu_chunk(60, 64) == (1 << 19) // (60 * 64) == 136
    assert cpu_chunk(60, 4096) == 2  # a huge model still gets whole rows
    assert cpu_chunk(10**6, 4096) == 1


@pytest.mark.parametrize("head", [Head.recursive, Head.direct])
def test_chunked_roll_equals_one_pass(seven_rows: int, head: Head) -> None:
    torch.manual_seed(0)
    direct = head is Head.direct
    cfg = ModelConfig(n_features=4, n_inputs=0 if direct else 6, hidden=HIDDEN, head=head,
                      horizon=5 if direct else 1)  # fmt: skip
    model = Forecaster(cfg).eval()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, WINDOW, cfg.n_inputs or 4)).astype(np.float32)  # 7 chunks + 1
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


def test_empty_batch_keeps_its_shape() -> None:
    model = Forecaster(ModelConfig(n_features=4, hidden=HIDDEN)).eval()
    out = rollout._torch(model, np.empty((0, WINDOW, 4), np.float32), 3, None)
    assert out.shape == (0, 3, 4)


def test_validation_pass_in_chunks_equals_one_pass(seven_rows: int) -> None:
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
