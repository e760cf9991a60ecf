"""The `models` listing: one row per saved model, readable even when a meta.json is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stockrnn.checkpoint import store
from stockrnn.common.errors import CheckpointError


@dataclass(frozen=True, kw_only=True)
class ModelRow:
    """What `stockrnn models` shows of one checkpoint; `error` says why it is unreadable."""

    name: str
    cell: str = ""
    size: str = ""
    tickers: list[str] = field(default_factory=list)
    trained: str = ""
    rel_mae: float | None = None  # MAE / naive MAE on the test days
    skill: float | None = None
    cover80: float | None = None
    error: str | None = None


def describe(models_dir: Path, name: str) -> ModelRow:
    """The row for one model; a damaged or foreign meta.json gives a row with `error` set
    (read_meta checks every field, so a readable one has them all)."""
    try:
        meta = store.read_meta(models_dir, name)
    except CheckpointError as exc:
        return ModelRow(name=name, error=str(exc))
    overall = meta.metrics.overall.model
    return ModelRow(
        name=name,
        cell=meta.model.cell,
        size=f"{meta.model.hidden}x{meta.model.layers}",
        tickers=[t.symbol for t in meta.tickers],
        trained=meta.created_at[:10],
        rel_mae=overall.rel_mae,
        skill=overall.skill,
        cover80=meta.intervals.test_coverage_80,
    )


def describe_all(models_dir: Path) -> list[ModelRow]:
    return [describe(models_dir, name) for name in store.list_names(models_dir)]
