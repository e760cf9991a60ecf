"""Reading a checkpoint's weights and checking them against meta.json, for torch and NumPy
alike; and the NumPy network (forecast.light) built from them, which is what `predict` runs.

Every check is made before any model is built: the file is a regular file inside the model's
folder, its sha256 is the metadata's, the tensors are float32, finite, and the names and
shapes the metadata's network has, and the inputs the weights record are the metadata's.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.checkpoint.store import folder, read_meta
from stockrnn.common import workspace
from stockrnn.common.errors import CheckpointError
from stockrnn.dataset.scaling import Scaler
from stockrnn.forecast.light import LightForecaster, param_shapes
from stockrnn.forecast.rollout import Predictor


def weights_payload(models_dir: Path, meta: CheckpointMeta) -> bytes:
    """The safetensors file's bytes, after checking their sha256 against the metadata."""
    path = workspace.inside(folder(models_dir, meta.name), meta.weights_file)
    # the tensors' float32 bytes, and room for the header: a bigger file is not these weights
    most = 4 * sum(math.prod(shape) for shape in param_shapes(meta.model).values()) + (1 << 20)
    try:
        payload = workspace.read_regular(path, most)  # no link, FIFO or giant
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta.weights_sha256:
        raise CheckpointError(f"{path} does not match its metadata (truncated or tampered)")
    return payload


def read_arrays(models_dir: Path, meta: CheckpointMeta) -> dict[str, np.ndarray]:
    """The weights as NumPy arrays, every check made (torch's loader starts from these too)."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    payload = weights_payload(models_dir, meta)
    try:
        arrays = st_load(payload)
    except (SafetensorError, ValueError, TypeError, KeyError) as exc:  # KeyError: bf16, F8
        path = folder(models_dir, meta.name) / meta.weights_file
        raise CheckpointError(f"{path} is not a valid safetensors file of float32 weights") from exc
    check_weights(meta, payload, arrays)
    return arrays


def check_weights(meta: CheckpointMeta, payload: bytes, arrays: Mapping[str, np.ndarray]) -> None:
    """CheckpointError unless the arrays are the float32, finite ones the metadata's network
    has, trained on the inputs the metadata names (as the weights themselves record them)."""
    name = meta.name
    expected = param_shapes(meta.model)
    if set(arrays) != set(expected) or any(arrays[k].shape != v for k, v in expected.items()):
        raise CheckpointError(f"model {name!r}: weight shapes disagree with its metadata")
    if any(a.dtype != np.float32 for a in arrays.values()):
        raise CheckpointError(f"model {name!r}: its weights are not float32 (stockrnn saves those)")
    if not all(np.isfinite(a).all() for a in arrays.values()):
        raise CheckpointError(f"model {name!r}: its weights hold NaN or infinite values (damaged)")
    recorded = recorded_inputs(payload)
    if recorded is not None and recorded != meta.inputs:
        raise CheckpointError(
            f"model {name!r}: its inputs {meta.inputs} are not the ones its weights were "
            f"trained on ({recorded}): meta.json was edited"
        )


def recorded_inputs(payload: bytes) -> list[str] | None:
    """The input columns the weights record (None: weights that record none), read from the
    very bytes whose sha256 was checked, not from the file again (a retrain may have replaced
    it since). safetensors' Python API reads metadata from files only; the format's header is
    8 bytes of length and then JSON (its specification), so it is read here."""
    size = int.from_bytes(payload[:8], "little")
    try:
        header = json.loads(payload[8 : 8 + size]) if 8 + size <= len(payload) else None
    except (ValueError, RecursionError):
        header = None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    text = metadata.get("inputs") if isinstance(metadata, dict) else None
    if not isinstance(text, str):
        return None
    try:
        names = json.loads(text)
    except (ValueError, RecursionError):
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
    meta = read_meta(models_dir, name)  # every field checked (validation.py)
    arrays = read_arrays(models_dir, meta)
    return predictor_of(LightForecaster(meta.model, arrays), meta), meta
