"""Small TrainRequests, fast enough to train in a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig
from stockrnn.pipelines.request import TrainRequest


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
