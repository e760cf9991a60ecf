"""A model beside its baselines over many tickers: pooled scores, and tests of what is printed.

Forecasts come in groups (one ticker, or one ticker's walk-forward fold) of (rows, steps)
arrays; an unknown actual (beyond the data) is NaN. The pooled rel. MAE and its tests are one
quantity, built in four steps:
1. each ticker's absolute errors are divided by its own naive MAE on the compared rows, so a
   $500 ticker does not outweigh a $5 one;
2. per row (a forecast origin), the mean over its known steps;
3. per date (the row's cluster date: the target date for one step, the origin date for all
   steps), the mean over the tickers with a row that day, so tickers that move together
   through the market count once per day, not once each;
4. the mean over dates: A(model), A(naive), A(drift).
rel. MAE = A(model) / A(naive) (drift's row: A(drift) / A(naive)); skill = 1 - rel. MAE. The
DM test against a baseline runs on the per-date differences of step 3, with h the horizon the
rows span, so the printed skill and the test's direction always agree. With one ticker and
every step known, rel. MAE is plain MAE / naive MAE and the test is the per-origin test.
MASE is the geometric mean of the groups' MASE (printed, not tested); MAE, RMSE, MAPE and
direction are over all known rows together, in price units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from stockrnn.evaluate.metrics import Score, score
from stockrnn.evaluate.significance import Significance, dm_test


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """A model beside its baselines on the same rows, with tests and interval coverage."""

    model: Score
    naive: Score
    drift: Score | None = None
    coverage: float | None = None  # share of actuals inside the interval
    vs_naive: Significance | None = None
    vs_drift: Significance | None = None


@dataclass(kw_only=True)
class Group:
    """One ticker's (or one ticker-fold's) forecasts: (rows, steps) arrays, or (rows,)."""

    symbol: str
    dates: np.ndarray  # (rows,) datetime64: the date each row's losses cluster on
    pred: np.ndarray
    actual: np.ndarray  # NaN: not known
    naive: np.ndarray
    drift: np.ndarray | None = None
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    scale: float | None = None  # in-sample one-step naive MAE of its training span (MASE)
    known: np.ndarray = field(init=False, repr=False)  # (rows, steps): actual is known

    def __post_init__(self) -> None:
        for name in ("pred", "actual", "naive", "drift", "lo", "hi"):
            value = getattr(self, name)
            if value is not None and np.ndim(value) == 1:
                setattr(self, name, np.asarray(value, np.float64)[:, None])
        self.known = ~np.isnan(self.actual)


def _geomean(values: list[float | None]) -> float | None:
    ok = [v for v in values if v is not None and v > 0]
    return float(np.exp(np.mean(np.log(ok)))) if ok and len(ok) == len(values) else None


def _flat(groups: list[Group], name: str) -> np.ndarray:
    return np.concatenate([getattr(g, name)[g.known] for g in groups])


def _per_row(g: Group, name: str, unit: float) -> np.ndarray:
    """Steps 1 and 2 above for one group and forecaster: (rows,), NaN where nothing is known."""
    err = np.where(g.known, np.abs(getattr(g, name) - g.actual), 0.0).sum(axis=1)
    count = g.known.sum(axis=1)
    return np.asarray(err / np.where(count > 0, count * unit, np.nan))


def _clusters(groups: list[Group]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows with a known step, each such row's date cluster, rows per cluster)."""
    keep = np.concatenate([g.known.any(axis=1) for g in groups])
    dates = np.concatenate([np.asarray(g.dates) for g in groups])[keep]
    _, where = np.unique(dates, return_inverse=True)
    return keep, where, np.bincount(where)


def _units(groups: list[Group]) -> dict[str, float]:
    """Each ticker's naive MAE over its compared rows (1 where naive never missed)."""
    out = {}
    for symbol in {g.symbol for g in groups}:
        mine = [g for g in groups if g.symbol == symbol]
        out[symbol] = float(np.mean(np.abs(_flat(mine, "naive") - _flat(mine, "actual")))) or 1.0
    return out


def compare_groups(groups: list[Group], h: int = 1) -> Comparison:
    """The model's and the baselines' pooled scores, DM tests with horizon `h`, coverage."""
    groups = [g for g in groups if g.known.any()]
    if not groups:
        return Comparison(model=Score(), naive=Score())
    units = _units(groups)
    has_drift = all(g.drift is not None for g in groups)
    names = ["pred", "naive", *(["drift"] if has_drift else [])]
    keep, where, sizes = _clusters(groups)

    def means(name: str) -> np.ndarray:  # step 3 above: (dates,) in date order
        rows = np.concatenate([_per_row(g, name, units[g.symbol]) for g in groups])[keep]
        return np.asarray(np.bincount(where, rows) / sizes)

    per_date = {n: means(n) for n in names}
    base = float(per_date["naive"].mean())
    actual, naive = _flat(groups, "actual"), _flat(groups, "naive")

    def pooled(name: str) -> Score:
        rows = score(_flat(groups, name), actual, naive)
        maes = [float(np.mean(np.abs(getattr(g, name) - g.actual)[g.known])) for g in groups]
        rel = float(per_date[name].mean()) / base if base > 0 else None
        mase = _geomean(
            [m / g.scale if g.scale else None for m, g in zip(maes, groups, strict=True)]
        )
        return replace(rows, rel_mae=rel, mase=mase, skill=None if rel is None else 100 * (1 - rel))

    coverage = None
    if all(g.lo is not None and g.hi is not None for g in groups):
        lo, hi = _flat(groups, "lo"), _flat(groups, "hi")
        coverage = float(np.mean((lo <= actual) & (actual <= hi)))
    return Comparison(
        model=pooled("pred"),
        naive=pooled("naive"),
        drift=pooled("drift") if has_drift else None,
        coverage=coverage,
        vs_naive=dm_test(per_date["pred"] - per_date["naive"], h),
        vs_drift=dm_test(per_date["pred"] - per_date["drift"], h) if has_drift else None,
    )
