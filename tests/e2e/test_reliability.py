"""Bad input, faults and hostile files across commands: one line, an exit code, nothing lost."""

import errno
import hashlib
import json
import os
import signal
import time

import pytest
from curl_cffi.requests.exceptions import DNSError
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv
from helpers.processes import pausing, spawn, wait_for
from yfinance.exceptions import YFRateLimitError

from stockrnn.cli.main import app
from stockrnn.common import atomic
from stockrnn.data import cache

runner = cli_runner()


def snapshot(folder):
    if not folder.exists():
        return {}
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def one_line(res, code: int, text: str) -> None:
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], res.stderr
    assert "Traceback" not in res.output


def tiny_train(data, models) -> list[str]:
    return train_argv(data, models)


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    cache_bars(d, "AAA", make_bars(100, seed=1))
    return d


@pytest.mark.parametrize("ticker", ["", "../x", "A/B", "X" * 200, "ÄÖÜ", "A\tB", "A\x1b[31m"])
def test_bad_tickers(data, ticker) -> None:
    before = snapshot(data)
    res = runner.invoke(app, ["fetch", ticker, "--source", "sample", "--data-dir", str(data)])
    one_line(res, 3, "ticker")
    assert snapshot(data) == before


@pytest.mark.parametrize(
    ("setup", "argv", "code", "text"),
    [
        ("unknown", ["fetch", "ZZZZ"], 6, "unknown or delisted"),
        ("offline", ["fetch", "AAA"], 4, "--source sample"),
        ("ratelimit", ["fetch", "AAA"], 5, "rate limiting"),
        (None, ["fetch", "AAA", "--start", "2024-05-04", "--end", "2024-05-05"], 7, "no XNYS"),
        (None, ["fetch", "AAA", "--start", "2024-05-09", "--end", "2024-05-01"], 7, "is after"),
        (None, ["fetch", "AAA", "--start", "2024-13-01"], 2, "Invalid value"),
    ],
)
def test_yahoo_failures_change_nothing(data, fake_yahoo, setup, argv, code, text) -> None:
    if setup == "offline":
        fake_yahoo.errors["AAA"] = DNSError("curl: (6) Could not resolve host: query2")
    elif setup == "ratelimit":
        fake_yahoo.errors["AAA"] = YFRateLimitError()
    before = snapshot(data)
    res = runner.invoke(app, [*argv, "--full", "--data-dir", str(data)])
    assert res.exit_code == code, res.output
    assert text in res.stderr and "Traceback" not in res.output
    assert snapshot(data) == before


