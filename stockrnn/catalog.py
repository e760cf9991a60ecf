"""The `models` listing: one row per saved model, readable even when a meta.json is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stockrnn import checkpoint
from stockrnn.errors import CheckpointError


@dataclass
class ModelRow:
    """What `stockrnn models` shows of one checkpoint; `error` says why it is unreadable."""

    name: str
    cell: str = ""
    size: str = ""
    tickers: list[str] = field(default_factory=list)
    trained: str = ""
    mase: float | None = None
    skill: float | None = None
    cover80: float | None = None
    error: str | None = None


def describe(models_dir: Path, name: str) -> ModelRow:
    """The row for one model; a damaged or foreign meta.json gives a row with `error` set."""
    try:
        meta = checkpoint.read_meta(models_dir, name)
        overall = meta["metrics"]["overall"]["model"]
        return ModelRow(
            name,
            str(meta["model"]["cell"]),
            f"{int(meta['model']['hidden'])}x{int(meta['model']['layers'])}",
            [str(t["symbol"]) for t in meta["tickers"]],
            str(meta["created_at"])[:10],
            overall.get("mase"),
            overall.get("skill"),
            meta["intervals"].get("test_coverage_80"),
        )
    except CheckpointError as exc:
        return ModelRow(name, error=str(exc))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ModelRow(name, error="meta.json lacks expected fields (damaged or edited)")


def describe_all(models_dir: Path) -> list[ModelRow]:
    return [describe(models_dir, name) for name in checkpoint.list_names(models_dir)]
