"""The model's and the training's settings: plain dataclasses, light enough for the command
line (no torch), stored in every checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stockrnn.common.choices import Cell, Device, Head, Nonlinearity, Precision, coerce
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import MAX_DAYS

# Rows per inference pass (validation, calibration, test forecasts). On CPU, where glibc hands
# freed memory back (the library in a notebook), a pass over a whole batch came back as fresh
# pages every time, and passes within CPU_CHUNK_FLOATS of LSTM output (rows x window x hidden)
# ran the harness's validation pass in 0.51-0.64x the time and its calibration roll in
# 0.48-0.66x, with the same outputs. Where the memory is kept (the console script, see
# common/allocator.py) chunks cost about what one pass does (0.98-1.10x), and they bound the
# largest block a pass asks for, which the process then keeps. For a large model the
# budget's few rows cost more than they save (hidden 1024: 8 rows 1.11x, 64 rows 1.02x),
# hence the floor (bench/inference_chunks.py; docs/performance.md, "Inference in chunks").
WHOLE_ROWS = 8192  # a GPU's pass
CPU_CHUNK_FLOATS = 1 << 19
MIN_CPU_ROWS = 64


def cpu_chunk(window: int, hidden: int) -> int:
    """Rows per CPU inference pass for this window and hidden size (the note above)."""
    return max(MIN_CPU_ROWS, CPU_CHUNK_FLOATS // max(1, window * hidden))


def inference_rows(model: Any, window: int, device_type: str) -> int:
    """Rows per inference pass of a torch module (unwrapped from DDP), on its device: the CPU
    budget for stockrnn's network, WHOLE_ROWS on a GPU or for a module without a cfg."""
    cfg = getattr(getattr(model, "module", model), "cfg", None)
    if device_type != "cpu" or not isinstance(cfg, ModelConfig):
        return WHOLE_ROWS
    return cpu_chunk(window, cfg.hidden)


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """Hyperparameters of the network; the checkpoint stores them to rebuild it."""

    cell: Cell = Cell.lstm
    n_features: int = 4  # the ticker's own features per day: inputs and outputs
    n_inputs: int = 0  # inputs per day with covariates and calendar features (0: n_features)
    hidden: int = 64  # hidden units per layer
    layers: int = 1  # stacked recurrent layers
    dropout: float = 0.0  # between stacked layers (PyTorch applies none after the last)
    nonlinearity: Nonlinearity = Nonlinearity.tanh  # rnn cell only
    bias: bool = True
    head: Head = Head.recursive  # next day, rolled forward | all horizon days at once
    horizon: int = 1  # days a direct head emits (1 for recursive)

    def __post_init__(self) -> None:
        coerce(self, cell=Cell, nonlinearity=Nonlinearity, head=Head)

    def validate(self) -> None:
        if not 1 <= self.hidden <= 4096:
            raise UsageError("--hidden must be between 1 and 4096")
        if not 1 <= self.layers <= 16:
            raise UsageError("--layers must be between 1 and 16")
        if not 0 <= self.dropout < 1:
            raise UsageError("--dropout must be in [0, 1)")
        if self.nonlinearity is not Nonlinearity.tanh and self.cell is not Cell.rnn:
            raise UsageError("--nonlinearity applies to --cell rnn only")
        if self.head is Head.direct and not 2 <= self.horizon <= MAX_DAYS:
            raise UsageError(f"--head direct needs --horizon between 2 and {MAX_DAYS}")
        if self.head is Head.recursive and self.horizon != 1:
            raise UsageError("--horizon sets a direct head's days; a recursive head has 1")
        if self.n_inputs and self.n_inputs < self.n_features:
            raise UsageError("a model reads at least its own features")


MAX_SEED = 2**32 - 1  # numpy's and every torch generator's common range


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Optimiser and stopping settings."""

    lr: float = 1e-3  # Adam learning rate
    batch_size: int = 64
    epochs: int = 100  # at most
    patience: int = 10  # epochs without a better validation loss before stopping
    seed: int = 42  # CPU runs with the same seed are bit-identical
    device: Device = Device.auto
    precision: Precision = Precision.fp32  # bf16: autocast on CUDA; the loss stays fp32
    # replay the step as a CUDA graph: opt-in until a GPU run has verified it (docs/gpu.md)
    cuda_graphs: bool = False

    def __post_init__(self) -> None:
        coerce(self, device=Device, precision=Precision)

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
