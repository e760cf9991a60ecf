"""How cached series become samples: the settings, light enough for the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from stockrnn.common.choices import FeatureSet, ScalerKind, coerce
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import FIRST_YEAR, LAST_YEAR, MAX_WINDOW


class Part(IntEnum):
    """Which span a row's target falls in: the one vocabulary for train, validation, test."""

    train = 0
    val = 1
    test = 2


FEATURE_SETS: dict[FeatureSet, list[str]] = {
    FeatureSet.ohlc: ["open", "high", "low", "close"],
    FeatureSet.ohlcv: ["open", "high", "low", "close", "volume"],
}
CLOSE = 3  # index of the close in every feature set
CALENDAR_COLUMNS = ["dow_sin", "dow_cos", "month_sin", "month_cos", "gap_days", "holiday_adjacent"]


@dataclass(frozen=True)
class Spec:
    """Which extra inputs a model reads, after its own features and in this order
    (dataset.exog builds and rolls them)."""

    covariates: tuple[str, ...] = ()
    calendar: bool = False

    @property
    def width(self) -> int:
        return 2 * len(self.covariates) + (len(CALENDAR_COLUMNS) if self.calendar else 0)


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    """How series become samples."""

    window: int = 60  # days of history per sample
    features: FeatureSet = FeatureSet.ohlc
    scaler: ScalerKind = ScalerKind.standard  # fitted on train rows only
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)  # train, val, test fractions
    train_end: date | None = None  # or explicit dates (inclusive)
    val_end: date | None = None
    covariates: tuple[str, ...] = ()  # other cached tickers' log returns
    calendar_features: bool = False  # known-future calendar days (CALENDAR_COLUMNS)

    def __post_init__(self) -> None:
        coerce(self, features=FeatureSet, scaler=ScalerKind)
        object.__setattr__(self, "covariates", tuple(self.covariates))

    def validate(self) -> None:
        if not 2 <= self.window <= MAX_WINDOW:
            raise UsageError(f"--window must be between 2 and {MAX_WINDOW}")
        if len(self.split) != 3 or any(not 0 <= p < 1 for p in self.split):
            raise UsageError("--split takes three fractions in [0, 1), e.g. 0.7,0.15,0.15")
        if abs(sum(self.split) - 1) > 1e-6 or min(self.split[0], self.split[1]) <= 0:
            raise UsageError("--split fractions must be positive for train and val and sum to 1")
        if (self.train_end is None) != (self.val_end is None):
            raise UsageError("--train-end and --val-end go together")
        for day in (self.train_end, self.val_end):
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                why = f"lies outside {FIRST_YEAR}..{LAST_YEAR}"
                raise UsageError(f"--train-end/--val-end {day} {why}")
        if self.train_end and self.val_end and self.train_end >= self.val_end:
            raise UsageError("--train-end must be before --val-end")
        if len(set(self.covariates)) != len(self.covariates):
            raise UsageError("--covariate names a ticker twice")

    @property
    def exog(self) -> Spec:
        return Spec(self.covariates, self.calendar_features)

    @property
    def n_out(self) -> int:
        """Features the model forecasts: the ticker's own (extra inputs come after them)."""
        return len(FEATURE_SETS[self.features])

    @property
    def inputs(self) -> list[str]:
        """Every input column in order: own features, covariates, calendar features."""
        covariates = [f"{c}:{kind}" for c in self.covariates for kind in ("return", "carried")]
        calendar = CALENDAR_COLUMNS if self.calendar_features else []
        return FEATURE_SETS[self.features] + covariates + calendar
