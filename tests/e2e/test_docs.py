"""The docs' Python blocks run, so the examples users copy cannot rot: each page's blocks in
order, in one namespace, in a fresh workspace. Training is capped at a couple of small epochs
to keep the suite quick (what is checked is that the code runs and its asserts hold, not how
well a 30-epoch model does). Blocks that only call yfinance itself need the network: skipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.bars import make_bars

import stockrnn

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[str]:
    return [b for b in BLOCK.findall(page.read_text()) if "import yfinance" not in b]


@pytest.fixture
def quick_training(monkeypatch):
    real = stockrnn.train

    def train(*args, **settings):
        settings["epochs"] = min(settings.get("epochs", 2), 2)
        settings.setdefault("hidden", 8)
        settings.setdefault("window", 20)
        return real(*args, **settings)

    monkeypatch.setattr(stockrnn, "train", train)


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)], ids=lambda p: p.name)
def test_the_pages_python_runs(page, tmp_path, monkeypatch, quick_training, fake_yahoo) -> None:
    for symbol, seed in (("AAPL", 1), ("MSFT", 2)):  # what Yahoo answers, offline
        fake_yahoo.frames[symbol] = make_bars(400, seed=seed, start="2023-01-03")
    (tmp_path / "stockrnn.toml").write_text("[workspace]\n")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for i, code in enumerate(blocks(page)):
        try:
            exec(compile(code, f"{page.name}, block {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the block in the failure
            raise AssertionError(f"{page.name} block {i + 1} fails: {exc!r}\n{code}") from exc
    assert (tmp_path / "data").is_dir()  # it ran in the workspace, not the user's folder
