"""Models are never lost, never written outside their folder, and always listable."""

import json
import os

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv
from helpers.processes import spawn

from stockrnn.checkpoint import store, weights
from stockrnn.cli.main import app
from stockrnn.model import loop
from stockrnn.pipelines import train

runner = cli_runner()


def train_args(ws, *extra: str) -> list[str]:
    return train_argv(ws / "data", ws / "models", *extra)


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(120, seed=1))
    return tmp_path


def meta_bytes(ws, name="default") -> bytes:
    return (ws / "models" / name / "meta.json").read_bytes()


def test_existing_name_needs_overwrite(ws) -> None:
    assert runner.invoke(app, train_args(ws)).exit_code == 0
    before = meta_bytes(ws)
    res = runner.invoke(app, train_args(ws, "--seed", "3"))
    assert res.exit_code == 2 and "--overwrite" in res.stderr
    assert meta_bytes(ws) == before
    res = runner.invoke(app, train_args(ws, "--seed", "3", "--overwrite"))
    assert res.exit_code == 0 and meta_bytes(ws) != before
    assert json.loads(meta_bytes(ws))["train"]["seed"] == 3


def test_interrupted_retrain_keeps_the_existing_model(small_request) -> None:
    first = train.run(small_request(epochs=2))
    before = (first_dir := small_request().models_dir / "m" / "meta.json").read_bytes()

    def interrupt(e) -> None:
        if e.epoch == 2:
            raise KeyboardInterrupt

    again = small_request(epochs=10, overwrite=True)
    summary = train.run(again, loop.FitHooks(on_epoch=interrupt))
    assert first_dir.read_bytes() == before  # the old model is untouched
    assert summary.meta.name == "m-interrupted" and "interrupted" in (summary.saved_note or "")
    assert weights.load(again.models_dir, "m-interrupted")[1].fit.interrupted
    assert first.meta.name == "m"


def test_rival_save_during_training_is_kept_and_this_run_told(small_request) -> None:
    rival = {}

    def rival_saves(e) -> None:
        if e.epoch == 1 and not rival:
            rival["summary"] = train.run(small_request(epochs=1))

    summary = train.run(small_request(epochs=2), loop.FitHooks(on_epoch=rival_saves))
    models = small_request().models_dir
    assert weights.load(models, "m")[1].fit.epochs_run == 1  # the rival won whole
    assert summary.meta.name == "m-2" and "another process saved" in (summary.saved_note or "")
    assert weights.load(models, "m-2")[1].fit.epochs_run == 2


@pytest.mark.slow
def test_two_concurrent_trains_of_one_name(ws) -> None:
    procs = [spawn(train_args(ws, "--seed", str(s)), ws) for s in (1, 2)]
    outs = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    winners = [err for code, err in outs if code == 0 and "note:" not in err]
    told = [
        err
        for code, err in outs
        if (code == 0 and "saved as 'default-2'" in err) or (code == 2 and "already exists" in err)
    ]
    assert len(winners) == 1 and len(told) == 1, outs
    weights.load(ws / "models", "default")


def test_models_rm_and_mv(ws) -> None:
    models = ws / "models"
    assert runner.invoke(app, train_args(ws, "--name", "a")).exit_code == 0
    assert runner.invoke(app, train_args(ws, "--name", "b")).exit_code == 0
    mv = runner.invoke(app, ["models", "mv", "a", "b", "--models-dir", str(models)])
    assert mv.exit_code == 2 and "already exists" in mv.stderr
    assert (
        runner.invoke(app, ["models", "mv", "a", "c", "--models-dir", str(models)]).exit_code == 0
    )
    assert store.list_names(models) == ["b", "c"]
    weights.load(models, "c")
    assert runner.invoke(app, ["models", "rm", "b", "--models-dir", str(models)]).exit_code == 0
    assert store.list_names(models) == ["c"] and not (models / "b").exists()
    gone = runner.invoke(app, ["models", "rm", "zzz", "--models-dir", str(models)])
    assert gone.exit_code == 10 and "no model named 'zzz'" in gone.stderr
    bad = runner.invoke(app, ["models", "mv", "c", "NUL", "--models-dir", str(models)])
    assert bad.exit_code == 2 and "reserved" in bad.stderr
    listed = runner.invoke(app, ["models", "--models-dir", str(models)])
    assert listed.exit_code == 0 and "c" in listed.stdout


