"""A search space is checked against train's own limits before a study opens: nothing it can
propose fails inside a trial."""

from __future__ import annotations

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner

from stockrnn.cli.main import build

pytest.importorskip("optuna")


@pytest.mark.parametrize(
    ("space", "says"),
    [
        ("[lr]\nlow = 1e-4\nhigh = inf\n", "lr takes finite values"),
        ("[lr]\nlow = nan\nhigh = 0.1\n", "lr takes finite values"),
        ("dropout = nan\n", "dropout takes finite values"),
        ("hidden = 0\n", "hidden = 0 is refused (--hidden must be between 1 and 4096)"),
        ("[window]\nchoices = [1, 20]\n", "window = 1 is refused (--window must be between"),
        ("[lr]\nlow = -0.1\nhigh = 0.01\n", "lr = -0.1 is refused (--lr must be in (0, 1])"),
        ("[dropout]\nlow = 0.0\nhigh = 1.5\n", "dropout = 1.5 is refused"),
        ("[batch_size]\nchoices = [0, 32]\n", "batch_size = 0 is refused"),
        ("[layers]\nlow = 1\nhigh = 99\n", "layers = 99 is refused"),
    ],
)
def test_space_outside_trains_limits_is_refused_before_the_study(tmp_path, space, says) -> None:
    cache_bars(tmp_path / "data", "AAA", make_bars(200, seed=1))
    (tmp_path / "space.toml").write_text(space)
    db = tmp_path / "t.db"
    argv = ["tune", "AAA", "--trials", "2", "--space", str(tmp_path / "space.toml")]
    argv += ["--storage", f"sqlite:///{db}", "--data-dir", str(tmp_path / "data")]
    argv += ["--models-dir", str(tmp_path / "models")]
    result = cli_runner().invoke(build(), argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert not db.exists()  # no study opened, no FAIL trial left in one
