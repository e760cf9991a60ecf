"""`stockrnn tune`: never sees the test span, resumes, shares a study, prunes, saves the best."""

import json
import signal
import sqlite3
import sys
import time

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.processes import barrier, spawn

from stockrnn.cli.main import app

pytest.importorskip("optuna")
runner = cli_runner()
SMALL = """
hidden = 4
layers = 1
batch_size = 32
[window]
choices = [5, 10]
[lr]
low = 1e-4
high = 0.3
log = true
"""


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(400, seed=1))
    (tmp_path / "space.toml").write_text(SMALL)
    return tmp_path


def tune_argv(ws, *extra: str, db: str = "tune.db", trials: int = 3) -> list[str]:
    return [
        "tune",
        *("AAA", "--trials", str(trials), "--folds", "2", "--epochs", "3"),
        *("--space", str(ws / "space.toml"), "--storage", f"sqlite:///{ws / db}"),
        *("--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")),
        *extra,
    ]


def tune(ws, *extra: str, **kw):
    res = runner.invoke(app, [*tune_argv(ws, *extra, **kw), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def trials(ws, db: str = "tune.db") -> list[tuple[int, str, float | None]]:
    with sqlite3.connect(ws / db) as con:
        rows = con.execute(
            "SELECT t.number, t.state, v.value FROM trials t "
            "LEFT JOIN trial_values v ON v.trial_id = t.trial_id ORDER BY t.number"
        ).fetchall()
    return [(n, state, value) for n, state, value in rows]


def test_search_never_reads_test_or_validation_days(ws) -> None:
    first = tune(ws, db="a.db")
    span_end = first["tuning_span"][1]
    split = first["final"]["meta"]["split"]
    assert span_end <= split["train_end"] < split["val_end"]
    frame = make_bars(400, seed=1)
    frame.loc[frame.index > split["train_end"], ["open", "high", "low", "close"]] *= 1.37
    cache_bars(ws / "data", "AAA", frame)  # every day after the training end changed
    second = tune(ws, db="b.db")
    assert trials(ws, "a.db") == trials(ws, "b.db")  # same proposals, same scores
    assert second["final"]["meta"]["metrics"] != first["final"]["meta"]["metrics"]


def test_same_seed_same_study_and_resume(ws) -> None:
    tune(ws, db="a.db", trials=2)
    tune(ws, db="b.db", trials=2)
    assert trials(ws, "a.db") == trials(ws, "b.db") and len(trials(ws, "a.db")) == 2
    report = tune(ws, db="a.db", trials=4)  # resumes: two more trials, the first two kept
    rows = trials(ws, "a.db")
    assert [n for n, _, _ in rows] == [0, 1, 2, 3] and rows[:2] == trials(ws, "b.db")
    assert sum(report["counts"].values()) == 4


@pytest.mark.slow
def test_two_processes_share_one_study(ws) -> None:
    argv = [*tune_argv(ws, trials=6, db="shared.db"), "--seed", "7"]
    # both wait at their first trial until the other is there too (tests/helpers/barrier.py)
    procs = [spawn(argv, ws, barrier(ws, 2)) for _ in range(2)]
    outs = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    assert all(code == 0 for code, _ in outs), outs
    rows = trials(ws, "shared.db")
    finished = [r for r in rows if r[1] in ("COMPLETE", "PRUNED")]
    assert len(finished) == 6 and [r[0] for r in finished] == list(range(6))
    assert not [r for r in rows if r[1] == "RUNNING"]
    with sqlite3.connect(ws / "shared.db") as con:
        workers = {
            v
            for (v,) in con.execute(
                "SELECT value_json FROM trial_user_attributes WHERE key = 'worker'"
            )
        }
    assert len(workers) == 2  # both processes ran trials of the one study


def test_pruning_prunes(ws) -> None:
    report = tune(ws, trials=12, db="p.db")
    assert report["counts"].get("pruned", 0) >= 1, report["counts"]
    assert report["counts"].get("complete", 0) >= 3


def test_saved_best_loads_and_predicts(ws) -> None:
    report = tune(ws, "--save-best", "best")
    meta = json.loads((ws / "models" / "best" / "meta.json").read_text())
    best = min((t for t in report["top"] if t["state"] == "complete"), key=lambda t: t["value"])
    assert meta["tuned"]["trial"] == best["number"]
    assert meta["tuned"]["study"].startswith("tune-AAA-")
    assert meta["data"]["window"] == best["params"]["window"]
    res = runner.invoke(
        app,
        [
            "predict",
            "AAA",
            "--model",
            "best",
            "--data-dir",
            str(ws / "data"),
            "--models-dir",
            str(ws / "models"),
        ],
    )
    assert res.exit_code == 0, res.output
    again = runner.invoke(app, tune_argv(ws, "--save-best", "best"))
    assert again.exit_code == 2 and "--overwrite" in again.stderr


@pytest.mark.slow
def test_ctrl_c_stops_after_the_current_trial(ws) -> None:
    proc = spawn(tune_argv(ws, trials=200, db="c.db"), ws)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            if any(s == "COMPLETE" for _, s, _ in trials(ws, "c.db")):
                break
        except sqlite3.OperationalError:  # the file or its tables are not there yet
            continue
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "study 'tune-AAA-" in err and "is kept" in err, err
    rows = trials(ws, "c.db")
    assert rows and all(s in ("COMPLETE", "PRUNED") for _, s, _ in rows)
    assert not (ws / "models" / "best").exists()


@pytest.mark.parametrize(
    ("space", "storage", "text"),
    [
        ("hidden = 'big'\n", None, "space: hidden takes int values"),
        ("depth = 3\n", None, "unknown parameter(s) depth"),
        ("[lr]\nlow = 1\nhigh = 0.1\n", None, "needs low < high"),
        ("[cell]\nchoices = ['transformer']\n", None, "cell must be one of"),
        ("not toml [", None, "is not valid TOML or JSON"),
        (None, "notadb://x", "cannot open the study"),
        (None, "sqlite:////no/such/dir/t.db", "cannot open the study"),
    ],
)
def test_bad_space_or_storage_is_one_line(ws, space, storage, text) -> None:
    if space is not None:
        (ws / "space.toml").write_text(space)
    argv = tune_argv(ws)
    if storage is not None:
        argv[argv.index("--storage") + 1] = storage
    res = runner.invoke(app, argv)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], res.stderr


def test_without_optuna_says_how_to_install(ws, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    res = runner.invoke(app, tune_argv(ws))
    assert res.exit_code == 1 and "pip install 'stockrnn[tune]'" in res.stderr


def test_a_study_is_never_resumed_under_other_settings(ws) -> None:
    """Trials scored on another split's folds (reaching into this split's test span) must
    never mix with this run's: a named study refuses them, a default name is per settings."""
    first = tune(ws, "--study", "s", db="s.db", trials=2)
    rows = trials(ws, "s.db")
    other = runner.invoke(app, tune_argv(ws, "--study", "s", "--split", "0.5,0.25,0.25", db="s.db"))
    assert other.exit_code == 2 and "study 's' was run on other data or settings" in other.stderr
    assert "split" in other.stderr and trials(ws, "s.db") == rows  # nothing added
    more = tune(ws, "--epochs", "2", db="s.db", trials=1)  # default name: a study of its own
    assert more["study"] != first["study"] and len(trials(ws, "s.db")) == 3
    with sqlite3.connect(ws / "s.db") as con:
        spans = con.execute("SELECT value_json FROM trial_user_attributes WHERE key = 'span'")
        assert len(spans.fetchall()) == 3
