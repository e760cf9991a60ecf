"""Command-line option types shared by the commands, the model options' one set of defaults
(the configs' own), the request they build, and the checks made before any work. Imports
nothing heavy at module level."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from stockrnn.common.choices import (
    Cell,
    Device,
    FeatureSet,
    Head,
    IntervalMethod,
    Nonlinearity,
    Precision,
    ScalerKind,
    Source,
)
from stockrnn.common.errors import UsageError
from stockrnn.common.symbols import normalize
from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig

if TYPE_CHECKING:
    from stockrnn.pipelines.request import TrainRequest

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="STOCKRNN_DATA", help="Folder of cached bars.")
]
ModelsDir = Annotated[
    Path, typer.Option("--models-dir", envvar="STOCKRNN_MODELS", help="Folder of saved models.")
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
DateOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def parse_split(text: str) -> tuple[float, float, float]:
    """'0.7,0.15,0.15' -> (0.7, 0.15, 0.15); UsageError when malformed."""
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 3:
        raise UsageError(f"--split {text!r}: give three fractions, e.g. 0.7,0.15,0.15")
    return parts


def given_by_user(ctx: typer.Context, name: str) -> bool:
    """Whether the user gave option `name` on the command line (or by environment)."""
    # Compared by name: typer vendors click from 0.29 on, so the enum's module varies.
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def check_fetch(
    ctx: typer.Context,
    tickers: list[str],
    *,
    source: Source,
    csv: Path | None,
    all_in_csv: bool,
    date_format: str | None,
    workers: int = 1,
    retries: int = 1,
) -> None:
    """Refuse fetch options that conflict, do not apply or are out of range, before any work."""
    if csv is not None and given_by_user(ctx, "source") and source != Source.csv:
        raise UsageError("--csv imports a file: it cannot be combined with --source yahoo/sample")
    if csv is None and (all_in_csv or date_format is not None):
        raise UsageError("--all and --date-format apply to --csv imports only")
    if all_in_csv and tickers:
        raise UsageError("give tickers or --all, not both")
    if not tickers and not all_in_csv:
        raise UsageError("give at least one ticker (or --csv FILE --all)")
    if not 1 <= workers <= 64 or not 1 <= retries <= 20:
        raise UsageError("--workers must be between 1 and 64, --retries between 1 and 20")


Tickers = Annotated[
    list[str] | None,
    typer.Option(
        "--ticker", "-t", help="Train on this ticker (repeatable; default: every cached one)."
    ),
]
SplitOpt = Annotated[str, typer.Option(help="Train, val, test fractions.")]
ModelName = Annotated[str, typer.Option("--name", help="Checkpoint name under the models dir.")]


CellOpt = Annotated[Cell, typer.Option(help="Recurrent cell.")]
HiddenOpt = Annotated[int, typer.Option(help="Hidden units per layer.")]
LayersOpt = Annotated[int, typer.Option(help="Stacked recurrent layers.")]
DropoutOpt = Annotated[float, typer.Option(help="Dropout between stacked layers.")]
NonlinOpt = Annotated[Nonlinearity, typer.Option(help="Recurrent nonlinearity (rnn cell only).")]
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
CovariateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--covariate",
        metavar="TICKER",
        help="Another cached ticker whose daily log returns join the inputs (repeatable).",
    ),
]
CalendarOpt = Annotated[
    bool,
    typer.Option(
        "--calendar-features",
        help="Known-future inputs: weekday, month, days since the last session, holidays.",
    ),
]
PrecisionOpt = Annotated[
    Precision, typer.Option(help="bf16: autocast on CUDA (the loss stays fp32); CPU is fp32.")
]
GraphsOpt = Annotated[
    bool | None,
    typer.Option(
        "--cuda-graphs/--no-cuda-graphs",
        help="Replay the training step as a CUDA graph (default: on with CUDA).",
        show_default=False,
    ),
]
IntervalsOpt = Annotated[
    IntervalMethod,
    typer.Option(
        help="Conformal residuals over the origin's recent volatility (vol), or raw (fixed)."
    ),
]
HeadOpt = Annotated[
    Head,
    typer.Option(help="recursive: next day, rolled forward; direct: all days in one pass."),
]


MODEL, TRAIN, DATA = ModelConfig(), TrainConfig(), DataConfig()  # the one set of defaults


@dataclass(frozen=True, kw_only=True)
class ModelArgs:
    """The model and training options `train`, `backtest` and `tune` share, as given; their
    defaults are the configs' own."""

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
    cuda_graphs: bool | None = TRAIN.cuda_graphs  # None: on where CUDA is used
    intervals: IntervalMethod = IntervalMethod.vol


