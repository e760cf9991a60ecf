"""Cold wall time of `stockrnn predict AAPL --horizon 5`, beside `import torch` in the same run
(target: at most 1.2x; predict itself no longer imports torch, so this is now well under 1).

usage: python bench/predict_speed.py [--runs 5]
Sets up a workspace from the bundled sample with a default-sized model (lstm, hidden 64,
window 60; 2 epochs, since accuracy does not matter here), then times separate processes.
`import torch` alone is timed in the same run as the floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "stockrnn"]
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "stockrnn.toml").write_text("[workspace]\n")  # its own data/ and models/
        subprocess.run(
            [*cli, "fetch", "AAPL", "--source", "sample"], cwd=ws, check=True, capture_output=True
        )
        subprocess.run(
            [*cli, "train", "AAPL", "--epochs", "2"], cwd=ws, check=True, capture_output=True
        )
        predict, torch_only = [], []
        for _ in range(args.runs):
            predict.append(timed([*cli, "predict", "AAPL", "--horizon", "5"], ws))
            torch_only.append(timed([sys.executable, "-c", "import torch"], ws))
    floor = statistics.median(torch_only)
    print(
        f"stockrnn predict AAPL --horizon 5: median {statistics.median(predict):.2f} s, "
        f"min {min(predict):.2f} s over {args.runs} cold runs"
    )
    print(f"python -c 'import torch' (floor): median {floor:.2f} s")
    print(f"ratio predict / import torch: {statistics.median(predict) / floor:.2f}x")


if __name__ == "__main__":
    main()
