"""Everything `stockrnn train` needs, validated in full before any work."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from stockrnn.checkpoint import store
from stockrnn.checkpoint.schema import TunedMeta
from stockrnn.common.choices import IntervalMethod, coerce
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import check_threads
from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig


@dataclass(frozen=True, kw_only=True)
class TrainRequest:
    """Everything `stockrnn train` needs; validated in full before any work."""

    data_dir: Path
    models_dir: Path
    name: str = "default"
    tickers: tuple[str, ...] = ()  # empty: every cached ticker
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    overwrite: bool = False  # replace an existing checkpoint of this name
    predictions_out: Path | None = None  # write the test split's one-step forecasts here
    tuned: TunedMeta | None = None  # the tune study and trial this configuration came from
    intervals: IntervalMethod = IntervalMethod.vol  # what the conformal widths are in units of
    threads: int | None = None  # torch threads (None: this process's share of its cores)
    sharing: int = 1  # processes sharing the cores by design (tune workers running a trial)

    def __post_init__(self) -> None:
        coerce(self, intervals=IntervalMethod)
        object.__setattr__(self, "tickers", tuple(self.tickers))

    def validate(self) -> None:
        store.check_name(self.name)
        if len(set(self.tickers)) != len(self.tickers):  # its windows would count twice
            raise UsageError("a ticker is given twice")
        self.data.validate()
        self.model.validate()
        self.train.validate()
        check_threads(self.threads)

    def model_config(self) -> ModelConfig:
        """The model settings, sized for the chosen feature set."""
        return replace(self.model, n_features=self.data.n_out, n_inputs=len(self.data.inputs))
