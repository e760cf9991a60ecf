"""Checkpoint weights: written as safetensors beside meta.json, and the model rebuilt from
both; loading never unpickles.

A save writes the weights first under a new content-addressed name, then renames meta.json
over the old one: that rename is the commit. A crash before it leaves the previous checkpoint
whole; old weights are removed after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from stockrnn.checkpoint import reading
from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.checkpoint.store import (
    META,
    _lock,
    folder,
    free_name,
    meta_digest,
    read_meta,
    sweep,
    to_json,
)
from stockrnn.common import atomic, workspace
from stockrnn.forecast.rollout import Predictor
from stockrnn.model.network import Forecaster


@dataclass
class Saved:
    """The checkpoint as written, and why not under the name asked for (`note`)."""

    meta: CheckpointMeta
    path: Path
    note: str | None = None


def save(
    models_dir: Path,
    name: str,
    state: Mapping[str, torch.Tensor],
    meta: CheckpointMeta,
    expect: str | None = None,
    replace: bool = True,
) -> Saved:
    """Write weights then metadata atomically, under a lock.

    `expect` is the meta_digest() seen when training started: if another process saved `name` since,
    or a model exists and `replace` is False (an interrupted retrain), this checkpoint goes
    under a new free name instead and the existing model stays as it was.
    """
    with atomic.locked(_lock(models_dir, name)):
        sweep(models_dir, name)
        current = meta_digest(models_dir, name)
        note = None
        if current != expect:
            note = f"another process saved model {name!r} while this one trained"
        elif current is not None and not replace:
            note = f"training was interrupted, so the existing model {name!r} was kept"
        if note is None:
            return _write(models_dir, name, state, meta)
    other = free_name(models_dir, f"{name}-interrupted" if not replace else name)
    with atomic.locked(_lock(models_dir, other)):
        sweep(models_dir, other)
        saved = _write(models_dir, other, state, meta)
    saved.note = f"{note}; this run was saved as {other!r}"
    return saved


def _write(
    models_dir: Path, name: str, state: Mapping[str, torch.Tensor], meta: CheckpointMeta
) -> Saved:
    """Weights under a new name, then meta.json renamed over the old one (the commit)."""
    from safetensors.torch import save as st_save

    target = folder(models_dir, name)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    # the weights record their own inputs: an edited meta.json cannot swap a covariate
    payload = st_save(tensors, metadata={"inputs": json.dumps(meta.inputs)})
    digest = hashlib.sha256(payload).hexdigest()
    weights = f"weights-{digest[:12]}.safetensors"
    meta = meta.model_copy(update={"name": name, "weights_file": weights, "weights_sha256": digest})
    weights_path = workspace.inside(target, weights)
    existed = weights_path.exists()
    atomic.write_bytes(weights_path, payload)
    try:
        atomic.write_bytes(workspace.inside(target, META), to_json(meta).encode())
    except BaseException:  # the commit failed: take back the weights it wrote
        if not existed:
            weights_path.unlink(missing_ok=True)
        raise
    for old in target.glob("weights-*.safetensors"):
        if old.name != weights and not old.is_symlink():
            old.unlink(missing_ok=True)
    return Saved(meta, target)


def read_weights(models_dir: Path, meta: CheckpointMeta) -> dict[str, torch.Tensor]:
    """The weights as tensors, after every check against the metadata (reading.read_arrays:
    one reader, so torch and NumPy accept and refuse the same files)."""
    arrays = reading.read_arrays(models_dir, meta)
    return {k: torch.from_numpy(np.array(a)) for k, a in arrays.items()}  # writable copies


def load(models_dir: Path, name: str) -> tuple[Forecaster, CheckpointMeta]:
    """Rebuild the model from metadata and weights; CheckpointError on any disagreement,
    found before the model is built (reading.check_weights)."""
    meta = read_meta(models_dir, name)  # every field checked (validation.py)
    tensors = read_weights(models_dir, meta)
    model = Forecaster(meta.model)
    model.load_state_dict(tensors)
    model.eval()
    return model, meta


def load_predictor(models_dir: Path, name: str) -> tuple[Predictor, CheckpointMeta]:
    """The saved model `name`, ready to forecast."""
    model, meta = load(models_dir, name)
    return reading.predictor_of(model, meta), meta
