"""Whether the cached history of a ticker, or of a covariate, still is what a saved model was
trained on (new bars appended since are fine: history re-written is not)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.data import cache
from stockrnn.dataset.exog import Covariate


def changed_note(meta: CheckpointMeta, symbol: str, frame: pd.DataFrame) -> str | None:
    """A note when the ticker's history up to the model's last day differs from what it saw."""
    seen = meta.ticker(symbol)
    if seen is None or not seen.sha256:
        return None
    return _changed(meta.name, symbol, frame, seen.last_date, seen.sha256)


def covariate_notes(meta: CheckpointMeta, covs: Sequence[Covariate]) -> list[str]:
    """The same for the model's covariates, and for one now cached on another exchange."""
    cached = {c.symbol: c for c in covs}
    notes = []
    for seen in meta.covariates:
        cov = cached.get(seen.symbol)
        if cov is None or cov.bars is None:
            continue
        note = _changed(
            meta.name, f"covariate {seen.symbol}", cov.bars, seen.last_date, seen.sha256
        )
        if note:
            notes.append(note)
        if cov.calendar != seen.calendar:
            notes.append(
                f"covariate {seen.symbol} is now cached on calendar {cov.calendar}, model "
                f"{meta.name!r} was trained with {seen.calendar}: its closes line up differently"
            )
    return notes


def _changed(model: str, what: str, frame: pd.DataFrame, last_date: str, sha256: str) -> str | None:
    if pd.Timestamp(last_date) > frame.index[-1]:
        return (
            f"{what}'s data changed since model {model!r} was trained: it now ends "
            f"{frame.index[-1]:%Y-%m-%d}, before the {last_date} the model saw"
        )
    if cache.history_sha256(frame, last_date) != sha256:
        return (
            f"{what}'s data changed since model {model!r} was trained (re-imported "
            f"or re-adjusted history through {last_date}): its scores and intervals "
            "describe the old data"
        )
    return None
