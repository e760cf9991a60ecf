"""Strict JSON out: NaN and infinities become null, since strict parsers reject the bare tokens
Python's json module writes by default (`--json` output and meta.json both go through here)."""

from __future__ import annotations

import json
import math


def _clean(obj: object) -> object:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def dumps(payload: object) -> str:
    return json.dumps(_clean(payload), indent=2, allow_nan=False)
