import json
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from curl_cffi.requests.exceptions import DNSError
from helpers.cli import cli_runner
from helpers.processes import pausing, spawn, wait_for

from stockrnn.cli.main import app
from stockrnn.data import cache

runner = cli_runner()


def test_help_lists_every_command_and_version() -> None:
    res = runner.invoke(app, ["--help"])
    for cmd in ("fetch", "list", "train", "models", "predict", "backtest"):
        assert cmd in res.stdout
    assert runner.invoke(app, ["--version"]).stdout.startswith("stockrnn 0.")


def test_cli_import_loads_no_heavy_module() -> None:
    code = (
        "import sys, stockrnn.cli; print(','.join(m for m in ('torch','pandas','yfinance',"
        "'sklearn','numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_fetch_sample_then_list(tmp_path) -> None:
    res = runner.invoke(
        app, ["fetch", "AAPL", "MSFT", "--source", "sample", "--data-dir", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["list", "--data-dir", str(tmp_path)])
    assert "AAPL" in res.stdout and "MSFT" in res.stdout
    rows = json.loads(runner.invoke(app, ["list", "--json", "--data-dir", str(tmp_path)]).stdout)
    assert [r["symbol"] for r in rows] == ["AAPL", "MSFT"]


def test_data_dir_from_environment(tmp_path) -> None:
    res = runner.invoke(
        app,
        ["fetch", "IBM", "--source", "sample", "--json"],
        env={"STOCKRNN_DATA": str(tmp_path / "d")},
    )
    assert res.exit_code == 0
    assert json.loads(res.stdout)[0]["rows"] > 3000
    assert (tmp_path / "d" / "IBM.csv").exists()


def test_offline_is_one_line_and_nothing_written(tmp_path, fake_yahoo) -> None:
    fake_yahoo.errors["AAPL"] = DNSError(
        "curl: (6) Could not resolve host: query2.finance.yahoo.com"
    )
    res = runner.invoke(app, ["fetch", "AAPL", "--data-dir", str(tmp_path / "data")])
    assert res.exit_code == 4
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "--source sample" in lines[0] and "--csv" in lines[0]
    assert "Traceback" not in res.output
    assert not (tmp_path / "data" / "AAPL.csv").exists()


def test_invalid_ticker_exit_code(tmp_path) -> None:
    res = runner.invoke(app, ["fetch", "../etc", "--source", "sample", "--data-dir", str(tmp_path)])
    assert res.exit_code == 3 and "not a ticker symbol" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_csv_import_real_file(tmp_path, shared_ohlcv) -> None:
    res = runner.invoke(
        app,
        ["fetch", "^gspc", "--csv", str(shared_ohlcv / "GSPC.csv"), "--data-dir", str(tmp_path)],
    )
    assert res.exit_code == 0, res.output
    frame, man = cache.load(tmp_path, "^GSPC")
    assert (tmp_path / "_GSPC.csv").exists() and man.rows == len(frame) == 4528


def _sample_frame(tmp_path):
    runner.invoke(app, ["fetch", "AAPL", "--source", "sample", "--data-dir", str(tmp_path)])
    return cache.load(tmp_path, "AAPL")[0]


@pytest.mark.slow
def test_killed_write_leaves_old_file_intact(tmp_path, bars) -> None:
    data = tmp_path / "data"
    old = _sample_frame(data)
    before = (data / "AAPL.csv").read_bytes()
    new_csv = tmp_path / "new.csv"
    bars(100).to_csv(new_csv, index_label="Date")
    marker = tmp_path / "paused"
    proc = spawn(
        ["fetch", "AAPL", "--csv", str(new_csv), "--data-dir", str(data)],
        tmp_path,
        pausing(marker),
    )
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert (data / "AAPL.csv").read_bytes() == before
    frame, _ = cache.load(data, "AAPL")
    pd.testing.assert_frame_equal(frame, old)


@pytest.mark.slow
def test_concurrent_fetches_take_turns(tmp_path, bars) -> None:
    data = tmp_path / "data"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    bars(80, seed=1).to_csv(a, index_label="Date")
    bars(90, seed=2).to_csv(b, index_label="Date")
    marker = tmp_path / "paused"
    first = spawn(
        ["fetch", "X", "--csv", str(a), "--data-dir", str(data)], tmp_path, pausing(marker)
    )
    wait_for(marker, first)
    second = spawn(["fetch", "X", "--csv", str(b), "--data-dir", str(data)], tmp_path)
    time.sleep(3)
    assert second.poll() is None  # waiting on the lock the first one holds
    first.kill()
    first.communicate()
    second.communicate(timeout=60)
    assert second.returncode == 0
    frame, man = cache.load(data, "X")
    assert man.rows == 90 == len(frame)
