"""Command-line option types shared by the commands, and the request they build.

Kept apart from cli.py so each command stays a few lines; like cli.py it imports nothing heavy
at module level.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from stockrnn.errors import UsageError
from stockrnn.symbols import normalize

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="STOCKRNN_DATA", help="Folder of cached bars.")
]
ModelsDir = Annotated[
    Path, typer.Option("--models-dir", envvar="STOCKRNN_MODELS", help="Folder of saved models.")
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
DateOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


class Source(StrEnum):
    yahoo = "yahoo"
    sample = "sample"
    csv = "csv"


class Cell(StrEnum):
    rnn = "rnn"
    lstm = "lstm"
    gru = "gru"


class FeatureSet(StrEnum):
    ohlc = "ohlc"
    ohlcv = "ohlcv"


class ScalerKind(StrEnum):
    standard = "standard"
    minmax = "minmax"
    robust = "robust"


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


def parse_split(text: str) -> tuple[float, float, float]:
    """'0.7,0.15,0.15' -> (0.7, 0.15, 0.15); UsageError when malformed."""
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 3:
        raise UsageError(f"--split {text!r}: give three fractions, e.g. 0.7,0.15,0.15")
    return parts


def explicit(ctx: typer.Context, name: str) -> bool:
    """Whether the user gave option `name` on the command line (or by environment)."""
    # Compared by name: typer vendors click from 0.29 on, so the enum's module varies.
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def check_fetch(
    ctx: typer.Context,
    tickers: list[str],
    source: Source,
    csv: Path | None,
    all_in_csv: bool,
    date_format: str | None,
    period: str | None,
) -> None:
    """Refuse fetch options that conflict or do not apply, before any work."""
    if csv is not None and explicit(ctx, "source") and source != Source.csv:
        raise UsageError("--csv imports a file: it cannot be combined with --source yahoo/sample")
    if csv is not None and period is not None:
        raise UsageError("--period applies to Yahoo downloads; a CSV is imported whole")
    if csv is None and (all_in_csv or date_format is not None):
        raise UsageError("--all and --date-format apply to --csv imports only")
    if all_in_csv and tickers:
        raise UsageError("give tickers or --all, not both")
    if not tickers and not all_in_csv:
        raise UsageError("give at least one ticker (or --csv FILE --all)")


Tickers = Annotated[
    list[str] | None,
    typer.Option(
        "--ticker", "-t", help="Train on this ticker (repeatable; default: every cached one)."
    ),
]
ModelName = Annotated[str, typer.Option("--name", help="Checkpoint name under the models dir.")]


CellOpt = Annotated[Cell, typer.Option(help="Recurrent cell.")]
HiddenOpt = Annotated[int, typer.Option(help="Hidden units per layer.")]
LayersOpt = Annotated[int, typer.Option(help="Stacked recurrent layers.")]
DropoutOpt = Annotated[float, typer.Option(help="Dropout between stacked layers.")]
NonlinOpt = Annotated[str, typer.Option(help="tanh or relu (rnn cell only).")]
BiasOpt = Annotated[bool, typer.Option("--bias/--no-bias", help="Bias terms.")]
WindowOpt = Annotated[int, typer.Option(help="Days of history per sample.")]
FeaturesOpt = Annotated[FeatureSet, typer.Option(help="Inputs per day.")]
ScalerOpt = Annotated[ScalerKind, typer.Option(help="Fitted on train rows only.")]
LrOpt = Annotated[float, typer.Option(help="Adam learning rate.")]
BatchOpt = Annotated[int, typer.Option(help="Samples per step.")]
EpochsOpt = Annotated[int, typer.Option(help="Most epochs.")]
PatienceOpt = Annotated[int, typer.Option(help="Early-stopping patience (epochs).")]
SeedOpt = Annotated[int, typer.Option(help="Random seed; CPU runs are bit-identical.")]
DeviceOpt = Annotated[Device, typer.Option(help="Where to train.")]


def train_request(o: dict[str, Any], name: str, tickers: list[str] | None) -> Any:
    """The TrainRequest from a command's parsed options (click's ctx.params), which `train`
    and `backtest` share; run() validates it."""
    from stockrnn.dataset import DataConfig
    from stockrnn.experiment import TrainRequest
    from stockrnn.model import ModelConfig
    from stockrnn.train import TrainConfig

    train_end, val_end = o.get("train_end"), o.get("val_end")
    return TrainRequest(
        o["data_dir"],
        o["models_dir"],
        name,
        [normalize(t) for t in tickers or []],
        DataConfig(
            o["window"],
            o["features"].value,
            o["scaler"].value,
            parse_split(o.get("split", "0.7,0.15,0.15")),
            train_end.date() if train_end else None,
            val_end.date() if val_end else None,
        ),
        ModelConfig(
            o["cell"].value,
            hidden=o["hidden"],
            layers=o["layers"],
            dropout=o["dropout"],
            nonlinearity=o["nonlinearity"],
            bias=o["bias"],
        ),
        TrainConfig(
            o["lr"], o["batch_size"], o["epochs"], o["patience"], o["seed"], o["device"].value
        ),
    )
