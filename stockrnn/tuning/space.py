"""The hyperparameter search space of `stockrnn tune`: defaults, and a TOML or JSON override.

A space file names any of the parameters below; each entry is a fixed value, a list of
`choices`, or a range `low`/`high` (with optional `log = true` and `step`):

    hidden = 64                      # fixed
    [cell]
    choices = ["lstm", "gru"]
    [lr]
    low = 1e-4
    high = 3e-3
    log = true

Parameters the file leaves out keep their defaults.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockrnn.common.choices import Cell
from stockrnn.common.errors import UsageError

Value = int | float | str


@dataclass(frozen=True)
class Param:
    """One dimension: a fixed value, a set of choices, or a numeric range."""

    kind: type  # int, float or str
    choices: tuple[Value, ...] = ()
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    fixed: Value | None = None

    def extremes(self) -> tuple[Value, ...]:
        """The values that bound what this dimension can propose: checked before a search."""
        if self.fixed is not None:
            return (self.fixed,)
        if self.choices:
            return self.choices
        assert self.low is not None and self.high is not None
        return (self.kind(self.low), self.kind(self.high))


DEFAULT_SPACE: dict[str, Param] = {
    "cell": Param(str, choices=tuple(Cell)),
    "hidden": Param(int, choices=(16, 32, 64, 128)),
    "layers": Param(int, choices=(1, 2)),
    "dropout": Param(float, low=0.0, high=0.3),  # between stacked layers (layers = 2)
    "window": Param(int, choices=(20, 40, 60, 90)),
    "lr": Param(float, low=1e-4, high=1e-2, log=True),
    "batch_size": Param(int, choices=(32, 64, 128, 256)),
}
_ALLOWED = {"cell": {c.value for c in Cell}}


def _typed(name: str, kind: type, value: Any) -> Value:
    ok = (
        isinstance(value, str)
        if kind is str
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if ok and kind is not str and not math.isfinite(value):
        raise UsageError(f"space: {name} takes finite values, not {value!r}")
    if not ok or (kind is int and float(value) != int(value)):
        raise UsageError(f"space: {name} takes {kind.__name__} values, not {value!r}")
    if kind is str and value not in _ALLOWED.get(name, {value}):
        raise UsageError(f"space: {name} must be one of {', '.join(sorted(_ALLOWED[name]))}")
    return kind(value)  # type: ignore[no-any-return]


def _entry(name: str, raw: Any) -> Param:
    kind = DEFAULT_SPACE[name].kind
    if not isinstance(raw, dict):
        return Param(kind, fixed=_typed(name, kind, raw))
    unknown = set(raw) - {"choices", "low", "high", "log", "step"}
    if unknown:
        raise UsageError(f"space: {name} has unknown key(s) {', '.join(sorted(unknown))}")
    if "choices" in raw:
        if not isinstance(raw["choices"], list) or not raw["choices"]:
            raise UsageError(f"space: {name}.choices must be a non-empty list")
        return Param(kind, choices=tuple(_typed(name, kind, v) for v in raw["choices"]))
    if kind is str or "low" not in raw or "high" not in raw:
        raise UsageError(f"space: {name} needs choices, or low and high")
    low, high = _typed(name, kind, raw["low"]), _typed(name, kind, raw["high"])
    log, step = bool(raw.get("log", False)), raw.get("step")
    if not float(low) < float(high) or (log and float(low) <= 0):
        raise UsageError(f"space: {name} needs low < high (and low > 0 with log)")
    if step is not None and (log or not isinstance(step, int | float) or step <= 0):
        raise UsageError(f"space: {name}.step must be positive, and not with log")
    return Param(kind, low=float(low), high=float(high), log=log, step=step)


def load_space(path: Path | None) -> dict[str, Param]:
    """The default space with `path`'s entries (TOML, or JSON by its .json suffix) applied."""
    if path is None:
        return dict(DEFAULT_SPACE)
    try:
        text = path.read_text()
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except OSError as exc:
        raise UsageError(f"--space {path}: {exc.strerror or exc}") from exc
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"--space {path} is not valid TOML or JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError(f"--space {path} must map parameter names to their ranges")
    unknown = sorted(set(raw) - set(DEFAULT_SPACE))
    if unknown:
        raise UsageError(
            f"--space {path}: unknown parameter(s) {', '.join(unknown)}; "
            f"known: {', '.join(DEFAULT_SPACE)}"
        )
    return {**DEFAULT_SPACE, **{name: _entry(name, value) for name, value in raw.items()}}


def suggest(trial: Any, name: str, p: Param) -> Value:
    """The trial's value for one parameter (Optuna's suggest API)."""
    if p.fixed is not None:
        return p.fixed
    if p.choices:
        return trial.suggest_categorical(name, list(p.choices))  # type: ignore[no-any-return]
    assert p.low is not None and p.high is not None
    if p.kind is int:
        step = int(p.step or 1)
        return int(trial.suggest_int(name, int(p.low), int(p.high), step=step, log=p.log))
    value = trial.suggest_float(name, p.low, p.high, step=p.step, log=p.log)
    return float(value) if math.isfinite(value) else p.low
