"""Whether a ticker's cached history still is what a saved model was trained on."""

from __future__ import annotations

import pandas as pd

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.data import cache


def changed_note(meta: CheckpointMeta, symbol: str, frame: pd.DataFrame) -> str | None:
    """A note when the ticker's history up to the model's last day differs from what it saw."""
    seen = meta.ticker(symbol)
    if seen is None or not seen.sha256:
        return None
    if pd.Timestamp(seen.last_date) > frame.index[-1]:
        return (
            f"{symbol}'s data changed since model {meta.name!r} was trained: it now ends "
            f"{frame.index[-1]:%Y-%m-%d}, before the {seen.last_date} the model saw"
        )
    if cache.history_sha256(frame, seen.last_date) != seen.sha256:
        return (
            f"{symbol}'s data changed since model {meta.name!r} was trained (re-imported "
            f"or re-adjusted history through {seen.last_date}): its scores and intervals "
            "describe the old data"
        )
    return None
