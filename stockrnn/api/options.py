"""The options `train`, `backtest` and `tune` share, with the configs' own defaults, and the
TrainRequest they build: one place for the command line and the Python API alike. Imports
nothing heavy, so `stockrnn --help` stays instant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from stockrnn.common import project
from stockrnn.common.choices import (
    Cell,
    Device,
    FeatureSet,
    Head,
    IntervalMethod,
    Nonlinearity,
    Precision,
    ScalerKind,
)
from stockrnn.common.errors import UsageError
from stockrnn.common.symbols import normalize
from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig

if TYPE_CHECKING:
    from stockrnn.pipelines.request import TrainRequest

MODEL, TRAIN, DATA = ModelConfig(), TrainConfig(), DataConfig()  # the one set of defaults


@dataclass(frozen=True, kw_only=True)
class ModelArgs:
    """The model and training options, as given; their defaults are the configs' own."""

    cell: Cell = MODEL.cell
    hidden: int = MODEL.hidden
    layers: int = MODEL.layers
    dropout: float = MODEL.dropout
    nonlinearity: Nonlinearity = MODEL.nonlinearity
    bias: bool = MODEL.bias
    head: Head = MODEL.head
    horizon: int = MODEL.horizon  # days a direct head emits
    window: int = DATA.window
    features: FeatureSet = DATA.features
    scaler: ScalerKind = DATA.scaler
    covariate: tuple[str, ...] = ()  # other cached tickers as inputs
    calendar_features: bool = DATA.calendar_features
    lr: float = TRAIN.lr
    batch_size: int = TRAIN.batch_size
    epochs: int = TRAIN.epochs
    patience: int = TRAIN.patience
    seed: int = TRAIN.seed
    device: Device = TRAIN.device
    precision: Precision = TRAIN.precision
    cuda_graphs: bool = TRAIN.cuda_graphs
    intervals: IntervalMethod = IntervalMethod.vol
    threads: int | None = None  # torch threads (None: this process's share of its cores)


SPLIT = ",".join(str(p) for p in DATA.split)
Day = date | datetime | str | None


@dataclass(frozen=True, kw_only=True)
class Span:
    """Which days train, validate and test: fractions, or explicit end dates."""

    split: str | tuple[float, float, float] = SPLIT
    train_end: Day = None
    val_end: Day = None


def parse_split(text: str | tuple[float, float, float]) -> tuple[float, float, float]:
    """'0.7,0.15,0.15' (or a tuple) -> (0.7, 0.15, 0.15); UsageError when malformed."""
    try:
        parts = tuple(float(p) for p in (text.split(",") if isinstance(text, str) else text))
    except (ValueError, TypeError):
        parts = ()
    if len(parts) != 3:
        raise UsageError(f"--split {text!r}: give three fractions, e.g. 0.7,0.15,0.15")
    return parts


def as_day(value: Day, option: str) -> date | None:
    """A date from a date, a datetime or an ISO string; UsageError naming the option."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def train_request(
    args: ModelArgs,
    *,
    data_dir: Path,
    models_dir: Path,
    name: str,
    tickers: list[str] | tuple[str, ...] | None,
    span: Span | None = None,
    overwrite: bool = False,
    predictions_out: Path | None = None,
) -> TrainRequest:
    """The TrainRequest from typed arguments; run() validates it."""
    from stockrnn.pipelines.request import TrainRequest

    span = span or Span()
    data = _pick(DataConfig, args)
    return TrainRequest(
        data_dir=data_dir,
        models_dir=models_dir,
        name=name,
        tickers=tuple(normalize(t) for t in tickers or []),
        data=replace(
            data,
            split=parse_split(span.split),
            train_end=as_day(span.train_end, "--train-end"),
            val_end=as_day(span.val_end, "--val-end"),
            covariates=tuple(normalize(c) for c in args.covariate),
        ),
        model=_pick(ModelConfig, args),
        train=_pick(TrainConfig, args),
        overwrite=overwrite,
        predictions_out=predictions_out,
        intervals=args.intervals,
        threads=args.threads,
    )


C = TypeVar("C")


def _pick(config: type[C], args: ModelArgs) -> C:
    """`config` built from the ModelArgs fields of the same names (the rest at defaults)."""
    names = {f.name for f in fields(config)}  # type: ignore[arg-type]
    return config(**{f.name: getattr(args, f.name) for f in fields(args) if f.name in names})


Tickers = str | Sequence[str] | None


def tickers_of(value: Tickers) -> list[str]:
    """A list of normalised symbols from one symbol, several, or None (an empty list)."""
    from stockrnn.common.symbols import normalize

    names = [value] if isinstance(value, str) else list(value or [])
    return [normalize(t) for t in names]


def folders(data_dir: Path | str | None, models_dir: Path | str | None) -> project.Workspace:
    """The workspace from the folders a call gives, else the project file's or the default."""
    return project.workspace(
        Path(data_dir) if data_dir is not None else None,
        Path(models_dir) if models_dir is not None else None,
    )
