"""From cached series to scaled, windowed, chronologically split samples.

A sample is (window of `window` feature rows, the next feature row). It belongs to the part
(train, val or test) that holds its target row; its window may reach back into an earlier part.
Parts are cut by date across all tickers (one train end, one validation end for the whole
model), so a global model is never tested on one ticker's past after learning another's future.
Windows are never materialised: every ticker's scaled features sit in one (rows, features)
array, and a batch gathers its windows by index, so memory grows with rows x features only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn import exog, features, store
from stockrnn.choices import FeatureSet, ScalerKind, check
from stockrnn.errors import DataError, UsageError

PARTS = ("train", "val", "test")


@dataclass
class DataConfig:
    """How series become samples."""

    window: int = 60  # days of history per sample
    features: str = "ohlc"  # ohlc | ohlcv
    scaler: str = "standard"  # standard | minmax | robust, fitted on train rows only
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)  # train, val, test fractions
    train_end: date | None = None  # or explicit dates (inclusive)
    val_end: date | None = None
    covariates: list[str] = field(default_factory=list)  # other cached tickers' log returns
    calendar_features: bool = False  # known-future calendar days (exog.CALENDAR_COLUMNS)

    def validate(self) -> None:
        if self.window < 2:
            raise UsageError("--window must be at least 2")
        check(FeatureSet, self.features, "--features")
        check(ScalerKind, self.scaler, "--scaler")
        if len(self.split) != 3 or any(not 0 <= p < 1 for p in self.split):
            raise UsageError("--split takes three fractions in [0, 1), e.g. 0.7,0.15,0.15")
        if abs(sum(self.split) - 1) > 1e-6 or min(self.split[0], self.split[1]) <= 0:
            raise UsageError("--split fractions must be positive for train and val and sum to 1")
        if (self.train_end is None) != (self.val_end is None):
            raise UsageError("--train-end and --val-end go together")
        if self.train_end and self.val_end and self.train_end >= self.val_end:
            raise UsageError("--train-end must be before --val-end")
        if len(set(self.covariates)) != len(self.covariates):
            raise UsageError("--covariate names a ticker twice")

    @property
    def exog(self) -> exog.Spec:
        return exog.Spec(tuple(self.covariates), self.calendar_features)

    @property
    def n_out(self) -> int:
        """Features the model forecasts: the ticker's own (extra inputs come after them)."""
        return len(features.FEATURE_SETS[self.features])

    @property
    def inputs(self) -> list[str]:
        return features.FEATURE_SETS[self.features] + self.exog.names()


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
            features.relative(frame, names),
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


Cached = tuple[str, pd.DataFrame, store.Manifest]


def load_frames(data_dir: Path, tickers: list[str]) -> list[Cached]:
    """Cached frames and manifests for `tickers` (all cached when empty), each read once."""
    return list(_each_frame(data_dir, tickers))


def _each_frame(data_dir: Path, tickers: list[str]) -> Iterator[Cached]:
    if not tickers:
        tickers = [m.symbol for m in store.cached(data_dir)]
        if not tickers:
            raise DataError(
                f"no cached data in {data_dir}; run `stockrnn fetch TICKER` first "
                "(or `stockrnn fetch AAPL --source sample` offline)"
            )
    for symbol in tickers:
        yield (symbol, *store.load(data_dir, symbol))


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
        if features.lacking(frame, names):
            raise DataError(f"{symbol} has no volume; train with --features ohlc")
        out.append(series_of(symbol, frame, cfg, covs, manifest.calendar, manifest.sha256))
    return out


def union_days(series: list[Series]) -> pd.DatetimeIndex:
    """Every session any of the series has, sorted: the axis date splits and folds cut."""
    return pd.DatetimeIndex(np.unique(np.concatenate([s.dates.to_numpy() for s in series])))


@dataclass(frozen=True)
class Cuts:
    """The last training day and the last validation day, shared by every ticker."""

    train_end: pd.Timestamp
    val_end: pd.Timestamp


def cut_dates(series: list[Series], cfg: DataConfig) -> Cuts:
    """The given --train-end/--val-end, or the split fractions over the union of sessions."""
    if cfg.train_end is not None and cfg.val_end is not None:
        return Cuts(pd.Timestamp(cfg.train_end), pd.Timestamp(cfg.val_end))
    days = union_days(series)
    n_train = int(np.floor(cfg.split[0] * len(days)))
    n_val = int(np.floor(cfg.split[1] * len(days)))
    if n_train < 1 or n_val < 1:
        raise DataError(f"{len(days)} sessions are too few to split {cfg.split}")
    return Cuts(
        pd.Timestamp(days[n_train - 1]), pd.Timestamp(days[min(n_train + n_val, len(days)) - 1])
    )


