"""The GPU path: CUDA-graph training equals eager training, bf16 autocast trains; on a
machine without CUDA the CUDA tests skip and the CUDA-only options are refused (exit 2)."""

import numpy as np
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv

from stockrnn.checkpoint import store
from stockrnn.dataset import loading, sampling
from stockrnn.dataset.config import DataConfig
from stockrnn.model import config, loop
from stockrnn.model.config import ModelConfig
from stockrnn.model.network import Forecaster

runner = cli_runner()
cuda = pytest.mark.gpu  # skipped without a CUDA device (conftest)


def _app():
    from stockrnn.cli.main import app

    return app


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--cuda-graphs", "--device", "cpu"], "--cuda-graphs needs CUDA"),
        (["--precision", "bf16", "--device", "cpu"], "--precision bf16 needs CUDA"),
    ],
)
def test_cuda_only_options_are_refused_on_cpu(tmp_path, extra, says) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(200, seed=1))
    got = runner.invoke(_app(), train_argv(tmp_path / "data", tmp_path / "models", *extra))
    assert got.exit_code == 2 and says in got.stderr and "Traceback" not in got.stderr
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_device_cuda_without_cuda_keeps_its_refusal(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(200, seed=1))
    got = runner.invoke(
        _app(), train_argv(tmp_path / "data", tmp_path / "models", "--device", "cuda")
    )
    assert got.exit_code == 2 and "no CUDA device is available" in got.stderr


def test_no_graphs_on_cpu_or_under_ddp() -> None:
    from stockrnn.model.cuda_graph import graphs_enabled

    assert not graphs_enabled(torch.device("cpu"), None, False)
    assert not graphs_enabled(torch.device("cuda", 0), None, True)
    assert not graphs_enabled(torch.device("cuda", 0), False, False)
    assert not graphs_enabled(torch.device("cuda", 0), None, False)  # opt-in: never by default
    assert graphs_enabled(torch.device("cuda", 0), True, False)


def _fit(graphs: bool, precision: str = "fp32", batch: int = 64):
    series = [
        loading.Series.from_frame("AAA", make_bars(700, seed=3), ["open", "high", "low", "close"])
    ]
    samples, _ = sampling.build(series, DataConfig(window=20))
    torch.manual_seed(0)
    model = Forecaster(ModelConfig(cell="lstm", hidden=32)).cuda()
    cfg = config.TrainConfig(batch_size=batch, epochs=4, patience=10, device="cuda")
    cfg.cuda_graphs, cfg.precision = graphs, precision
    result = loop.fit(model, samples, cfg, torch.device("cuda"))
    return result, model


@cuda
def test_graph_training_equals_eager() -> None:
    """Same seed, same batches (the last one shorter, run eagerly): the same epoch losses and
    weights as eager training, to float tolerance."""
    eager, m1 = _fit(False, batch=50)
    graph, m2 = _fit(True, batch=50)
    np.testing.assert_allclose(
        [e.train_loss for e in graph.history], [e.train_loss for e in eager.history], rtol=1e-5
    )
    np.testing.assert_allclose(
        [e.val_loss for e in graph.history], [e.val_loss for e in eager.history], rtol=1e-5
    )
    for a, b in zip(m1.parameters(), m2.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


@cuda
def test_bf16_autocast_trains() -> None:
    result, _ = _fit(True, "bf16")
    losses = [e.train_loss for e in result.history]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


@cuda
def test_train_command_on_cuda_with_graphs(tmp_path) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    got = runner.invoke(
        _app(),
        train_argv(
            tmp_path / "data", tmp_path / "models", "--device", "cuda", "--cuda-graphs", epochs=2
        ),
    )
    assert got.exit_code == 0, got.stderr
    meta = store.read_meta(tmp_path / "models", "default")
    assert meta.device.startswith("cuda") and meta.train.cuda_graphs is True
