"""Rows per inference pass (config.inference_rows): a budget of LSTM output on CPU, with a
floor for large models; one pass on a GPU, and for a module that is not stockrnn's network."""

from __future__ import annotations

import types

import torch

from stockrnn.model import config
from stockrnn.model.config import ModelConfig, cpu_chunk, inference_rows
from stockrnn.model.network import Forecaster


def test_the_budget_gives_rows_per_pass() -> None:
    assert cpu_chunk(60, 64) == (1 << 19) // (60 * 64) == 136
    assert cpu_chunk(60, 1024) == config.MIN_CPU_ROWS  # 8 rows would cost more than they save


def test_rows_follow_the_model_and_its_device() -> None:
    model = Forecaster(ModelConfig(hidden=64))
    assert inference_rows(model, 60, "cpu") == 136
    assert inference_rows(types.SimpleNamespace(module=model), 60, "cpu") == 136  # DDP's wrap
    assert inference_rows(model, 60, "cuda") == config.WHOLE_ROWS
    assert inference_rows(torch.nn.LSTM(4, 64), 60, "cpu") == config.WHOLE_ROWS  # no cfg