def part_codes(series: Series, cuts: Cuts) -> np.ndarray:
    """Train (0), val (1) or test (2) for each feature row, by the date of its target."""
    d = series.dates
    return np.where(d <= cuts.train_end, 0, np.where(d <= cuts.val_end, 1, 2)).astype(np.int8)


def too_short(s: Series, cfg: DataConfig) -> str | None:
    """Why `s` cannot give a single sample with this window, or None if it can."""
    if len(s.rel) <= cfg.window:
        return (
            f"{s.symbol} has {len(s.rel) + 1} rows: too few for a window of {cfg.window} "
            f"(needs at least {cfg.window + 2})"
        )
    return None


def trainable(series: list[Series], cfg: DataConfig) -> tuple[list[Series], list[str]]:
    """The series long enough for a sample, and why each other one is left out (all are kept
    when none is long enough, so that `build` refuses them with its own message)."""
    reasons = [too_short(s, cfg) for s in series]
    kept = [s for s, why in zip(series, reasons, strict=True) if not why]
    return kept or series, [why for why in reasons if why]


def no_test_days(series: list[Series], cuts: Cuts) -> list[str]:
    """Plain-words notes for tickers whose data ends before the test span starts."""
    return [
        f"{s.symbol} has no test days: its data ends {s.dates[-1]:%Y-%m-%d}, and the test "
        f"span starts after {cuts.val_end:%Y-%m-%d}"
        for s in series
        if s.dates[-1] <= cuts.val_end
    ]


@dataclass
class Scaler:
    """An affine map fitted on train rows: scaled = (x - shift) / scale.

    The same statistics as scikit-learn's StandardScaler, MinMaxScaler(feature_range=(-1, 1))
    and RobustScaler (the tests check equality). They are computed here with numpy because
    importing sklearn.preprocessing costs 0.6 s on every `train` (measured with
    python -X importtime), for what is a mean, a range or a median per column.
    """

    kind: str
    shift: np.ndarray
    scale: np.ndarray
    fit_start: pd.Timestamp | None = None  # dates of the first and last rows it was fitted on
    fit_end: pd.Timestamp | None = None
    fit_rows: int = 0
    dropped: list[int] = field(default_factory=list)  # columns constant in training: fed as 0

    @classmethod
    def fit(cls, kind: str, rows: np.ndarray, keep: tuple[int, ...] = ()) -> Scaler:
        """Fitted on training `rows`; a column constant there is dropped (it would leave its
        weights untrained), except the `keep` columns, which training varies itself."""
        if kind == ScalerKind.standard:
            shift, scale = rows.mean(axis=0), rows.std(axis=0)
        elif kind == ScalerKind.minmax:
            lo, hi = rows.min(axis=0), rows.max(axis=0)
            shift, scale = (hi + lo) / 2, (hi - lo) / 2
        else:
            q25, median, q75 = np.percentile(rows, [25, 50, 75], axis=0)
            shift, scale = median, q75 - q25
        scale = np.where(scale > 0, scale, 1.0)
        flat = np.ptp(rows, axis=0) == 0
        dropped = [int(i) for i in np.flatnonzero(flat) if int(i) not in keep]
        return cls(
            kind, np.asarray(shift, np.float64), np.asarray(scale, np.float64), dropped=dropped
        )

    def transform(self, x: np.ndarray, start: int = 0) -> np.ndarray:
        """Scaled; x may hold only the columns from `start` on (a roll's extra inputs)."""
        out = np.asarray((x - self.shift[start:]) / self.scale[start:])
        gone = [i - start for i in self.dropped if i >= start]
        if gone:
            out[..., gone] = 0.0
        return out

    def inverse(self, x: np.ndarray) -> np.ndarray:
        """Back from scaled space; x may hold only the leading (own-feature) columns."""
        n = x.shape[-1]
        return np.asarray(x * self.scale[:n] + self.shift[:n])


