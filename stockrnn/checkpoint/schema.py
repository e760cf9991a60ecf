"""What a checkpoint's meta.json holds, as typed models: the one place JSON meets the types.

pydantic parses and checks it in strict mode (an int is never a string, no unknown keys), so a
tampered or foreign file is refused with the field that is wrong, and nothing in it can run.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from stockrnn.common.choices import IntervalMethod, ScalerKind
from stockrnn.dataset.config import DataConfig
from stockrnn.evaluate.compare import Comparison
from stockrnn.model.config import ModelConfig, TrainConfig

FORMAT_VERSION = 4  # 1: untyped dicts, per-ticker splits; 2: before the date-clustered tests;
# 3: CUDA graphs on by default (train.cuda_graphs null)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class SplitMeta(_Strict):
    """The last training day and the last validation day, shared by every ticker."""

    train_end: str
    val_end: str


class ScalerMeta(_Strict):
    kind: ScalerKind
    shift: list[float]
    scale: list[float]
    dropped: list[int] = []  # input columns constant over the training rows: fed as 0
    fit_start: str  # the first and last dates of the rows it was fitted on
    fit_end: str
    fit_rows: int


class TickerMeta(_Strict):
    """One trained ticker: its data's sha256 when trained, range and split dates."""

    symbol: str
    sha256: str
    first_date: str
    last_date: str
    train_end: str | None
    val_end: str | None
    test_start: str | None


class Timings(_Strict):
    """Where a training's time went, in seconds (`train --timings` writes these)."""

    load_s: float = 0.0  # reading the cached series and covariates
    prepare_s: float = 0.0  # scaling and indexing the samples
    train_s: float = 0.0  # model construction to trained model, as the benchmark harness counts
    evaluate_s: float = 0.0  # interval calibration and the test forecasts
    epoch_s: list[float] = []  # each epoch's training pass
    val_s: list[float] = []  # each epoch's validation pass


class FitMeta(_Strict):
    best_epoch: int
    epochs_run: int
    best_val_loss: float | None
    interrupted: bool
    samples_seen: int
    timings: Timings
    train_loss: list[float] = []  # each epoch's mean training loss (scaled MSE)
    val_loss: list[float] = []  # each epoch's validation loss


class MetricsMeta(_Strict):
    per_ticker: dict[str, Comparison]
    overall: Comparison


class IntervalMeta(_Strict):
    method: IntervalMethod = IntervalMethod.vol  # what the widths are in units of
    levels: list[float]
    # Conformal half-widths [step][level] for steps 1..CAL_STEPS, in units of the origin's
    # recent volatility (None: too few residuals: the interval would be infinite)
    half_widths: list[list[float | None]]
    step_n: list[int]  # residuals behind each step's widths
    val_n: int
    test_coverage_80: float | None


class CovariateMeta(_Strict):
    """A covariate ticker as the model was trained on it."""

    symbol: str
    sha256: str
    last_date: str
    calendar: str  # its exchange, which times its closes against the ticker's


class TunedMeta(_Strict):
    """Where a tuned model's configuration came from (`stockrnn tune --save-best`)."""

    study: str
    storage: str  # the URL without any password
    trial: int
    value: float  # the trial's mean validation rel. MAE over the tuning folds


class CheckpointMeta(_Strict):
    """Everything needed to rebuild, use and judge a trained model (weights aside)."""

    format_version: int = FORMAT_VERSION
    name: str
    created_at: str
    model: ModelConfig
    data: DataConfig
    train: TrainConfig
    split: SplitMeta
    features: list[str]
    scaler: ScalerMeta
    tickers: list[TickerMeta]
    samples: dict[str, int]
    fit: FitMeta
    metrics: MetricsMeta
    intervals: IntervalMeta
    versions: dict[str, str]
    device: str
    tuned: TunedMeta | None = None
    covariates: list[CovariateMeta] = []
    inputs: list[str] = []  # every input column in order: own features, covariates, calendar
    weights_file: str = ""
    weights_sha256: str = ""

    def ticker(self, symbol: str) -> TickerMeta | None:
        return next((t for t in self.tickers if t.symbol == symbol), None)
