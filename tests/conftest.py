"""Fixtures only (helpers live in tests/helpers): synthetic bars, the real shared data
(optional), a fake Yahoo, a small request; and which tests run where."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.requests import tiny_request
from helpers.yahoo import FakeYahoo

from stockrnn.pipelines.request import TrainRequest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ohlcv"


def pytest_configure(config: pytest.Config) -> None:
    """No test reaches the real per-user workspace (~/.local/share/stockrnn): a command run
    without a folder option or project file uses this session's own, subprocesses too."""
    import os
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="stockrnn-user-")
    for name in ("STOCKRNN_DATA", "STOCKRNN_MODELS"):
        os.environ.pop(name, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live Yahoo tests run only when asked for by name (`pytest -m network`), whatever else
    -m selects: `pytest -m "not slow"` must not reach for the network either."""
    offline = "network" not in (config.getoption("markexpr") or "").replace("not network", "")
    no_gpu = not _has_cuda()
    for item in items:
        if offline and "network" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs the network: run with -m network"))
        if no_gpu and "gpu" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


def _has_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.fixture
def bars() -> Callable[..., pd.DataFrame]:
    return make_bars


@pytest.fixture
def shared_ohlcv() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/ohlcv is not present")
    return SHARED


@pytest.fixture
def fake_yahoo(monkeypatch: pytest.MonkeyPatch) -> FakeYahoo:
    import yfinance as yf

    fake = FakeYahoo()
    monkeypatch.setattr(yf.Ticker, "history", lambda self, *a, **k: fake.history(self, *a, **k))
    return fake


@pytest.fixture
def small_request(tmp_path: Path) -> Callable[..., Any]:
    """A TrainRequest on two cached synthetic tickers, small enough to train in a second."""
    cache_bars(tmp_path / "data", "AAA", make_bars(260, seed=1))
    cache_bars(tmp_path / "data", "BBB", make_bars(240, seed=2, price=40))

    def build(
        cell: str = "lstm", epochs: int = 3, overwrite: bool = False, **data: Any
    ) -> TrainRequest:
        return tiny_request(
            tmp_path,
            cell=cell,
            data=data,
            epochs=epochs,
            patience=5,
            batch_size=32,
            overwrite=overwrite,
        )

    return build