CSV_CASES = {
    "empty": (b"", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    "missing": (b"Date,Open,Close\n2020-01-02,1,1\n", "missing column"),
    "nonnumeric": (
        b"Date,Open,High,Low,Close\n2020-01-02,1,abc,1,1\n2020-01-03,1,1,1,1\n",
        "non-numeric",
    ),
    "duplicates": (
        b"Date,Open,High,Low,Close\n2020-01-02,1,2,1,1\n2020-01-02,1,3,1,2\n",
        "repeated",
    ),
    "allnan": (b"Date,Open,High,Low,Close\n2020-01-02,,,,\n2020-01-03,,,,\n", "no valid rows"),
    "single": (b"Date,Open,High,Low,Close\n2020-01-02,1,2,1,1\n", "only 1 row"),
    "latin1": ("Date,Open,High,Low,Close\n2020-01-02,1,2,1,1\xe9\n".encode("latin-1"), "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_bad_csv_imports(data, tmp_path, case) -> None:
    raw, text = CSV_CASES[case]
    path = tmp_path / f"{case}.csv"
    path.write_bytes(raw)
    before = snapshot(data)
    res = runner.invoke(app, ["fetch", "AAA", "--csv", str(path), "--data-dir", str(data)])
    one_line(res, 8, text)
    assert snapshot(data) == before


def test_missing_csv_file(data, tmp_path) -> None:
    res = runner.invoke(
        app, ["fetch", "AAA", "--csv", str(tmp_path / "nope.csv"), "--data-dir", str(data)]
    )
    one_line(res, 8, "cannot read")


def test_data_dir_not_writable(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = runner.invoke(
        app, ["fetch", "AAA", "--source", "sample", "--data-dir", str(blocker / "data")]
    )
    one_line(res, 11, "cannot write")


def test_models_dir_not_writable(data, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = runner.invoke(
        app,
        tiny_train(data, blocker),
    )
    one_line(res, 11, "cannot write")


def reimport(data, tmp_path):
    new = tmp_path / "new.csv"
    make_bars(60, seed=5).to_csv(new, index_label="Date")
    return runner.invoke(app, ["fetch", "AAA", "--csv", str(new), "--data-dir", str(data)])


def test_full_disk_keeps_previous_files(data, tmp_path, monkeypatch) -> None:
    before = snapshot(data)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    res = reimport(data, tmp_path)
    assert res.exit_code == 11 and "no space left on device" in res.stderr
    assert snapshot(data) == before
    assert not [p for p in data.iterdir() if ".tmp-" in p.name]


def test_permission_denied_on_rename(data, tmp_path, monkeypatch) -> None:
    before = snapshot(data)

    def denied(src, dst) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", denied)
    res = reimport(data, tmp_path)
    assert res.exit_code == 11 and "permission denied" in res.stderr
    assert snapshot(data) == before


def test_hostile_checkpoint_via_cli(data, tmp_path) -> None:
    models = tmp_path / "models"
    assert (
        runner.invoke(
            app,
            tiny_train(data, models),
        ).exit_code
        == 0
    )
    meta = json.loads((models / "default" / "meta.json").read_text())
    (models / "default" / meta["weights_file"]).write_bytes(b"\x80\x04K\x01.")  # a pickle
    res = runner.invoke(
        app, ["predict", "AAA", "--data-dir", str(data), "--models-dir", str(models)]
    )
    one_line(res, 10, "truncated or tampered")
    listed = runner.invoke(app, ["models", "--models-dir", str(models)])
    assert listed.exit_code == 0 and "default" in listed.stdout


@pytest.mark.slow
def test_ctrl_c_during_fetch_keeps_previous(data, tmp_path) -> None:
    before = snapshot(data)
    new = tmp_path / "new.csv"
    make_bars(50, seed=7).to_csv(new, index_label="Date")
    marker = tmp_path / "paused"
    proc = spawn(
        ["fetch", "AAA", "--csv", str(new), "--data-dir", str(data)], tmp_path, pausing(marker)
    )
    wait_for(marker, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err
    assert snapshot(data) == before
    assert not [p for p in data.iterdir() if ".tmp-" in p.name]


@pytest.mark.slow
def test_ctrl_c_during_train_keeps_best_so_far(tmp_path) -> None:
    data = tmp_path / "data"
    cache_bars(data, "AAA", make_bars(300, seed=1))
    argv = [*tiny_train(data, tmp_path / "models"), "--epochs", "100000", "--patience", "100000"]
    # Off a terminal the progress bar is silent, so wait a while; if Ctrl-C still lands
    # before the first epoch (a slow machine), the run exits 130 with nothing saved: wait longer.
    for wait in (8, 20, 40):
        proc = spawn(argv, tmp_path)
        time.sleep(wait)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 130:
            break
        assert not (tmp_path / "models" / "default" / "meta.json").exists()
    assert proc.returncode == 0, err
    assert "interrupted: kept the best so far" in err
    meta = json.loads((tmp_path / "models" / "default" / "meta.json").read_text())
    assert meta["fit"]["interrupted"] and meta["fit"]["best_epoch"] >= 1
    from stockrnn.checkpoint import weights

    weights.load(tmp_path / "models", "default")


def test_store_survives_stale_temp_files(data) -> None:
    (data / f".AAA.csv.tmp-{os.getpid() + 1}").write_bytes(b"half a file")
    frame, _ = cache.load(data, "AAA")
    assert len(frame) == 100
