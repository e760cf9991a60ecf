"""Limits shared by several commands, defined once (imports nothing heavy)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from stockrnn.common.errors import UsageError

MAX_DAYS = 60  # the longest forecast `predict --days` and `backtest --horizon` allow
MAX_WINDOW = 5000  # days of history per sample at most (about twenty years)
FIRST_YEAR, LAST_YEAR = 1800, 2200  # every date a cache, checkpoint or option may hold
STALE_SESSIONS = 5  # data this many sessions behind is called stale
LEVELS = [round(0.5 + i / 100, 2) for i in range(50)]  # interval levels 0.50 .. 0.99


def whole(value: object, option: str) -> int:
    """An int given from Python (not a bool, a float or a string), else one clear line."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UsageError(f"{option} takes a whole number, not {value!r}")
    return int(value)


def real(value: object, option: str) -> float:
    """A finite number given from Python (not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise UsageError(f"{option} takes a finite number, not {value!r}")
    return float(value)


def flag(value: object, option: str) -> bool:
    """True or False, not a truthy string ("no" would mean yes)."""
    if not isinstance(value, bool):
        raise UsageError(f"{option} takes True or False, not {value!r}")
    return value


def check_days(days: int, option: str) -> None:
    days = whole(days, option)
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"{option} must be between 1 and {MAX_DAYS}")


def percent_levels(values: float | Sequence[float]) -> tuple[tuple[int, ...], str]:
    """Interval levels in percent (80, 95), the field's convention, as sorted whole numbers
    from 50 to 99; a fraction (0.8), the old spelling, is read as its percent with a note.
    Returns (levels, note or "")."""
    if isinstance(values, str) or not isinstance(values, numbers.Real | Sequence):
        raise UsageError(f"--level takes percents such as 80 or (80, 95), not {values!r}")
    given = (values,) if isinstance(values, numbers.Real) else tuple(values)
    given = tuple(real(v, "--level") for v in given)
    if not given:
        raise UsageError("give at least one --level, e.g. --level 80")
    out, old = [], []
    for value in given:
        pct = value * 100 if 0 < value < 1 else value
        if abs(pct - round(pct)) > 1e-6 or not 50 <= round(pct) <= 99:
            raise UsageError(f"--level {value:g}: give a percent from 50 to 99, e.g. --level 80")
        if pct != value:
            old.append(f"{value:g}")
        out.append(int(round(pct)))
    levels = tuple(sorted(set(out)))
    note = f"--level {', '.join(old)} read as {', '.join(map(str, out))} percent" if old else ""
    return levels, note


def check_level(level: float) -> float:
    """The interval level, which must be one of LEVELS (0.50 to 0.99 in steps of 0.01)."""
    key = round(level, 2)
    if abs(key - level) > 1e-9 or key not in LEVELS:
        raise UsageError("--level must be between 0.50 and 0.99 (steps of 0.01)")
    return key


MAX_THREADS = 1024


def check_threads(given: int | None) -> None:
    """--threads: None (this process's share of its cores) or 1..MAX_THREADS."""
    if given is not None and not 1 <= given <= MAX_THREADS:
        raise UsageError(f"--threads must be between 1 and {MAX_THREADS}")
