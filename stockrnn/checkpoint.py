"""Checkpoints: weights as safetensors plus JSON metadata; loading never unpickles.

Layout: models/NAME/meta.json and models/NAME/weights-<sha12>.safetensors. The weights go in
first under a new name, then meta.json is renamed over the old one: that rename is the commit.
A crash before it leaves the previous checkpoint whole; old weights are removed after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stockrnn import atomic, strictjson, workspace
from stockrnn.errors import CheckpointError, StorageError, UsageError

if TYPE_CHECKING:
    import torch

    from stockrnn.meta import CheckpointMeta
    from stockrnn.model import Forecaster

META = "meta.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or ".." in name:
        raise UsageError(f"model name {name[:40]!r} must be letters, digits, '_', '.', '-'")
    why = workspace.reserved_reason(name)
    if why:
        raise UsageError(f"model name {name!r} {why}")
    return name


def folder(models_dir: Path, name: str) -> Path:
    """models_dir/NAME, refused when it is a symbolic link (it could point anywhere)."""
    return workspace.inside(models_dir, check_name(name))


def _lock(models_dir: Path, name: str) -> Path:
    return workspace.inside(models_dir, f".{name}.lock")


def version(models_dir: Path, name: str) -> str | None:
    """A token for the checkpoint saved under `name` now (None: none), to notice a rival save."""
    path = folder(models_dir, name) / META
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc


def claim(models_dir: Path, name: str, overwrite: bool) -> str | None:
    """Refuse to train over an existing model unless asked; returns its version() token."""
    workspace.check_folder(models_dir)
    current = version(models_dir, name)
    if current is not None and not overwrite:
        raise UsageError(
            f"model {name!r} already exists in {models_dir}: pass --overwrite to replace it, "
            "or choose another --name"
        )
    return current


def free_name(models_dir: Path, base: str) -> str:
    """`base` itself, or base-2, base-3, ...: the first name no checkpoint uses."""
    base = base[:56]
    for i in range(1, 1000):
        name = base if i == 1 else f"{base}-{i}"
        if not folder(models_dir, name).exists():
            return name
    raise StorageError(f"no free model name like {base!r} in {models_dir}")


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

    `expect` is the version() seen when training started: if another process saved `name` since,
    or a model exists and `replace` is False (an interrupted retrain), this checkpoint goes
    under a new free name instead and the existing model stays as it was.
    """
    with atomic.locked(_lock(models_dir, name)):
        current = version(models_dir, name)
        note = None
        if current != expect:
            note = f"another process saved model {name!r} while this one trained"
        elif current is not None and not replace:
            note = f"training was interrupted, so the existing model {name!r} was kept"
        if note is None:
            return _write(models_dir, name, state, meta)
    other = free_name(models_dir, f"{name}-interrupted" if not replace else name)
    with atomic.locked(_lock(models_dir, other)):
        saved = _write(models_dir, other, state, meta)
    saved.note = f"{note}; this run was saved as {other!r}"
    return saved


def _write(
    models_dir: Path, name: str, state: Mapping[str, torch.Tensor], meta: CheckpointMeta
) -> Saved:
    """Weights under a new name, then meta.json renamed over the old one (the commit)."""
    from safetensors.torch import save as st_save

    target = folder(models_dir, name)
    payload = st_save({k: v.detach().cpu().contiguous() for k, v in state.items()})
    digest = hashlib.sha256(payload).hexdigest()
    weights = f"weights-{digest[:12]}.safetensors"
    meta = meta.model_copy(update={"name": name, "weights_file": weights, "weights_sha256": digest})
    atomic.write_bytes(workspace.inside(target, weights), payload)
    atomic.write_bytes(workspace.inside(target, META), to_json(meta).encode())
    for old in target.glob("weights-*.safetensors"):
        if old.name != weights and not old.is_symlink():
            old.unlink(missing_ok=True)
    return Saved(meta, target)


def to_json(meta: CheckpointMeta) -> str:
    return strictjson.dumps(meta.model_dump(mode="json"))


def remove(models_dir: Path, name: str) -> None:
    """Delete a saved model: renamed out of sight first, so a crash never leaves half of one."""
    target = folder(models_dir, name)
    if not (target / META).exists():
        read_meta(models_dir, name)  # raises the "no model named" error with the list
    with atomic.locked(_lock(models_dir, name)):
        trash = workspace.inside(models_dir, f".{name}.removing-{os.getpid()}")
        try:
            os.rename(target, trash)
            shutil.rmtree(trash)
        except OSError as exc:
            raise atomic.storage_error(target, exc) from exc


