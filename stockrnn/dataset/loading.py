"""One ticker's feature rows from the cache: own features, covariates, calendar features."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.common.errors import DataError
from stockrnn.data import cache, manifests
from stockrnn.dataset import exog, features
from stockrnn.dataset.config import FEATURE_SETS, DataConfig


@dataclass(frozen=True, kw_only=True)
class Series:
    """One ticker's feature rows, with the prices and dates they line up with."""

    symbol: str
    dates: pd.DatetimeIndex  # date of each feature row (day t)
    rel: np.ndarray  # (rows, features) unscaled log ratios, extra inputs after the own ones
    close: np.ndarray  # close of day t
    prev_close: np.ndarray  # close of day t-1 (the naive forecast for day t)
    sha256: str = ""
    calendar: str = "XNYS"  # its exchange: the sessions after a forecast origin
    cut: str = ""  # why its early bars were dropped (a covariate starting later), for messages

    @classmethod
    def from_frame(
        cls,
        symbol: str,
        frame: pd.DataFrame,
        names: list[str],
        *,
        sha256: str = "",
        extra: np.ndarray | None = None,
        calendar: str = "XNYS",
        cut: str = "",
    ) -> Series:
        """From cached bars; `extra`: (rows - 1, k) columns to put after the own features."""
        closes = frame["close"].to_numpy(dtype=np.float64)
        rel = features.log_relative(frame, names)
        return cls(
            symbol=symbol,
            dates=pd.DatetimeIndex(frame.index[1:]),
            rel=np.hstack([rel, extra]) if extra is not None and extra.shape[1] else rel,
            close=closes[1:],
            prev_close=closes[:-1],
            sha256=sha256,
            calendar=calendar,
            cut=cut,
        )

    def size_note(self) -> str:
        """'N rows', and why early ones were dropped: for messages about too little data."""
        return f"{len(self.rel) + 1} rows" + (f" ({self.cut})" if self.cut else "")

    def head(self, rows: int) -> Series:
        """The first `rows` feature rows only: what a walk-forward fold may see."""
        return replace(
            self,
            dates=self.dates[:rows],
            rel=self.rel[:rows],
            close=self.close[:rows],
            prev_close=self.prev_close[:rows],
        )


def series_of(
    symbol: str,
    frame: pd.DataFrame,
    cfg: DataConfig,
    covs: list[exog.Covariate],
    *,
    calendar: str = "XNYS",
    sha256: str = "",
) -> Series:
    """The rows a model reads: own features, then any covariates and calendar features
    (bars before a covariate's first close are dropped)."""
    first, extra = exog.columns(cfg.exog, symbol, pd.DatetimeIndex(frame.index), covs, calendar)
    names = FEATURE_SETS[cfg.features]
    cut = ""
    if first:
        late = max(covs, key=lambda c: c.close.index[0])
        cut = f"from {frame.index[first]:%Y-%m-%d}, where covariate {late.symbol}'s data starts"
    return Series.from_frame(
        symbol, frame.iloc[first:], names, sha256=sha256, extra=extra, calendar=calendar, cut=cut
    )


Cached = tuple[str, pd.DataFrame, manifests.Manifest]


def load_frames(data_dir: Path, tickers: Sequence[str]) -> list[Cached]:
    """Cached frames and manifests for `tickers` (all cached when empty), each read once."""
    return list(_each_frame(data_dir, tickers))


def _each_frame(data_dir: Path, tickers: Sequence[str]) -> Iterator[Cached]:
    if not tickers:
        tickers = [m.symbol for m in manifests.cached(data_dir)]
        if not tickers:
            raise DataError(
                f"no cached data in {data_dir}; run `stockrnn fetch TICKER` first "
                "(or `stockrnn fetch AAPL --source sample` offline)"
            )
    for symbol in tickers:
        yield (symbol, *cache.load(data_dir, symbol))


def load_series(
    data_dir: Path,
    tickers: Sequence[str],
    cfg: DataConfig,
    frames: list[Cached] | None = None,
    covs: list[exog.Covariate] | None = None,
) -> list[Series]:
    """Series for `tickers` from the cache (or from `frames` already read), with the extra
    inputs `cfg` asks for (its covariates read here unless given)."""
    names = FEATURE_SETS[cfg.features]
    covs = exog.load(data_dir, tuple(cfg.covariates)) if covs is None else covs
    out = []
    # one frame at a time unless given: a universe's frames all at once would double its memory
    for symbol, frame, manifest in frames if frames is not None else _each_frame(data_dir, tickers):
        if features.missing_columns(frame, names):
            raise DataError(f"{symbol} has no volume; train with --features ohlc")
        out.append(
            series_of(symbol, frame, cfg, covs, calendar=manifest.calendar, sha256=manifest.sha256)
        )
    return out
