"""Where stockrnn keeps its files, and the defaults a project sets.

The data and models folders come, each on its own, from the first of:
1. the command's `--data-dir` / `--models-dir` (or the API's `data_dir=` / `models_dir=`),
   or the STOCKRNN_DATA / STOCKRNN_MODELS environment variables;
2. a `stockrnn.toml` in the current folder or the nearest parent (as git finds `.git`):
   its `[workspace]` table names them, relative to the file;
3. else one folder per user (`stockrnn workspace` prints it; on Linux
   ~/.local/share/stockrnn), so that a model trained in one folder is found from any other.

The same file may give per-command option defaults, e.g. `[train]` `epochs = 50`: the command
line still overrides them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockrnn.common.errors import StorageError, UsageError

FILE = "stockrnn.toml"
ENV = {"data": "STOCKRNN_DATA", "models": "STOCKRNN_MODELS"}
COMMANDS = ("fetch", "list", "train", "backtest", "predict", "tune", "models")


@dataclass(frozen=True, kw_only=True)
class Workspace:
    """The folders in effect, and where each came from (for `stockrnn workspace`)."""

    data: Path
    models: Path
    file: Path | None = None  # the stockrnn.toml found, if any
    origin: dict[str, str] = field(default_factory=dict)  # folder -> why this one
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # command -> options


def find(start: Path | None = None) -> Path | None:
    """The nearest stockrnn.toml in `start` (default: the current folder) or a parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILE
        if candidate.is_file():
            return candidate
    return None


def user_folder() -> Path:
    """The per-user workspace: the platform's data folder for applications."""
    from platformdirs import user_data_path

    return Path(user_data_path("stockrnn", appauthor=False))


def read(path: Path) -> dict[str, Any]:
    """The project file, checked: a `[workspace]` table and per-command option tables."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is no error
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"workspace", *COMMANDS})
    if unknown:
        raise UsageError(
            f"{path}: unknown table(s) {', '.join(unknown)}; "
            f"known: workspace, {', '.join(COMMANDS)}"
        )
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise UsageError(f"{path}: [{name}] must be a table of settings")
    places = raw.get("workspace", {})
    extra = sorted(set(places) - set(ENV))
    if extra or not all(isinstance(v, str) and v for v in places.values()):
        what = f"has no setting {', '.join(extra)}; it " if extra else ""
        raise UsageError(f'{path}: [workspace] {what}takes data = "FOLDER" and models = "FOLDER"')
    return raw


def workspace(data_dir: Path | None = None, models_dir: Path | None = None) -> Workspace:
    """The folders in effect (see the module docstring), given the command's own options."""
    path = find()
    raw = read(path) if path is not None else {}
    given = {"data": data_dir, "models": models_dir}
    chosen: dict[str, Path] = {}
    origin: dict[str, str] = {}
    for kind, value in given.items():
        env = os.environ.get(ENV[kind])
        if value is not None:
            chosen[kind], origin[kind] = Path(value), "option"
        elif env:
            chosen[kind], origin[kind] = Path(env), ENV[kind]
        elif path is not None and kind in raw.get("workspace", {}):
            chosen[kind], origin[kind] = path.parent / raw["workspace"][kind], str(path)
        elif path is not None:
            chosen[kind], origin[kind] = path.parent / kind, f"{path} (default folder)"
        else:
            chosen[kind], origin[kind] = user_folder() / kind, "the user folder (no stockrnn.toml)"
    _check_apart(chosen, origin)
    defaults = {k: v for k, v in raw.items() if k != "workspace"}
    return Workspace(
        data=chosen["data"], models=chosen["models"], file=path, origin=origin, defaults=defaults
    )


def _check_apart(chosen: dict[str, Path], origin: dict[str, str]) -> None:
    """Folders, not files; and apart: `models rm` deletes a model's folder, which must never
    hold the data cache (nor the cache a model)."""
    for kind, path in chosen.items():
        if path.exists() and not path.is_dir():
            why = f"{origin[kind]}): not a folder"
            raise StorageError(f"cannot write the {kind} folder {path} ({why}")
    data, models = (chosen[k].resolve() for k in ("data", "models"))
    if data == models or data.is_relative_to(models) or models.is_relative_to(data):
        raise UsageError(
            f"the data folder {chosen['data']} and the models folder {chosen['models']} must "
            "be apart (neither inside the other)"
        )


TEMPLATE = """\
# stockrnn's project file: commands run in this folder or below it use these folders.
[workspace]
data = "data"
models = "models"

# Option defaults per command (the command line still overrides them), for example:
# [train]
# epochs = 50
# [predict]
# horizon = 10
"""


def init(folder: Path) -> Path:
    """Write a stockrnn.toml in `folder`; refused when one is already there."""
    path = folder / FILE
    if path.exists():
        raise UsageError(f"{path} already exists")
    from stockrnn.common import atomic

    atomic.write_bytes(path, TEMPLATE.encode())
    return path
