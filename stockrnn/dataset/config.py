"""How cached series become samples: the settings, light enough for the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stockrnn.common.choices import FeatureSet, ScalerKind, check
from stockrnn.common.errors import UsageError
from stockrnn.dataset import exog, features

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
