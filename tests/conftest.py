"""Shared fixtures: synthetic bars, the real shared data (optional), and a fake Yahoo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig
from stockrnn.pipelines.request import TrainRequest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ohlcv"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live Yahoo tests run only when asked for by name (`pytest -m network`), whatever else
    -m selects: `pytest -m "not slow"` must not reach for the network either."""
    if "network" in (config.getoption("markexpr") or "").replace("not network", ""):
        return
    skip = pytest.mark.skip(reason="needs the network: run with -m network")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


def make_bars(
    n: int = 300,
    start: str = "2020-01-02",
    seed: int = 0,
    price: float = 100.0,
    drift: float = 0.0003,
    vol: float = 0.015,
    calendar: str = "XNYS",
) -> pd.DataFrame:
    """A random-walk OHLCV frame on the calendar's sessions, valid by construction."""
    from stockrnn.data import trading_calendar

    rng = np.random.default_rng(seed)
    sessions = trading_calendar.get_calendar(calendar, pd.Timestamp(start).date()).sessions
    dates = pd.DatetimeIndex(sessions[sessions >= pd.Timestamp(start)][:n], name="date")
    assert len(dates) == n, "make_bars: the calendar ends before n sessions"
    close = price * np.exp(np.cumsum(rng.normal(drift, vol, n)))
    open_ = close * np.exp(rng.normal(0, vol / 3, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, vol / 3, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, vol / 3, n)))
    volume = rng.integers(1_000_000, 5_000_000, n).astype(float)
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume}, index=dates
    )


@pytest.fixture
def bars() -> Callable[..., pd.DataFrame]:
    return make_bars


@pytest.fixture
def shared_ohlcv() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/ohlcv is not present")
    return SHARED


class FakeYahoo:
    """Replaces Ticker.history, the network edge under yf.download, so yfinance's own
    download() builds the frame (MultiIndex columns, tz-naive index) and swallows errors
    exactly as it does for real."""

    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        self.errors: dict[str, BaseException] = {}
        self.calls: list[dict[str, Any]] = []

    def history(self, ticker: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        sym = ticker.ticker
        self.calls.append({"symbol": sym, **kwargs})
        if sym in self.errors:
            raise self.errors[sym]
        frame = self.frames.get(sym)
        if frame is None:
            from yfinance.exceptions import YFPricesMissingError

            raise YFPricesMissingError(sym, "")
        out = frame.copy()
        start, end = kwargs.get("start"), kwargs.get("end")
        if start:
            out = out[out.index >= pd.Timestamp(start)]
        if end:
            out = out[out.index < pd.Timestamp(end)]
        out.columns = [c.capitalize() for c in out.columns]
        out.index = out.index.tz_localize("America/New_York").rename("Date")
        return out


@pytest.fixture
def fake_yahoo(monkeypatch: pytest.MonkeyPatch) -> FakeYahoo:
    import yfinance as yf

    fake = FakeYahoo()
    monkeypatch.setattr(yf.Ticker, "history", lambda self, *a, **k: fake.history(self, *a, **k))
    return fake


def cache_bars(data_dir: Path, symbol: str, frame: pd.DataFrame, calendar: str = "XNYS") -> None:
    """Store a frame in the data cache as `stockrnn fetch` would."""
    from stockrnn.data import cache

    manifest = cache.Manifest(symbol, "test", "2020-01-01T00:00:00", True, calendar=calendar)
    cache.save(data_dir, frame, manifest)


def tiny_request(
    ws: Path,
    name: str = "m",
    tickers: tuple[str, ...] = (),
    *,
    models: Path | None = None,
    cell: str = "lstm",
    hidden: int = 8,
    window: int = 10,
    data: dict[str, Any] | None = None,
    model: dict[str, Any] | None = None,
    overwrite: bool = False,
    **train: Any,
) -> TrainRequest:
    """A small TrainRequest on ws/data into ws/models (or `models`); `train` -> TrainConfig,
    `model` -> more ModelConfig settings (head, horizon, ...)."""
    return TrainRequest(
        data_dir=ws / "data",
        models_dir=models or ws / "models",
        name=name,
        tickers=tuple(tickers),
        data=DataConfig(window=window, **(data or {})),
        model=ModelConfig(cell=cell, hidden=hidden, **(model or {})),
        train=TrainConfig(**train),
        overwrite=overwrite,
    )


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


def cli_runner() -> Any:
    """Typer's CliRunner with stderr kept apart: click 8.2+ does that by default, click 8.1
    (the oldest we test, with typer 0.12) needs mix_stderr=False."""
    from typer.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def train_argv(
    data: Path, models: Path, *extra: str, window: int = 5, epochs: int = 1, hidden: int = 4
) -> list[str]:
    """A small `stockrnn train` command line over the given folders."""
    return [
        "train",
        *("--data-dir", str(data), "--models-dir", str(models)),
        *("--window", str(window), "--epochs", str(epochs), "--hidden", str(hidden)),
        *extra,
    ]