# The ModelArgs fields that only matter when a model is trained (backtest --model refuses them;
# its --horizon is the backtest's own option).
TRAINING_OPTIONS = [f.name for f in fields(ModelArgs) if f.name != "horizon"]


SPLIT = ",".join(str(p) for p in DATA.split)


@dataclass(frozen=True, kw_only=True)
class Span:
    """Which days train, validate and test: fractions, or explicit end dates."""

    split: str = SPLIT
    train_end: datetime | None = None
    val_end: datetime | None = None


def train_request(
    args: ModelArgs,
    *,
    data_dir: Path,
    models_dir: Path,
    name: str,
    tickers: list[str] | None,
    span: Span | None = None,
    overwrite: bool = False,
    predictions_out: Path | None = None,
) -> TrainRequest:
    """The TrainRequest from typed command arguments; run() validates it."""
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
            train_end=span.train_end.date() if span.train_end else None,
            val_end=span.val_end.date() if span.val_end else None,
            covariates=tuple(normalize(c) for c in args.covariate),
        ),
        model=_pick(ModelConfig, args),
        train=_pick(TrainConfig, args),
        overwrite=overwrite,
        predictions_out=predictions_out,
        intervals=args.intervals,
    )


C = TypeVar("C")


def _pick(config: type[C], args: ModelArgs) -> C:
    """`config` built from the ModelArgs fields of the same names (the rest at defaults)."""
    names = {f.name for f in fields(config)}  # type: ignore[arg-type]
    return config(**{f.name: getattr(args, f.name) for f in fields(args) if f.name in names})


def model_args(given: dict[str, Any], **override: Any) -> ModelArgs:
    """ModelArgs from a command's parameters (`locals()`), by field name."""
    picked = {f.name: given[f.name] for f in fields(ModelArgs) if f.name in given}
    picked["covariate"] = tuple(picked.get("covariate") or ())
    return ModelArgs(**{**picked, **override})


def check_nproc(nproc: int, req: TrainRequest) -> None:
    """Refuse a bad --nproc, and anything the processes would each refuse, before launching."""
    from stockrnn.checkpoint import store
    from stockrnn.model import loop, torchrun

    if not 1 <= nproc <= 256:
        raise UsageError("--nproc must be between 1 and 256")
    if torchrun.world_size() > 1:
        raise UsageError("--nproc launches torchrun itself: drop it when running under torchrun")
    req.validate()
    loop.check_device(req.train)
    store.claim(req.models_dir, req.name, req.overwrite)


def check_predict(
    json_out: bool, csv_out: bool, plot_file: Path | None, workspace_dirs: tuple[Path, Path]
) -> None:
    """Refuse predict options that conflict, and an unwritable chart path, before any work."""
    if json_out and csv_out:
        raise UsageError("--json and --csv both print to stdout: choose one")
    if plot_file is not None:
        from stockrnn.common import workspace

        workspace.check_output(plot_file, "--plot-file", workspace_dirs)


def check_backtest(ctx: typer.Context, model: str | None, start: datetime | None) -> None:
    """Refuse backtest options that conflict or do not apply, before any work."""
    if start is not None and model is None:
        raise UsageError(
            "--start applies to --model (a saved model); walk-forward folds set their own"
        )
    if model is not None:
        given = [
            p.opts[0]
            for p in ctx.command.params
            if p.name in TRAINING_OPTIONS and given_by_user(ctx, p.name)
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)}: training options do not apply to --model, which "
                "evaluates a saved model without refitting"
            )