def test_models_table_survives_broken_meta(ws) -> None:
    models = ws / "models"
    for name in ("good", "garbled", "hollow"):
        assert runner.invoke(app, train_args(ws, "--name", name)).exit_code == 0
    (models / "garbled" / "meta.json").write_text("{not json [bold]")
    hollow = json.loads((models / "hollow" / "meta.json").read_text())
    hollow["metrics"] = {}
    (models / "hollow" / "meta.json").write_text(json.dumps(hollow))
    res = runner.invoke(app, ["models", "--models-dir", str(models)])
    assert res.exit_code == 0 and "Traceback" not in res.output
    assert "good" in res.stdout and res.stdout.count("unreadable") == 2
    rows = json.loads(runner.invoke(app, ["models", "--json", "--models-dir", str(models)]).stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["good"]["error"] is None and by_name["good"]["cell"] == "lstm"
    assert "not valid JSON" in by_name["garbled"]["error"]
    assert "'metrics.per_ticker' is missing" in by_name["hollow"]["error"]


def test_model_folder_symlink_is_never_followed(ws, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "weights-000000000000.safetensors").write_bytes(b"precious")
    (outside / "notes.txt").write_text("mine")
    (ws / "models").mkdir()
    os.symlink(outside, ws / "models" / "linked")
    res = runner.invoke(app, train_args(ws, "--name", "linked", "--overwrite"))
    assert res.exit_code == 11 and "symbolic link" in res.stderr
    assert sorted(p.name for p in outside.iterdir()) == [
        "notes.txt",
        "weights-000000000000.safetensors",
    ]
    for argv in (["rm", "linked"], ["mv", "linked", "x"]):
        res = runner.invoke(app, ["models", *argv, "--models-dir", str(ws / "models")])
        assert res.exit_code == 11 and "symbolic link" in res.stderr
    assert (outside / "notes.txt").read_text() == "mine"
    listed = runner.invoke(app, ["models", "--models-dir", str(ws / "models")])
    assert "linked" not in listed.stdout


def test_data_symlinks_are_never_followed(ws, tmp_path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("private")
    data = ws / "data"
    os.symlink(outside, data / "BBB.csv")
    (data / "BBB.json").write_text((data / "AAA.json").read_text().replace("AAA", "BBB"))
    res = runner.invoke(app, ["fetch", "BBB", "--source", "sample", "--data-dir", str(data)])
    assert res.exit_code != 0 and "symbolic link" in res.stderr
    assert outside.read_text() == "private"
    os.symlink(outside, data / ".AAA.lock")
    csv = tmp_path / "new.csv"
    make_bars(60, seed=3).to_csv(csv, index_label="Date")
    res = runner.invoke(app, ["fetch", "AAA", "--csv", str(csv), "--data-dir", str(data)])
    assert res.exit_code == 11 and "symbolic link" in res.stderr
    assert outside.read_text() == "private"


@pytest.mark.parametrize("name", ["CON", "aux", "COM3", "lpt1.x", "model."])
def test_reserved_model_names_refused(ws, name) -> None:
    res = runner.invoke(app, train_args(ws, "--name", name))
    assert res.exit_code == 2 and not (ws / "models").exists()


def test_refused_fetch_leaves_no_file(tmp_path, fake_yahoo) -> None:
    data = tmp_path / "data"
    res = runner.invoke(app, ["fetch", "ZZZZ", "--data-dir", str(data)])
    assert res.exit_code == 6 and not data.exists()
    data.mkdir()
    res = runner.invoke(app, ["fetch", "ZZZZ", "--data-dir", str(data)])
    assert res.exit_code == 6 and list(data.iterdir()) == []
