"""A study's trials and storage under interruption: SIGTERM or a second Ctrl-C ends the trial
as FAIL (never left RUNNING and counted) with one line and no traceback; a database that cannot
be written is reported as such."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.processes import spawn

from stockrnn.cli.main import build
from stockrnn.common.errors import EXIT_INTERRUPTED, EXIT_TERMINATED

pytest.importorskip("optuna")
SPACE = "hidden = 8\nlayers = 1\nwindow = 10\nbatch_size = 32\nlr = 0.001\ncell = 'lstm'\n"


def _argv(ws, db: str, trials: int = 50, epochs: int = 100000) -> list[str]:
    return [
        *("tune", "AAA", "--trials", str(trials), "--folds", "2"),
        *("--epochs", str(epochs), "--patience", str(epochs)),
        *("--space", str(ws / "space.toml"), "--storage", f"sqlite:///{ws / db}"),
        *("--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")),
    ]


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    (tmp_path / "space.toml").write_text(SPACE)
    return tmp_path


def _states(db) -> list[str]:
    try:
        with sqlite3.connect(db) as con:
            return [s for (s,) in con.execute("SELECT state FROM trials ORDER BY number")]
    except sqlite3.OperationalError:  # not created yet
        return []


def _wait_running(ws, db: str, proc) -> None:
    deadline = time.monotonic() + 90
    while "RUNNING" not in _states(ws / db):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no trial started"
        time.sleep(0.2)
    time.sleep(1.0)  # inside the trial's training


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signals", "code", "says"),
    [
        ([signal.SIGTERM], EXIT_TERMINATED, "terminated"),
        ([signal.SIGINT, signal.SIGINT], EXIT_INTERRUPTED, "interrupted"),
    ],
)
def test_an_aborted_trial_is_failed_not_left_running(ws, signals, code, says) -> None:
    proc = spawn(_argv(ws, "s.db"), ws)
    _wait_running(ws, "s.db", proc)
    for sig in signals:
        proc.send_signal(sig)
        time.sleep(0.5)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3, err
    assert says in err
    assert _states(ws / "s.db") == ["FAIL"]


def test_a_database_that_cannot_be_written_says_so(ws) -> None:
    db = ws / "ro.db"
    first = cli_runner().invoke(build(), _argv(ws, "ro.db", trials=1, epochs=1))
    assert first.exit_code == 0, first.output
    argv = _argv(ws, "ro.db", trials=2, epochs=1)
    argv[argv.index("--storage") + 1] = f"sqlite:///file:{db}?mode=ro&uri=true"
    result = cli_runner().invoke(build(), argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "readonly" in lines[0] and "invalid data" not in lines[0], lines


def test_an_abort_inside_a_query_prints_no_sqlalchemy_log(ws, monkeypatch) -> None:
    """What the race above can hit: the abort lands inside one of Optuna's SQLAlchemy
    queries, and SQLAlchemy logs "Error closing cursor" with its exception on the way out.
    Python's last-resort handler printed that under the command's own line."""
    import logging

    from stockrnn.api import tuning

    def aborted_mid_query(*args, **kwargs):
        try:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        except sqlite3.ProgrammingError:
            logging.getLogger("sqlalchemy.pool.impl.QueuePool").error(
                "Error closing cursor", exc_info=True
            )
        raise KeyboardInterrupt

    monkeypatch.setattr(tuning, "tune", aborted_mid_query)
    monkeypatch.setattr(logging.root, "handlers", [])  # as in the command: none but the last resort
    result = cli_runner().invoke(build(), _argv(ws, "q.db", trials=1, epochs=1))
    assert result.exit_code == EXIT_INTERRUPTED, result.output
    assert "Error closing cursor" not in result.stderr, result.stderr
    assert "closed database" not in result.stderr and "interrupted" in result.stderr
