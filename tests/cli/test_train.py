import json
import signal

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv
from helpers.processes import pausing, spawn, wait_for

from stockrnn.checkpoint import store, weights
from stockrnn.cli.main import app

runner = cli_runner()


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    cache_bars(tmp_path / "data", "BBB", make_bars(280, seed=2))
    return tmp_path


def args(ws, *extra):
    return train_argv(ws / "data", ws / "models", *extra, window=10, hidden=8, epochs=2)


def test_train_prints_table_beside_naive_and_saves(ws) -> None:
    res = runner.invoke(app, args(ws, "--cell", "gru"))
    assert res.exit_code == 0, res.output
    assert "AAA model" in res.stdout and "naive" in res.stdout and "overall" in res.stdout
    assert "naive" in res.stderr and "saved" in res.stderr
    listed = runner.invoke(app, ["models", "--models-dir", str(ws / "models")])
    assert "default" in listed.stdout and "gru" in listed.stdout


def test_train_json_and_one_ticker(ws) -> None:
    res = runner.invoke(app, args(ws, "-t", "aaa", "--json", "--name", "solo"))
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert [t["symbol"] for t in summary["meta"]["tickers"]] == ["AAA"]
    assert set(summary["meta"]["metrics"]["per_ticker"]) == {"AAA"}


@pytest.mark.parametrize(
    ("extra", "msg"),
    [
        (["--hidden", "0"], "--hidden"),
        (["--dropout", "1.5"], "--dropout"),
        (["--window", "1"], "--window"),
        (["--split", "0.5,0.2,0.2"], "sum to 1"),
        (["--split", "abc"], "three fractions"),
        (["--layers", "0"], "--layers"),
        (["--epochs", "0"], "--epochs"),
        (["--lr", "-1"], "--lr"),
        (["--train-end", "2020-06-01", "--val-end", "2020-03-01"], "before --val-end"),
        (["--name", "../evil"], "model name"),
        (["../x"], "not a ticker"),
        (["--nonlinearity", "relu"], "rnn only"),
    ],
)
def test_bad_options_refused_before_work(ws, extra, msg) -> None:
    res = runner.invoke(app, args(ws, *extra))
    assert res.exit_code in (2, 3), res.output
    assert msg in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (ws / "models").exists()


def test_no_cached_data_points_to_fetch(tmp_path) -> None:
    res = runner.invoke(
        app, ["train", "--data-dir", str(tmp_path / "d"), "--models-dir", str(tmp_path / "m")]
    )
    assert res.exit_code == 8 and "stockrnn fetch" in res.stderr


def test_unknown_ticker_points_to_fetch(ws) -> None:
    res = runner.invoke(app, args(ws, "ZZZ"))
    assert res.exit_code == 9 and "stockrnn fetch ZZZ" in res.stderr


@pytest.mark.slow
def test_killed_checkpoint_write_keeps_previous(ws) -> None:
    assert runner.invoke(app, args(ws)).exit_code == 0
    before = store.read_meta(ws / "models", "default")
    marker = ws / "paused"
    proc = spawn(args(ws, "--seed", "9", "--overwrite"), ws, pausing(marker))
    wait_for(marker, proc, timeout=120)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    model, meta = weights.load(ws / "models", "default")
    assert meta == before and meta.train.seed == 42


def test_cuda_requested_without_gpu(ws) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    res = runner.invoke(app, args(ws, "--device", "cuda"))
    assert res.exit_code == 2 and "no CUDA device" in res.stderr
    assert not (ws / "models").exists()


def test_timings_account_for_the_time_outside_the_epochs(ws) -> None:
    """--timings: the harness's keys, each epoch's passes, and where the rest went (loading,
    preparing, evaluating), each of it measured and recorded in the checkpoint alike."""
    out = ws / "t.json"
    res = runner.invoke(app, args(ws, "--timings", str(out), "--patience", "5"))
    assert res.exit_code == 0, res.output
    t = json.loads(out.read_text())
    meta = store.read_meta(ws / "models", "default")
    assert t["epochs"] == 2 and len(t["epoch_s"]) == len(t["val_s"]) == 2
    assert t["samples_seen"] == 2 * meta.samples["train"]
    for key in ("train_s", "prepare_s", "load_s", "evaluate_s"):
        assert 0 < t[key] == getattr(meta.fit.timings, key), key
    assert t["train_s"] >= sum(t["epoch_s"]) + sum(t["val_s"])
