"""Everything `stockrnn train` needs, validated in full before any work."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from stockrnn.checkpoint import store
from stockrnn.checkpoint.schema import TunedMeta
from stockrnn.common.choices import IntervalMethod, check
from stockrnn.dataset.config import DataConfig
from stockrnn.model.config import ModelConfig, TrainConfig


@dataclass
class TrainRequest:
    """Everything `stockrnn train` needs; validated in full before any work."""

    data_dir: Path
    models_dir: Path
    name: str = "default"
    tickers: list[str] = field(default_factory=list)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    overwrite: bool = False  # replace an existing checkpoint of this name
    predictions_out: Path | None = None  # write the test split's one-step forecasts here
    tuned: TunedMeta | None = None  # the tune study and trial this configuration came from
    intervals: str = "vol"  # interval method: vol | fixed (choices.IntervalMethod)

    def validate(self) -> None:
        store.check_name(self.name)
        self.data.validate()
        self.model.validate()
        self.train.validate()
        check(IntervalMethod, self.intervals, "--intervals")

    def model_config(self) -> ModelConfig:
        """The model settings, sized for the chosen feature set."""
        return replace(self.model, n_features=self.data.n_out, n_inputs=len(self.data.inputs))
