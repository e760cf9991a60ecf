"""Every set of choices, defined once as an enum: the CLI offers them, the library checks them.

Imports nothing heavy, so `stockrnn --help` can use it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from stockrnn.common.errors import UsageError


class Source(StrEnum):
    yahoo = "yahoo"
    sample = "sample"
    csv = "csv"


class Cell(StrEnum):
    rnn = "rnn"
    lstm = "lstm"
    gru = "gru"


class Head(StrEnum):
    recursive = "recursive"  # one day at a time, fed back in (many-to-one)
    direct = "direct"  # all horizon days from one forward pass (many-to-many)


class IntervalMethod(StrEnum):
    vol = "vol"  # conformal on residuals over the origin's recent volatility
    fixed = "fixed"  # conformal on raw log residuals: one width per step for every origin


class FeatureSet(StrEnum):
    ohlc = "ohlc"
    ohlcv = "ohlcv"


class ScalerKind(StrEnum):
    standard = "standard"
    minmax = "minmax"
    robust = "robust"


class Precision(StrEnum):
    fp32 = "fp32"
    bf16 = "bf16"  # autocast on CUDA; the loss and the weights stay fp32


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


E = TypeVar("E", bound=StrEnum)


def check(kind: type[E], value: str, option: str) -> E:
    """`value` as a member of `kind`, or a UsageError that lists the choices."""
    try:
        return kind(value)
    except ValueError:
        raise UsageError(f"{option} must be one of {', '.join(kind)}") from None


class Nonlinearity(StrEnum):
    tanh = "tanh"
    relu = "relu"  # rnn cell only


def coerce(obj: object, **kinds: type[StrEnum]) -> None:
    """In a frozen config's __post_init__: each named field as its enum, so a caller may pass
    the value's text; a UsageError names the option when it is not one of the choices."""
    for name, kind in kinds.items():
        object.__setattr__(
            obj, name, check(kind, getattr(obj, name), f"--{name.replace('_', '-')}")
        )
