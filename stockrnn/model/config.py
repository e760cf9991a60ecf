"""The model's and the training's settings: plain dataclasses, light enough for the command
line (no torch), stored in every checkpoint."""

from __future__ import annotations

from dataclasses import dataclass

from stockrnn.common.choices import Cell, Device, Head, Precision, check
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import MAX_DAYS


@dataclass
class ModelConfig:
    """Hyperparameters of the network; the checkpoint stores them to rebuild it."""

    cell: str = "lstm"  # rnn | lstm | gru
    n_features: int = 4  # the ticker's own features per day: inputs and outputs
    n_inputs: int = 0  # inputs per day with covariates and calendar features (0: n_features)
    hidden: int = 64  # hidden units per layer
    layers: int = 1  # stacked recurrent layers
    dropout: float = 0.0  # between stacked layers (PyTorch applies none after the last)
    nonlinearity: str = "tanh"  # tanh | relu, rnn cell only
    bias: bool = True
    head: str = "recursive"  # recursive (next day, rolled forward) | direct (horizon days at once)
    horizon: int = 1  # days a direct head emits (1 for recursive)

    def validate(self) -> None:
        check(Cell, self.cell, "--cell")
        if not 1 <= self.hidden <= 4096:
            raise UsageError("--hidden must be between 1 and 4096")
        if not 1 <= self.layers <= 16:
            raise UsageError("--layers must be between 1 and 16")
        if not 0 <= self.dropout < 1:
            raise UsageError("--dropout must be in [0, 1)")
        if self.nonlinearity not in ("tanh", "relu"):
            raise UsageError("--nonlinearity must be tanh or relu")
        if self.nonlinearity != "tanh" and self.cell != "rnn":
            raise UsageError("--nonlinearity applies to --cell rnn only")
        head = check(Head, self.head, "--head")
        if head == Head.direct and not 2 <= self.horizon <= MAX_DAYS:
            raise UsageError(f"--head direct needs --horizon between 2 and {MAX_DAYS}")
        if head == Head.recursive and self.horizon != 1:
            raise UsageError("--horizon sets a direct head's days; a recursive head has 1")
        if self.n_inputs and self.n_inputs < self.n_features:
            raise UsageError("a model reads at least its own features")


MAX_SEED = 2**32 - 1  # numpy's and every torch generator's common range


@dataclass
class TrainConfig:
    """Optimiser and stopping settings."""

    lr: float = 1e-3  # Adam learning rate
    batch_size: int = 64
    epochs: int = 100  # at most
    patience: int = 10  # epochs without a better validation loss before stopping
    seed: int = 42  # CPU runs with the same seed are bit-identical
    device: str = "auto"  # auto | cpu | cuda
    precision: str = "fp32"  # fp32 | bf16 (autocast on CUDA; the loss stays fp32)
    cuda_graphs: bool | None = None  # capture the step as a CUDA graph (None: on CUDA, yes)

    def validate(self) -> None:
        if not 0 < self.lr <= 1:
            raise UsageError("--lr must be in (0, 1]")
        if not 1 <= self.batch_size <= 65536:
            raise UsageError("--batch-size must be between 1 and 65536")
        if not 1 <= self.epochs <= 100000:
            raise UsageError("--epochs must be between 1 and 100000")
        if self.patience < 1:
            raise UsageError("--patience must be at least 1")
        if not 0 <= self.seed <= MAX_SEED:
            raise UsageError(f"--seed must be between 0 and {MAX_SEED}")
        check(Device, self.device, "--device")
        check(Precision, self.precision, "--precision")
