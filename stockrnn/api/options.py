"""The options `train`, `backtest` and `tune` share, with the configs' own defaults, and the
TrainRequest they build: one place for the command line and the Python API alike. Imports
nothing heavy, so `stockrnn --help` stays instant."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from stockrnn.common import choices, project
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
from stockrnn.common.limits import flag, real, whole
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

    def __post_init__(self) -> None:
        _check_types(self)


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
    return [normalize(t) for t in check_tickers(value)]


def check_tickers(value: Tickers) -> list[str]:
    """One symbol, several, or None as a list of strings (not yet normalised)."""
    if value is not None and not isinstance(value, str | Sequence):
        raise UsageError(f"tickers are strings such as 'AAPL' or a list of them, not {value!r}")
    names = [value] if isinstance(value, str) else list(value or [])
    for t in names:
        if not isinstance(t, str):
            raise UsageError(f"tickers are strings such as 'AAPL', not {t!r}")
    return names


def with_settings(options: ModelArgs | None, settings: dict[str, Any]) -> ModelArgs:
    """`options` (default ModelArgs()) with settings given by name: unknown names and wrong
    types refused in one line (`epoch=3`, `epochs="many"`)."""
    known = [f.name for f in fields(ModelArgs)]
    unknown = sorted(set(settings) - set(known) - {"covariates"})
    if unknown:
        raise UsageError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
    if options is not None and not isinstance(options, ModelArgs):
        raise UsageError(f"options= takes a stockrnn.ModelArgs, not {type(options).__name__}")
    # numpy's integers and floats count (a notebook's values often are), as plain ones
    settings = {k: _plain(v) for k, v in settings.items()}
    if "covariates" in settings:
        settings["covariate"] = settings.pop("covariates")
    if "covariate" in settings:
        settings["covariate"] = tuple(tickers_of(settings["covariate"]))
    return replace(options or ModelArgs(), **settings)


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _check_types(args: ModelArgs) -> None:
    """Each setting of the type its default has (choices by name, as the command line)."""
    for f in fields(args):
        value, default = getattr(args, f.name), f.default
        option = "--" + f.name.replace("_", "-")
        if isinstance(default, bool):
            flag(value, option)
        elif isinstance(default, int) or f.name == "threads":
            if value is not None or f.name != "threads":
                whole(value, option)
        elif isinstance(default, float):
            real(value, option)
        elif isinstance(default, StrEnum):
            choices.check(type(default), value, option)
        elif f.name == "covariate":
            tickers_of(value)


def folder_arg(value: Path | str | None, what: str) -> Path | None:
    """A folder given from Python: a path or a string."""
    if value is None:
        return None
    if not isinstance(value, str | Path):
        raise UsageError(f"{what} takes a folder path, not {value!r}")
    return Path(value)


def folders(data_dir: Path | str | None, models_dir: Path | str | None) -> project.Workspace:
    """The workspace from the folders a call gives, else the project file's or the default."""
    return project.workspace(folder_arg(data_dir, "data_dir"), folder_arg(models_dir, "models_dir"))
