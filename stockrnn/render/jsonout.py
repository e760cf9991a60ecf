"""Results as strict JSON: dataclasses, pydantic models, lists and dicts, one shape for every
command's `--json`."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


def jsonable(obj: Any) -> Any:
    """Dataclasses, pydantic models, lists and dicts as JSON-ready values. Fields declared with
    metadata={"json": False} (what only charts use: price history, forecast paths) are left out."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if is_dataclass(obj) and not isinstance(obj, type):
        shown = (f for f in fields(obj) if f.metadata.get("json", True))
        return {f.name: jsonable(getattr(obj, f.name)) for f in shown}
    if isinstance(obj, list | tuple):
        return [jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, int | float | str | bool) or obj is None:
        return obj
    return str(obj)


def to_json(payload: Any) -> str:
    """Strict JSON text (NaN and infinities as null) for results of any command."""
    from stockrnn.common import strictjson

    return strictjson.dumps(jsonable(payload))
