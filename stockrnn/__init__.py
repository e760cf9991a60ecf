"""stockrnn: forecast daily stock prices with RNN/LSTM/GRU models, honestly.

    import stockrnn
    stockrnn.fetch("AAPL", source="sample")
    model = stockrnn.train("AAPL", epochs=20)
    model.predict("AAPL", horizon=5).to_frame()

The names below load on first use, so `import stockrnn` (and `stockrnn --help`) stays
instant; see stockrnn.api for what each does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {
    "fetch": "stockrnn.api.data",
    "cached": "stockrnn.api.data",
    "train": "stockrnn.api.model",
    "load": "stockrnn.api.model",
    "models": "stockrnn.api.model",
    "remove": "stockrnn.api.model",
    "rename": "stockrnn.api.model",
    "Model": "stockrnn.api.model",
    "Forecasts": "stockrnn.api.model",
    "backtest": "stockrnn.api.evaluate",
    "Backtest": "stockrnn.api.evaluate",
    "tune": "stockrnn.api.tuning",
    "ModelArgs": "stockrnn.api.options",
    "StockrnnError": "stockrnn.common.errors",
    "UsageError": "stockrnn.common.errors",
    "DataError": "stockrnn.common.errors",
    "CheckpointError": "stockrnn.common.errors",
}
__all__ = [
    "Backtest",
    "CheckpointError",
    "DataError",
    "Forecasts",
    "Model",
    "ModelArgs",
    "StockrnnError",
    "UsageError",
    "__version__",
    "backtest",
    "cached",
    "fetch",
    "load",
    "models",
    "remove",
    "rename",
    "train",
    "tune",
]

if TYPE_CHECKING:
    from stockrnn.api.data import cached, fetch
    from stockrnn.api.evaluate import Backtest, backtest
    from stockrnn.api.model import Forecasts, Model, load, models, remove, rename, train
    from stockrnn.api.options import ModelArgs
    from stockrnn.api.tuning import tune
    from stockrnn.common.errors import CheckpointError, DataError, StockrnnError, UsageError


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'stockrnn' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
