"""Reading a checkpoint's weights and checking them against meta.json, for torch and NumPy
alike; and the NumPy network (forecast.light) built from them, which is what `predict` runs.

Every check is made before any model is built: the file is a regular file inside the model's
folder, its sha256 is the metadata's, the tensors are float32, finite, and the names and
shapes the metadata's network has, and the inputs the weights record are the metadata's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.checkpoint.store import folder, read_meta
from stockrnn.common import workspace
from stockrnn.common.errors import CheckpointError
from stockrnn.dataset.scaling import Scaler
from stockrnn.forecast.light import LightForecaster, param_shapes
from stockrnn.forecast.rollout import Predictor

WEIGHTS_LIMIT = 4 << 30  # 16 layers of 4,096 hidden units take about 4 GB


def weights_payload(models_dir: Path, meta: CheckpointMeta) -> bytes:
    """The safetensors file's bytes, after checking their sha256 against the metadata."""
    path = workspace.inside(folder(models_dir, meta.name), meta.weights_file)
    try:
        payload = workspace.read_regular(path, WEIGHTS_LIMIT)  # no link, FIFO or giant
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta.weights_sha256:
        raise CheckpointError(f"{path} does not match its metadata (truncated or tampered)")
    return payload


@dataclass(frozen=True)
class Tensor:
    """What check_weights needs to know of one tensor, from torch or NumPy alike."""

    shape: tuple[int, ...]
    dtype: str  # "float32", ...
    finite: bool


def check_weights(meta: CheckpointMeta, payload: bytes, tensors: Mapping[str, Tensor]) -> None:
    """CheckpointError unless the tensors are the float32, finite ones the metadata's network
    has, trained on the inputs the metadata names (as the weights themselves record them)."""
    name = meta.name
    expected = param_shapes(meta.model)
    if set(tensors) != set(expected) or any(tensors[k].shape != v for k, v in expected.items()):
        raise CheckpointError(f"model {name!r}: weight shapes disagree with its metadata")
    if any(t.dtype != "float32" for t in tensors.values()):
        raise CheckpointError(f"model {name!r}: its weights are not float32 (stockrnn saves those)")
    if not all(t.finite for t in tensors.values()):
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
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    meta = read_meta(models_dir, name)  # every field checked (validation.py)
    payload = weights_payload(models_dir, meta)
    try:
        arrays = st_load(payload)
    except (SafetensorError, ValueError, TypeError, KeyError) as exc:  # KeyError: bf16, F8
        path = folder(models_dir, name) / meta.weights_file
        raise CheckpointError(f"{path} is not a valid safetensors file") from exc
    described = {k: Tensor(tuple(a.shape), a.dtype.name, _finite(a)) for k, a in arrays.items()}
    check_weights(meta, payload, described)
    return predictor_of(LightForecaster(meta.model, arrays), meta), meta


def _finite(a: np.ndarray) -> bool:
    return bool(np.isfinite(a).all()) if a.dtype.kind in "fc" else True
