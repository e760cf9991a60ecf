"""One ticker's feature rows from the cache: own features, covariates, calendar features."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError
from stockrnn.data import cache
from stockrnn.dataset import exog, features
from stockrnn.dataset.config import DataConfig


@dataclass
class Series:
    """One ticker's feature rows, with the prices and dates they line up with."""

    symbol: str
    dates: pd.DatetimeIndex  # date of each feature row (day t)
    rel: np.ndarray  # (rows, features) unscaled log ratios
    close: np.ndarray  # close of day t
    prev_close: np.ndarray  # close of day t-1 (the naive forecast for day t)
    sha256: str = ""
    part: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))  # 0/1/2
    calendar: str = "XNYS"  # its exchange: the sessions after a forecast origin

    @classmethod
    def from_frame(
        cls, symbol: str, frame: pd.DataFrame, names: list[str], sha256: str = ""
    ) -> Series:
        closes = frame["close"].to_numpy(dtype=np.float64)
        return cls(
            symbol,
            pd.DatetimeIndex(frame.index[1:]),
            features.log_relative(frame, names),
            closes[1:],
            closes[:-1],
            sha256,
        )

    def head(self, rows: int) -> Series:
        """The first `rows` feature rows only: what a walk-forward fold may see."""
        return Series(
            self.symbol,
            self.dates[:rows],
            self.rel[:rows],
            self.close[:rows],
            self.prev_close[:rows],
            self.sha256,
            calendar=self.calendar,
        )


def series_of(
    symbol: str,
    frame: pd.DataFrame,
    cfg: DataConfig,
    covs: list[exog.Covariate],
    calendar: str = "XNYS",
    sha256: str = "",
) -> Series:
    """The rows a model reads: own features, then any covariates and calendar features
    (bars before a covariate's first close are dropped)."""
    first, extra = cfg.exog.columns(symbol, pd.DatetimeIndex(frame.index), covs, calendar)
    s = Series.from_frame(symbol, frame.iloc[first:], features.FEATURE_SETS[cfg.features], sha256)
    s.rel = np.hstack([s.rel, extra]) if extra.shape[1] else s.rel
    s.calendar = calendar
    return s


Cached = tuple[str, pd.DataFrame, cache.Manifest]


def load_frames(data_dir: Path, tickers: list[str]) -> list[Cached]:
    """Cached frames and manifests for `tickers` (all cached when empty), each read once."""
    return list(_each_frame(data_dir, tickers))


def _each_frame(data_dir: Path, tickers: list[str]) -> Iterator[Cached]:
    if not tickers:
        tickers = [m.symbol for m in cache.cached(data_dir)]
        if not tickers:
            raise DataError(
                f"no cached data in {data_dir}; run `stockrnn fetch TICKER` first "
                "(or `stockrnn fetch AAPL --source sample` offline)"
            )
    for symbol in tickers:
        yield (symbol, *cache.load(data_dir, symbol))


def load_series(
    data_dir: Path,
    tickers: list[str],
    cfg: DataConfig,
    frames: list[Cached] | None = None,
    covs: list[exog.Covariate] | None = None,
) -> list[Series]:
    """Series for `tickers` from the cache (or from `frames` already read), with the extra
    inputs `cfg` asks for (its covariates read here unless given)."""
    names = features.FEATURE_SETS[cfg.features]
    covs = exog.load(data_dir, tuple(cfg.covariates)) if covs is None else covs
    out = []
    # read one frame at a time unless given: 5,000 tickers' frames at once cost 1.2 GB more
    for symbol, frame, manifest in frames if frames is not None else _each_frame(data_dir, tickers):
        if features.missing_columns(frame, names):
            raise DataError(f"{symbol} has no volume; train with --features ohlc")
        out.append(series_of(symbol, frame, cfg, covs, manifest.calendar, manifest.sha256))
    return out
