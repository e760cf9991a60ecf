"""The feature scaler, fitted on training rows only."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockrnn.common.choices import ScalerKind


@dataclass(frozen=True, kw_only=True)
class Scaler:
    """An affine map fitted on train rows: scaled = (x - shift) / scale.

    The same statistics as scikit-learn's StandardScaler, MinMaxScaler(feature_range=(-1, 1))
    and RobustScaler (the tests check equality). They are computed here with numpy because
    importing sklearn.preprocessing would cost every `train` more than the statistics do
    (measured with python -X importtime), for what is a mean, a range or a median per column.
    """

    kind: ScalerKind
    shift: np.ndarray
    scale: np.ndarray
    fit_start: pd.Timestamp | None = None  # dates of the first and last rows it was fitted on
    fit_end: pd.Timestamp | None = None
    fit_rows: int = 0
    dropped: list[int] = field(default_factory=list)  # columns constant in training: fed as 0

    @classmethod
    def fit(cls, kind: ScalerKind, rows: np.ndarray, keep: tuple[int, ...] = ()) -> Scaler:
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
            kind=kind,
            shift=np.asarray(shift, np.float64),
            scale=np.asarray(scale, np.float64),
            dropped=dropped,
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
