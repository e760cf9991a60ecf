"""Saved models on disk: names, claims, metadata, removal and renaming (no torch).

Layout: models/NAME/meta.json and models/NAME/weights-<sha12>.safetensors (weights.py writes
and reads the tensors). meta.json is plain JSON parsed by a strict schema: nothing in it runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from stockrnn.checkpoint import validation
from stockrnn.checkpoint.schema import FORMAT_VERSION, CheckpointMeta
from stockrnn.common import atomic, strictjson, workspace
from stockrnn.common.errors import CheckpointError, StorageError, UsageError

META = "meta.json"
META_LIMIT = 64 << 20  # a meta.json of 5,000 tickers takes a few MB


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_name(name: str) -> str:
    if not isinstance(name, str):
        raise UsageError(f"a model name is a string such as 'default', not {name!r}")
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


def meta_digest(models_dir: Path, name: str) -> str | None:
    """A token for the checkpoint saved under `name` now (None: none), to notice a rival save;
    a meta.json that is a link is refused here, before any training."""
    path = workspace.inside(folder(models_dir, name), META)
    try:
        return hashlib.sha256(workspace.read_regular(path)).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc


def claim(models_dir: Path, name: str, overwrite: bool) -> str | None:
    """Refuse to train over an existing model unless asked; returns its meta_digest() token."""
    workspace.check_folder(models_dir)
    current = meta_digest(models_dir, name)
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


def to_json(meta: CheckpointMeta) -> str:
    return strictjson.dumps(meta.model_dump(mode="json"))


def sweep(models_dir: Path, name: str) -> None:
    """Under the model's lock: remove what a killed save left, its temp files and weights
    that meta.json does not name (a save writes the weights first)."""
    target = folder(models_dir, name)
    atomic.sweep(target)
    if not target.is_dir() or target.is_symlink():
        return
    try:
        named = json.loads(workspace.read_regular(target / META)).get("weights_file")
    except (OSError, ValueError, AttributeError, RecursionError):
        return  # no readable meta.json: leave the folder for the user to inspect
    for old in target.glob("weights-*.safetensors"):
        if old.name != named and not old.is_symlink():
            old.unlink(missing_ok=True)


def remove(models_dir: Path, name: str) -> None:
    """Delete a saved model: renamed out of sight first, so a crash never leaves half of one;
    a file that cannot be deleted puts the model back, whole, before the error."""
    target = folder(models_dir, name)
    if not (target / META).exists():
        read_meta(models_dir, name)  # raises the "no model named" error with the list
    with atomic.locked(_lock(models_dir, name)):
        sweep(models_dir, name)
        trash = workspace.inside(models_dir, f".{name}.removing-{os.getpid()}")
        try:
            os.rename(target, trash)
        except OSError as exc:
            raise atomic.storage_error(target, exc) from exc
        try:
            shutil.rmtree(trash)
        except OSError as exc:
            raise _partly_removed(trash, target, exc) from exc


def _partly_removed(trash: Path, target: Path, exc: OSError) -> StorageError:
    """The error for a removal that stopped half way: what is left goes back under its name."""
    try:
        os.rename(trash, target)
    except OSError:
        return StorageError(
            f"cannot remove {target}: {exc.strerror or exc}; what is left of it is in {trash}"
        )
    return StorageError(
        f"cannot remove {target}: {exc.strerror or exc} ({exc.filename}); what was left of "
        "the model is back under its name, and some of its files may be gone"
    )


def rename(models_dir: Path, old: str, new: str) -> None:
    """Rename a saved model; refused when the new name is taken, by a model or a file."""
    source, target = folder(models_dir, old), folder(models_dir, new)
    if old == new:
        raise UsageError(f"model {old!r} already has that name")
    if not (source / META).exists():
        read_meta(models_dir, old)  # raises the "no model named" error with the list
    first, second = sorted((old, new))
    with atomic.locked(_lock(models_dir, first)), atomic.locked(_lock(models_dir, second)):
        if target.exists() or target.is_symlink():
            what = "a model" if (target / META).exists() else "a file or folder"
            raise UsageError(f"{target} already exists ({what} of that name); remove it first")
        sweep(models_dir, old)
        try:
            os.rename(source, target)
        except OSError as exc:
            raise atomic.storage_error(target, exc) from exc


def _upgraded(raw: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    """Format 3 read as 4: they differ only in train.cuda_graphs, where null meant "on with
    CUDA", a training-time choice a loaded model never uses. The file is left as it is."""
    if raw.get("format_version") != 3 or not isinstance(raw.get("train"), dict):
        return raw, payload
    raw["train"]["cuda_graphs"] = bool(raw["train"].get("cuda_graphs"))
    raw["format_version"] = FORMAT_VERSION
    return raw, json.dumps(raw).encode()


def read_meta(models_dir: Path, name: str) -> CheckpointMeta:
    """Parse and type-check meta.json (plain JSON: nothing in it can run)."""
    import pydantic

    path = workspace.inside(folder(models_dir, name), META)
    if not path.exists() and not path.is_symlink():
        have = ", ".join(list_names(models_dir)) or "none; run `stockrnn train` first"
        raise CheckpointError(f"no model named {name!r} in {models_dir} (available: {have})")
    raw, payload = _upgraded(*_read_json(path))
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
    except RecursionError as exc:
        raise CheckpointError(f"{path} is nested too deep to be a checkpoint") from exc
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "enum":  # a name this stockrnn does not know (a cell, a scaler)
            raise CheckpointError(
                f"model {name!r}: its {first['loc'][0]} settings are invalid "
                f"(field {where!r}: {first['msg']})"
            ) from exc
        raise CheckpointError(
            f"{path}: field {where!r} is missing or has the wrong type ({first['msg']})"
        ) from exc
    if not re.fullmatch(r"weights-[0-9a-f]{12}\.safetensors", meta.weights_file):
        raise CheckpointError(f"{path}: field 'weights_file' is not a weights file name")
    validation.check(meta, name)
    # The folder names the model: a copied or edited checkpoint keeps a stale "name" inside.
    return meta.model_copy(update={"name": name})


def _read_json(path: Path) -> tuple[dict[str, Any], bytes]:
    """meta.json as a dict, and its bytes; CheckpointError when it is neither."""
    try:
        payload = workspace.read_regular(path, META_LIMIT)  # no link, FIFO or giant
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        raw = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # nested 100,000 deep: RecursionError
        raise CheckpointError(f"{path} is not valid JSON (damaged or tampered)") from exc
    if not isinstance(raw, dict):
        raise CheckpointError(f"{path} is not a stockrnn checkpoint")
    return raw, payload


def list_names(models_dir: Path) -> list[str]:
    """Model folders that hold a meta.json (links are left out: never followed)."""
    if not models_dir.is_dir():
        return []
    return sorted(
        p.parent.name
        for p in models_dir.glob(f"*/{META}")
        if not p.parent.is_symlink() and not p.parent.name.startswith(".")
    )