def rename(models_dir: Path, old: str, new: str) -> None:
    """Rename a saved model; refused when the new name is taken."""
    source, target = folder(models_dir, old), folder(models_dir, new)
    if not (source / META).exists():
        read_meta(models_dir, old)  # raises the "no model named" error with the list
    first, second = sorted((old, new))
    with atomic.locked(_lock(models_dir, first)), atomic.locked(_lock(models_dir, second)):
        if target.exists():
            raise UsageError(f"model {new!r} already exists in {models_dir}; remove it first")
        try:
            os.rename(source, target)
        except OSError as exc:
            raise atomic.storage_error(target, exc) from exc


def read_meta(models_dir: Path, name: str) -> CheckpointMeta:
    """Parse and type-check meta.json (plain JSON: nothing in it can run)."""
    import pydantic

    from stockrnn.meta import FORMAT_VERSION, CheckpointMeta

    path = folder(models_dir, name) / META
    if not path.exists():
        have = ", ".join(list_names(models_dir)) or "none; run `stockrnn train` first"
        raise CheckpointError(f"no model named {name!r} in {models_dir} (available: {have})")
    try:
        payload = path.read_bytes()
        raw = json.loads(payload)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is not valid JSON (damaged or tampered)") from exc
    if not isinstance(raw, dict):
        raise CheckpointError(f"{path} is not a stockrnn checkpoint")
    old = raw.get("format_version")
    if isinstance(old, int) and not isinstance(old, bool) and 1 <= old < FORMAT_VERSION:
        raise CheckpointError(
            f"model {name!r} was saved by an older stockrnn (checkpoint format {old}, this one "
            f"reads {FORMAT_VERSION}): retrain it with `stockrnn train --name {name} --overwrite`"
        )
    if old != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: unknown checkpoint format {old!r} (this stockrnn reads {FORMAT_VERSION})"
        )
    try:
        meta = CheckpointMeta.model_validate_json(payload)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CheckpointError(
            f"{path}: field {where!r} is missing or has the wrong type ({first['msg']})"
        ) from exc
    if not re.fullmatch(r"weights-[0-9a-f]{12}\.safetensors", meta.weights_file):
        raise CheckpointError(f"{path}: field 'weights_file' is not a weights file name")
    # The folder names the model: a copied or edited checkpoint keeps a stale "name" inside.
    return meta.model_copy(update={"name": name})


def read_weights(models_dir: Path, meta: CheckpointMeta) -> dict[str, torch.Tensor]:
    """Tensors from the safetensors file, after checking its sha256 against the metadata."""
    from safetensors import SafetensorError
    from safetensors.torch import load as st_load

    path = folder(models_dir, meta.name) / meta.weights_file
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta.weights_sha256:
        raise CheckpointError(f"{path} does not match its metadata (truncated or tampered)")
    try:
        return dict(st_load(payload))
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path} is not a valid safetensors file") from exc


def list_names(models_dir: Path) -> list[str]:
    """Model folders that hold a meta.json (links are left out: never followed)."""
    if not models_dir.is_dir():
        return []
    return sorted(
        p.parent.name
        for p in models_dir.glob(f"*/{META}")
        if not p.parent.is_symlink() and not p.parent.name.startswith(".")
    )


def load(models_dir: Path, name: str) -> tuple[Forecaster, CheckpointMeta]:
    """Rebuild the model from metadata and weights; CheckpointError on any disagreement."""
    from stockrnn import features
    from stockrnn.model import Forecaster

    meta = read_meta(models_dir, name)
    try:
        model = Forecaster(meta.model)
    except UsageError as exc:
        raise CheckpointError(f"model {name!r}: its model settings are invalid ({exc})") from exc
    names = features.FEATURE_SETS.get(meta.data.features)
    n = model.cfg.n_features
    inputs = model.cfg.n_inputs or n
    if names is None or names != meta.features or len(names) != n:
        raise CheckpointError(
            f"model {name!r}: feature list {meta.features} is not one this "
            "stockrnn knows or disagrees with the model"
        )
    if inputs != n + meta.data.exog.width or [c.symbol for c in meta.covariates] != list(
        meta.data.covariates
    ):
        raise CheckpointError(f"model {name!r}: its covariates disagree with the model")
    if meta.intervals.method not in ("vol", "fixed"):
        raise CheckpointError(f"model {name!r}: unknown interval method {meta.intervals.method!r}")
    if len(meta.scaler.shift) != inputs or len(meta.scaler.scale) != inputs:
        raise CheckpointError(f"model {name!r}: scaler parameters disagree with the features")
    tensors = read_weights(models_dir, meta)
    expected = model.state_dict()
    if set(tensors) != set(expected) or any(
        tuple(tensors[k].shape) != tuple(v.shape) for k, v in expected.items()
    ):
        raise CheckpointError(f"model {name!r}: weight shapes disagree with its metadata")
    model.load_state_dict(tensors)
    model.eval()
    return model, meta
