"""What the benchmarks on ../shared/data/ohlcv/sp500_5yr share: importing the files, the
series `train` would keep, its command line, and the minimal loop stockrnn is measured against."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from stockrnn.dataset import loading, splits

SP500 = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv" / "sp500_5yr"
CLI = [sys.executable, "-m", "stockrnn"]


def import_all(data: Path, tmp: Path, first: int | None = None) -> float:
    """One long CSV of every sp500_5yr file (as all_stocks_5yr.csv is), or of the `first`
    ones, imported with `fetch --csv --all`; returns the import's seconds."""
    files = sorted(SP500.glob("*_data.csv"))[:first]
    if not files:
        sys.exit(f"no files in {SP500}")
    long_csv = tmp / "all_stocks_5yr.csv"
    with long_csv.open("w") as out:
        out.write(files[0].read_text().splitlines(keepends=True)[0])
        for f in files:
            out.writelines(f.read_text().splitlines(keepends=True)[1:])
    t0 = time.perf_counter()
    cmd = [*CLI, "fetch", "--csv", str(long_csv), "--all", "--data-dir", str(data)]
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def series(data: Path, cfg: Any) -> list[Any]:
    """Every cached series that `train` would keep (the short ones left out, as it does)."""

    return splits.drop_too_short(loading.load_series(data, [], cfg), cfg)[0]


def train_args(data: Path, models: Path, name: str, epochs: int, timings: Path) -> list[str]:
    """`stockrnn train` for exactly `epochs` epochs, writing its timings."""
    return [
        *("train", "--data-dir", str(data), "--models-dir", str(models), "--name", name),
        *("--epochs", str(epochs), "--patience", str(epochs + 1), "--overwrite"),
        *("--timings", str(timings)),
    ]


def minimal_loop(x: Any, y: Any, batch: int, epochs: int = 1, bf16: bool = False) -> list[float]:
    """Seconds of each epoch of the minimal loop (the issue's and the harness's): an LSTM
    (hidden 64) and a linear head on the last step, every window pre-built as one tensor `x`
    (targets `y`) on its device, shuffled index batches, Adam 1e-3, MSE, seed 42."""
    import torch

    dev = x.device

    def sync() -> None:
        if dev.type == "cuda":
            torch.cuda.synchronize()

    torch.manual_seed(42)
    lstm = torch.nn.LSTM(x.shape[2], 64, batch_first=True).to(dev)
    head = torch.nn.Linear(64, y.shape[1]).to(dev)
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)
    times = []
    for _ in range(epochs):
        sync()
        t0 = time.perf_counter()
        perm = torch.randperm(len(x), device=dev)
        for i in range(0, len(x), batch):
            idx = perm[i : i + batch]
            opt.zero_grad(set_to_none=True)
            with torch.autocast(dev.type, torch.bfloat16, enabled=bf16):
                out, _ = lstm(x[idx])
                pred = head(out[:, -1])
            torch.nn.functional.mse_loss(pred.float(), y[idx]).backward()  # type: ignore[no-untyped-call]
            opt.step()
        sync()
        times.append(time.perf_counter() - t0)
    return times