@dataclass
class Samples:
    """Every ticker's scaled rows in one array, and the target rows of each part."""

    scaled: np.ndarray  # (all rows, features) float32
    targets: dict[str, np.ndarray]  # part -> global row indices of training targets
    owner: np.ndarray  # global row -> index into the series list
    offsets: np.ndarray  # start row of each series in `scaled`
    window: int
    cuts: Cuts
    horizon: int = 1  # target rows per sample (a direct head's days)
    n_out: int = 0  # leading columns a target holds: the ticker's own features (0: all)
    # A recursive model's covariate columns, and their scaled values on a day not yet known
    # (return 0, carried 1): what training masks the last days of some windows with.
    mask_cols: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    mask_values: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    # part -> every row of the part with a full window before it: the days scored one step
    # ahead. A direct head's training targets leave out each part's last horizon - 1 days,
    # which are still scored by the steps they have.
    days: dict[str, np.ndarray] = field(default_factory=dict)


def build(series: list[Series], cfg: DataConfig, horizon: int = 1) -> tuple[Samples, Scaler]:
    """Cut by date, fit the scaler on train rows only, scale, and index every sample.

    With `horizon` > 1 (a direct head) a sample's target is its row and the next horizon - 1;
    it belongs to a part only if all of them do, so no sample straddles two parts."""
    cfg.validate()
    for s in series:
        reason = too_short(s, cfg)
        if reason:
            raise DataError(reason)
    cuts = cut_dates(series, cfg)
    for s in series:
        s.part = part_codes(s, cuts)
    sizes = np.array([len(s.rel) for s in series])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    targets = _part_rows(series, offsets, cfg.window, horizon)
    days = _part_rows(series, offsets, cfg.window, 1)
    for part in ("train", "val"):
        if not len(targets[part]):
            raise DataError(
                f"no {part} samples: the data and the split (train through "
                f"{cuts.train_end:%Y-%m-%d}, validation through {cuts.val_end:%Y-%m-%d}) "
                f"leave none with a window of {cfg.window}"
            )
    train_rows = np.concatenate([s.rel[s.part == 0] for s in series])
    train_dates = [s.dates[s.part == 0] for s in series]
    masked = _masked_columns(cfg, horizon)
    scaler = Scaler.fit(cfg.scaler, train_rows, keep=tuple(masked[1::2]))
    scaler.fit_start = min(d[0] for d in train_dates if len(d))
    scaler.fit_end = max(d[-1] for d in train_dates if len(d))
    scaler.fit_rows = len(train_rows)
    del train_rows
    scaled = np.empty((int(sizes.sum()), series[0].rel.shape[1]), np.float32)
    for s, off in zip(series, offsets, strict=True):  # one ticker at a time: no float64 copy
        scaled[off : off + len(s.rel)] = scaler.transform(s.rel)
    if not np.isfinite(scaled).all():
        raise DataError("non-finite features after scaling: the cached data is damaged")
    owner = np.repeat(np.arange(len(series)), sizes)
    samples = Samples(scaled, targets, owner, offsets, cfg.window, cuts, horizon, cfg.n_out)
    samples.days = days
    if masked:
        unknown = np.zeros(scaled.shape[1])
        unknown[masked[1::2]] = 1.0  # return 0, carried 1
        samples.mask_cols = np.asarray(masked, np.int64)
        samples.mask_values = scaler.transform(unknown)[masked].astype(np.float32)
    return samples, scaler


def _masked_columns(cfg: DataConfig, horizon: int) -> list[int]:
    """The covariate columns (return, carried, ...) a recursive roll feeds as unknown."""
    if horizon != 1 or not cfg.covariates:
        return []
    return list(range(cfg.n_out, cfg.n_out + 2 * len(cfg.covariates)))


def _part_rows(
    series: list[Series], offsets: np.ndarray, window: int, horizon: int
) -> dict[str, np.ndarray]:
    """Part -> the global rows whose window and `horizon` targets fit inside that part."""
    return {
        part: np.concatenate(
            [
                off + _targets(s.part, code, window, horizon)
                for s, off in zip(series, offsets, strict=True)
            ]
        ).astype(np.int64)
        for code, part in enumerate(PARTS)
    }


def _targets(part: np.ndarray, code: int, window: int, horizon: int = 1) -> np.ndarray:
    rows = np.flatnonzero(part == code)
    rows = rows[(rows >= window) & (rows + horizon - 1 < len(part))]  # window and targets fit
    return np.asarray(rows[part[rows + horizon - 1] == code])  # the last target in its part
