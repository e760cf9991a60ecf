"""Reading a checkpoint without torch: its weights checked against meta.json, then ready for
NumPy's forward pass (forecast.light), which is what `predict` runs.

Every check is the one weights.load makes before it builds the torch model: the file's sha256,
the tensors' names and shapes against the metadata, and the inputs the weights record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.checkpoint.store import folder, read_meta
from stockrnn.common.errors import CheckpointError
from stockrnn.dataset.scaling import Scaler
from stockrnn.forecast.light import LightForecaster, param_shapes
from stockrnn.forecast.rollout import Predictor


def weights_payload(models_dir: Path, meta: CheckpointMeta) -> bytes:
    """The safetensors file's bytes, after checking their sha256 against the metadata."""
    path = folder(models_dir, meta.name) / meta.weights_file
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta.weights_sha256:
        raise CheckpointError(f"{path} does not match its metadata (truncated or tampered)")
    return payload


def check_weights(
    models_dir: Path, meta: CheckpointMeta, shapes: Mapping[str, tuple[int, ...]]
) -> None:
    """CheckpointError unless the tensors are the ones the metadata's network has, trained on
    the inputs the metadata names."""
    expected = param_shapes(meta.model)
    if set(shapes) != set(expected) or any(shapes[k] != v for k, v in expected.items()):
        raise CheckpointError(f"model {meta.name!r}: weight shapes disagree with its metadata")
    recorded = _recorded_inputs(folder(models_dir, meta.name) / meta.weights_file)
    if recorded is not None and recorded != meta.inputs:
        raise CheckpointError(
            f"model {meta.name!r}: its inputs {meta.inputs} are not the ones its weights were "
            f"trained on ({recorded}): meta.json was edited"
        )


def _recorded_inputs(path: Path) -> list[str] | None:
    """The input columns the weights file records (None: a file that records none)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        text = (f.metadata() or {}).get("inputs")
    if text is None:
        return None
    try:
        names = json.loads(text)
    except ValueError:
        return []
    return names if isinstance(names, list) and all(isinstance(n, str) for n in names) else []


def scaler_of(meta: CheckpointMeta) -> Scaler:
    """The scaler the model was trained with."""
    s = meta.scaler
    shift, scale = np.asarray(s.shift, np.float64), np.asarray(s.scale, np.float64)
    return Scaler(kind=s.kind, shift=shift, scale=scale, dropped=list(s.dropped))


def predictor_of(model: object, meta: CheckpointMeta) -> Predictor:
    """What forecasting needs of a saved model (a torch module or a LightForecaster)."""
    return Predictor(
        model=model,
        scaler=scaler_of(meta),
        window=meta.data.window,
        exog=meta.data.exog,
        intervals=meta.intervals.method,
    )


def load_light(models_dir: Path, name: str) -> tuple[Predictor, CheckpointMeta]:
    """The saved model `name` for NumPy's forward pass, checked as weights.load checks it."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    meta = read_meta(models_dir, name)  # every field checked (validation.py)
    payload = weights_payload(models_dir, meta)
    try:
        arrays = st_load(payload)
    except (SafetensorError, ValueError, TypeError) as exc:
        raise CheckpointError(
            f"model {name!r}: its weights are not a valid safetensors file"
        ) from exc
    if any(a.dtype != np.float32 for a in arrays.values()):
        raise CheckpointError(f"model {name!r}: its weights are not float32")
    check_weights(models_dir, meta, {k: tuple(a.shape) for k, a in arrays.items()})
    return predictor_of(LightForecaster(meta.model, arrays), meta), meta
