"""From series to scaled, windowed, chronologically split samples.

A sample is (window of `window` feature rows, the next feature row). It belongs to the part
(train, val or test) that holds its target row; its window may reach back into an earlier part.
Windows are never materialised: every ticker's scaled features sit in one (rows, features)
array, and a batch gathers its windows by index, so memory grows with rows x features only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from stockrnn.common.errors import DataError
from stockrnn.dataset.config import DataConfig, Part
from stockrnn.dataset.loading import Series
from stockrnn.dataset.scaling import Scaler
from stockrnn.dataset.splits import (
    Cuts,
    cut_dates,
    part_codes,
    too_short,
)


@dataclass(frozen=True, kw_only=True)
class Samples:
    """Every ticker's scaled rows in one array, and the target rows of each part."""

    scaled: np.ndarray  # (all rows, features) float32
    targets: dict[Part, np.ndarray]  # global row indices of each part's training targets
    parts: list[np.ndarray]  # each series' Part code per row, in the order build was given
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
    days: dict[Part, np.ndarray] = field(default_factory=dict)


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
    parts = [part_codes(s, cuts) for s in series]
    sizes = np.array([len(s.rel) for s in series])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    targets = _part_rows(parts, offsets, cfg.window, horizon)
    for part in (Part.train, Part.val):
        if not len(targets[part]):
            span = f"(train through {cuts.train_end:%Y-%m-%d}, validation through " + (
                f"{cuts.val_end:%Y-%m-%d})"
            )
            most = max(int((p == part).sum()) for p in parts)
            if horizon > most:  # the part is there, but shorter than one target
                raise DataError(
                    f"no {part.name} samples: the split {span} gives at most {most} "
                    f"{part.name} days, fewer than the {horizon}-day horizon"
                )
            raise DataError(
                f"no {part.name} samples: the data and the split {span} leave none with a "
                f"window of {cfg.window}"
            )
    scaler = _fit_scaler(series, parts, cfg, horizon)
    scaled = np.empty((int(sizes.sum()), series[0].rel.shape[1]), np.float32)
    for s, off in zip(series, offsets, strict=True):  # one ticker at a time: no float64 copy
        scaled[off : off + len(s.rel)] = scaler.transform(s.rel)
    if not np.isfinite(scaled).all():
        raise DataError("non-finite features after scaling: the cached data is damaged")
    masked = _masked_columns(cfg, horizon)
    unknown = np.zeros(scaled.shape[1])
    unknown[masked[1::2]] = 1.0  # return 0, carried 1
    samples = Samples(
        scaled=scaled,
        targets=targets,
        parts=parts,
        owner=np.repeat(np.arange(len(series)), sizes),
        offsets=offsets,
        window=cfg.window,
        cuts=cuts,
        horizon=horizon,
        n_out=cfg.n_out,
        mask_cols=np.asarray(masked, np.int64),
        mask_values=scaler.transform(unknown)[masked].astype(np.float32),
        days=_part_rows(parts, offsets, cfg.window, 1),
    )
    return samples, scaler


def _fit_scaler(
    series: list[Series], parts: list[np.ndarray], cfg: DataConfig, horizon: int
) -> Scaler:
    """The scaler of every ticker's training rows, with the span it was fitted on."""
    train_rows = np.concatenate(
        [s.rel[p == Part.train] for s, p in zip(series, parts, strict=True)]
    )
    dates = [s.dates[p == Part.train] for s, p in zip(series, parts, strict=True)]
    scaler = Scaler.fit(cfg.scaler, train_rows, keep=tuple(_masked_columns(cfg, horizon)[1::2]))
    return replace(
        scaler,
        fit_start=min(d[0] for d in dates if len(d)),
        fit_end=max(d[-1] for d in dates if len(d)),
        fit_rows=len(train_rows),
    )


def _masked_columns(cfg: DataConfig, horizon: int) -> list[int]:
    """The covariate columns (return, carried, ...) a recursive roll feeds as unknown."""
    if horizon != 1 or not cfg.covariates:
        return []
    return list(range(cfg.n_out, cfg.n_out + 2 * len(cfg.covariates)))


def _part_rows(
    parts: list[np.ndarray], offsets: np.ndarray, window: int, horizon: int
) -> dict[Part, np.ndarray]:
    """Part -> the global rows whose window and `horizon` targets fit inside that part."""
    return {
        part: np.concatenate(
            [
                off + _targets(p, part, window, horizon)
                for p, off in zip(parts, offsets, strict=True)
            ]
        ).astype(np.int64)
        for part in Part
    }


def _targets(part: np.ndarray, code: int, window: int, horizon: int = 1) -> np.ndarray:
    rows = np.flatnonzero(part == code)
    rows = rows[(rows >= window) & (rows + horizon - 1 < len(part))]  # window and targets fit
    return np.asarray(rows[part[rows + horizon - 1] == code])  # the last target in its part
