"""Command-line option types shared by the commands (grouped into help panels), and the
checks made before any work. The options' defaults and the request they build live in
stockrnn.api.options, shared with the Python API. Imports nothing heavy at module level."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stockrnn.api.options import DATA, MODEL, SPLIT, TRAIN, ModelArgs, Span
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

if TYPE_CHECKING:
    from stockrnn.pipelines.request import TrainRequest

__all__ = ["DATA", "MODEL", "SPLIT", "TRAIN", "ModelArgs", "Span"]

MODEL_PANEL, TRAINING, DATA_PANEL, OUTPUT, HARDWARE = (
    "Model",
    "Training",
    "Data",
    "Output",
    "Hardware",
)


def _opt(*names: str, panel: str, **kw: Any) -> Any:
    """A typer.Option in one of the help panels."""
    return typer.Option(*names, rich_help_panel=panel, **kw)


DataDir = Annotated[
    Path | None,
    _opt(
        "--data-dir",
        panel=DATA_PANEL,
        envvar="STOCKRNN_DATA",
        metavar="DIR",
        show_default=False,
        help="Folder of cached bars (default: the workspace's; see `stockrnn workspace`).",
    ),
]
ModelsDir = Annotated[
    Path | None,
    _opt(
        "--models-dir",
        panel=DATA_PANEL,
        envvar="STOCKRNN_MODELS",
        metavar="DIR",
        show_default=False,
        help="Folder of saved models (default: the workspace's).",
    ),
]
JsonOut = Annotated[bool, _opt("--json", panel=OUTPUT, help="Print the result as JSON on stdout.")]
DateOpt = Annotated[
    datetime | None,
    _opt(
        panel=DATA_PANEL,
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        show_default=False,
        help="Split at dates instead of --split: the last day of training (--train-end) and "
        "of validation (--val-end).",
    ),
]
TickerArgs = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="TICKER", help="Ticker symbols, e.g. AAPL ^GSPC VOD.L.", show_default=False
    ),
]
OldTickers = Annotated[
    list[str] | None,
    typer.Option("--ticker", "-t", hidden=True, help="The old spelling of TICKER arguments."),
]
LevelOpt = Annotated[
    list[float] | None,
    _opt(
        "--level",
        panel=OUTPUT,
        metavar="PERCENT",
        show_default=False,
        help="Interval coverage in percent, repeatable (--level 80 --level 95); default 80.",
    ),
]
SplitOpt = Annotated[str, _opt(panel=DATA_PANEL, metavar="TRAIN,VAL,TEST", help="Split fractions.")]
ModelName = Annotated[
    str, _opt("--name", panel=OUTPUT, metavar="NAME", help="The saved model's name.")
]
CellOpt = Annotated[Cell, _opt(panel=MODEL_PANEL, help="Recurrent cell.")]
HiddenOpt = Annotated[int, _opt(panel=MODEL_PANEL, metavar="N", help="Hidden units per layer.")]
LayersOpt = Annotated[int, _opt(panel=MODEL_PANEL, metavar="N", help="Stacked recurrent layers.")]
DropoutOpt = Annotated[
    float, _opt(panel=MODEL_PANEL, metavar="P", help="Dropout between stacked layers.")
]
NonlinOpt = Annotated[
    Nonlinearity, _opt(panel=MODEL_PANEL, help="Recurrent nonlinearity (rnn cell only).")
]
BiasOpt = Annotated[bool, _opt("--bias/--no-bias", panel=MODEL_PANEL, help="Bias terms.")]
HeadOpt = Annotated[
    Head,
    _opt(panel=MODEL_PANEL, help="recursive: next day, rolled forward; direct: all days at once."),
]
WindowOpt = Annotated[int, _opt(panel=DATA_PANEL, metavar="DAYS", help="History per sample.")]
FeaturesOpt = Annotated[FeatureSet, _opt(panel=DATA_PANEL, help="Inputs per day.")]
ScalerOpt = Annotated[ScalerKind, _opt(panel=DATA_PANEL, help="Fitted on train rows only.")]
CovariateOpt = Annotated[
    list[str] | None,
    _opt(
        "--covariate",
        panel=DATA_PANEL,
        metavar="TICKER",
        help="Another cached ticker whose daily log returns join the inputs (repeatable).",
    ),
]
CalendarOpt = Annotated[
    bool,
    _opt(
        "--calendar-features",
        panel=DATA_PANEL,
        help="Known-future inputs: weekday, month, days since the last session, holidays.",
    ),
]
LrOpt = Annotated[float, _opt(panel=TRAINING, metavar="RATE", help="Adam learning rate.")]
BatchOpt = Annotated[int, _opt(panel=TRAINING, metavar="N", help="Samples per step.")]
EpochsOpt = Annotated[int, _opt(panel=TRAINING, metavar="N", help="Most epochs.")]
PatienceOpt = Annotated[
    int, _opt(panel=TRAINING, metavar="N", help="Early-stopping patience (epochs).")
]
SeedOpt = Annotated[
    int, _opt(panel=TRAINING, metavar="N", help="Random seed; CPU runs are bit-identical.")
]
IntervalsOpt = Annotated[
    IntervalMethod,
    _opt(
        panel=TRAINING,
        help="Conformal residuals over the origin's recent volatility (vol), or raw (fixed).",
    ),
]
DeviceOpt = Annotated[Device, _opt(panel=HARDWARE, help="Where to train.")]
PrecisionOpt = Annotated[
    Precision,
    _opt(panel=HARDWARE, help="bf16: autocast on CUDA (the loss stays fp32); CPU is fp32."),
]
ThreadsOpt = Annotated[
    int | None,
    _opt(
        panel=HARDWARE,
        metavar="N",
        show_default=False,
        help="torch threads (default: this process's share of the cores it may use, among "
        "torchrun's local ranks or the tune workers running a trial).",
    ),
]
GraphsOpt = Annotated[
    bool,
    _opt(
        "--cuda-graphs/--no-cuda-graphs",
        panel=HARDWARE,
        help="Replay the training step as a CUDA graph (CUDA only). Opt-in: not yet verified "
        "on a GPU (docs/gpu.md).",
    ),
]


def tickers_given(args: list[str] | None, old: list[str] | None) -> tuple[list[str], str]:
    """Tickers as arguments, or by the old -t/--ticker (with a note saying so)."""
    if old and args:
        raise UsageError("give tickers as arguments or with -t, not both")
    if old:
        shown = " ".join(old)
        return list(old), f"-t/--ticker still works; tickers are arguments now: {shown}"
    return list(args or []), ""


def given_by_user(ctx: typer.Context, name: str) -> bool:
    """Whether the user gave option `name` on the command line (or by environment)."""
    # Compared by name: typer vendors click from 0.29 on, so the enum's module varies.
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def check_fetch(ctx: typer.Context, source: Source, csv: Path | None) -> None:
    """Refuse a --source that contradicts --csv (the API checks the rest)."""
    if csv is not None and given_by_user(ctx, "source") and source != Source.csv:
        raise UsageError("--csv imports a file: it cannot be combined with --source yahoo/sample")


# The ModelArgs fields that only matter when a model is trained (backtest --model refuses them;
# its --horizon is the backtest's own option).
TRAINING_OPTIONS = [f.name for f in fields(ModelArgs) if f.name != "horizon"]


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
