"""Checkpoints: weights as safetensors plus JSON metadata; loading never unpickles.

Layout: models/NAME/meta.json and models/NAME/weights-<sha12>.safetensors. The weights go in
first under a new name, then meta.json is renamed over the old one: that rename is the commit.
A crash before it leaves the previous checkpoint whole; old weights are removed after it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from stockrnn import atomic
from stockrnn.errors import CheckpointError, UsageError

FORMAT_VERSION = 1
META = "meta.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Keys and types meta.json must have before anything in it is trusted.
_SCHEMA: dict[str, type | tuple[type, ...]] = {
    "format_version": int,
    "name": str,
    "weights_file": str,
    "weights_sha256": str,
    "model": dict,
    "data": dict,
    "features": list,
    "scaler": dict,
    "tickers": list,
    "intervals": dict,
    "metrics": dict,
    "versions": dict,
    "created_at": str,
}


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or ".." in name:
        raise UsageError(f"model name {name[:40]!r} must be letters, digits, '_', '.', '-'")
    return name


def folder(models_dir: Path, name: str) -> Path:
    return models_dir / check_name(name)


def save(models_dir: Path, name: str, state: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Write weights then metadata atomically; returns the checkpoint folder."""
    from safetensors.torch import save as st_save

    target = folder(models_dir, name)
    payload = st_save({k: v.detach().cpu().contiguous() for k, v in state.items()})
    digest = hashlib.sha256(payload).hexdigest()
    weights = f"weights-{digest[:12]}.safetensors"
    meta = {
        **meta,
        "format_version": FORMAT_VERSION,
        "name": name,
        "weights_file": weights,
        "weights_sha256": digest,
    }
    # The lock keeps a concurrent save of the same name from deleting the weights we commit.
    with atomic.locked(models_dir / f".{name}.lock"):
        atomic.write_bytes(target / weights, payload)
        atomic.write_bytes(target / META, json.dumps(meta, indent=2).encode())
        for old in target.glob("weights-*.safetensors"):
            if old.name != weights:
                old.unlink(missing_ok=True)
    return target


def read_meta(models_dir: Path, name: str) -> dict[str, Any]:
    """Parse and type-check meta.json (plain JSON: nothing in it can run)."""
    path = folder(models_dir, name) / META
    if not path.exists():
        have = ", ".join(list_names(models_dir)) or "none; run `stockrnn train` first"
        raise CheckpointError(f"no model named {name!r} in {models_dir} (available: {have})")
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is not valid JSON (damaged or tampered)") from exc
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path} is not a stockrnn checkpoint")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: unknown checkpoint format "
            f"{meta.get('format_version')!r} (this stockrnn reads "
            f"{FORMAT_VERSION})"
        )
    for key, kind in _SCHEMA.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise CheckpointError(f"{path}: field {key!r} is missing or has the wrong type")
    if not re.fullmatch(r"weights-[0-9a-f]{12}\.safetensors", meta["weights_file"]):
        raise CheckpointError(f"{path}: field 'weights_file' is not a weights file name")
    # The folder names the model: a copied or edited checkpoint keeps a stale "name" inside.
    meta["name"] = name
    return meta


def read_weights(models_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Tensors from the safetensors file, after checking its sha256 against the metadata."""
    from safetensors import SafetensorError
    from safetensors.torch import load as st_load

    path = folder(models_dir, meta["name"]) / meta["weights_file"]
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta["weights_sha256"]:
        raise CheckpointError(f"{path} does not match its metadata (truncated or tampered)")
    try:
        return dict(st_load(payload))
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path} is not a valid safetensors file") from exc


def list_names(models_dir: Path) -> list[str]:
    if not models_dir.is_dir():
        return []
    return sorted(p.parent.name for p in models_dir.glob(f"*/{META}"))


def load(models_dir: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Rebuild the model from metadata and weights; CheckpointError on any disagreement."""
    from stockrnn import features
    from stockrnn.model import Forecaster, ModelConfig

    meta = read_meta(models_dir, name)
    try:
        model = Forecaster(ModelConfig(**meta["model"]))
    except (TypeError, UsageError) as exc:
        raise CheckpointError(f"model {name!r}: its model settings are invalid ({exc})") from exc
    names = features.FEATURE_SETS.get(meta["data"].get("features", ""))
    n = model.cfg.n_features
    if names is None or names != meta["features"] or len(names) != n:
        raise CheckpointError(
            f"model {name!r}: feature list {meta['features']} is not one this "
            "stockrnn knows or disagrees with the model"
        )
    scaler = meta["scaler"]
    if not all(isinstance(scaler.get(k), list) and len(scaler[k]) == n for k in ("shift", "scale")):
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
