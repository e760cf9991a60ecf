"""The field's conventions and daily use: percent levels named lo-80/hi-80, the long export,
one name per idea (old spellings still work, with a note), help and completion, and the
commands that act on everything cached or trained when no ticker is given."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner

from stockrnn.cli.main import app

runner = cli_runner()
SMALL = ["--window", "5", "--epochs", "1", "--hidden", "4"]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("conv")
    for i, symbol in enumerate(("AAA", "BBB")):
        cache_bars(root / "data", symbol, make_bars(260, seed=i + 1))
    got = cli(root, "train", "AAA", "BBB", *SMALL)  # positional tickers on train
    assert got.exit_code == 0, got.output
    return root


def cli(ws, *argv, **kw):
    dirs = ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    return runner.invoke(app, [*argv, *dirs], **kw)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_levels_in_percent_several_at_once(ws) -> None:
    got = cli(ws, "predict", "AAA", "--level", "80", "--level", "95", "--format", "csv")
    assert got.exit_code == 0, got.output
    row = rows(got.stdout)[0]
    assert {"lo-80", "hi-80", "lo-95", "hi-95"} <= set(row)
    lo95, lo80, close, hi80, hi95 = (
        float(row[k]) for k in ("lo-95", "lo-80", "close", "hi-80", "hi-95")
    )
    assert lo95 < lo80 < close < hi80 < hi95
    table = cli(ws, "predict", "AAA", "--level", "95", "--level", "80").stdout
    assert all(h in table for h in ("lo-80", "hi-80", "lo-95", "hi-95"))


def test_a_fraction_is_read_as_its_percent_with_a_note(ws) -> None:
    old = cli(ws, "predict", "AAA", "--level", "0.9", "--format", "json")
    new = cli(ws, "predict", "AAA", "--level", "90", "--format", "json")
    assert old.exit_code == 0 and old.stdout == new.stdout
    assert "--level 0.9 read as 90 percent" in old.stderr and new.stderr.count("note:") < 2


def test_long_export_csv_and_parquet(ws) -> None:
    out = ws / "f.csv"
    got = cli(ws, "predict", "--horizon", "3", "--level", "80", "--level", "95", "--out", str(out))
    assert got.exit_code == 0, got.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == [
        "unique_id",
        "ds",
        "default",
        "default-lo-80",
        "default-hi-80",
        "default-lo-95",
        "default-hi-95",
        "naive",
        "drift",
    ]
    assert sorted(set(frame["unique_id"])) == ["AAA", "BBB"] and len(frame) == 6
    pytest.importorskip("pyarrow")
    pq = ws / "f.parquet"
    assert cli(ws, "predict", "--horizon", "3", "--out", str(pq)).exit_code == 0
    back = pd.read_parquet(pq)
    assert list(back["default"]) == pytest.approx(list(frame["default"]))
    long = cli(ws, "predict", "AAA", "--horizon", "3", "--format", "long")
    assert rows(long.stdout)[0].keys() >= {"unique_id", "ds", "default", "default-lo-80"}


def test_backtest_long_export_has_cutoff_and_y(ws) -> None:
    out = ws / "bt.csv"
    got = cli(ws, "backtest", "AAA", "--model", "default", "--horizon", "2", "--out", str(out))
    assert got.exit_code == 0, got.output
    frame = pd.read_csv(out, parse_dates=["ds", "cutoff"])
    assert list(frame.columns[:5]) == ["unique_id", "ds", "cutoff", "y", "default"]
    assert {"default-lo-80", "default-hi-80", "naive", "drift"} <= set(frame.columns)
    assert (frame["ds"] > frame["cutoff"]).all()
    steps = frame.groupby("cutoff").size()
    assert steps.max() == 2


def test_horizon_on_predict_and_the_old_days(ws) -> None:
    new = cli(ws, "predict", "AAA", "--horizon", "4", "--format", "json")
    old = cli(ws, "predict", "AAA", "--days", "4", "--format", "json")
    assert new.stdout == old.stdout and len(json.loads(new.stdout)) == 4
    assert "--days still works; it is --horizon now" in old.stderr
    assert "--days" not in new.stderr


@pytest.mark.parametrize(("old", "new"), [("--json", "json"), ("--csv", "csv")])
def test_format_and_the_old_flags(ws, old, new) -> None:
    a = cli(ws, "predict", "AAA", old)
    b = cli(ws, "predict", "AAA", "--format", new)
    assert a.exit_code == 0 and a.stdout == b.stdout
    assert f"{old} still works" in a.stderr and "--format" in a.stderr


def test_train_and_tune_take_positional_tickers_and_the_old_flag(ws) -> None:
    got = cli(ws, "train", "-t", "AAA", "--name", "old", *SMALL)
    assert got.exit_code == 0, got.output
    assert "-t/--ticker still works; tickers are arguments now: AAA" in got.stderr
    meta = json.loads((ws / "models" / "old" / "meta.json").read_text())
    assert [t["symbol"] for t in meta["tickers"]] == ["AAA"]
    both = cli(ws, "train", "AAA", "-t", "BBB", "--name", "x", *SMALL)
    assert both.exit_code == 2 and both.stderr.strip() == (
        "error: give tickers as arguments or with -t, not both"
    )


def test_predict_without_a_ticker_forecasts_every_ticker_of_the_model(ws) -> None:
    got = cli(ws, "predict", "--format", "json", "--horizon", "2")
    assert got.exit_code == 0, got.output
    assert sorted({r["ticker"] for r in json.loads(got.stdout)}) == ["AAA", "BBB"]


def test_fetch_without_a_ticker_refreshes_every_cached_one(tmp_path) -> None:
    data = tmp_path / "data"
    dirs = ["--data-dir", str(data)]
    assert runner.invoke(app, ["fetch", "AAPL", "MSFT", "--source", "sample", *dirs]).exit_code == 0
    mine = tmp_path / "mine.csv"
    make_bars(60, seed=3).to_csv(mine, index_label="Date")
    assert runner.invoke(app, ["fetch", "OWN", "--csv", str(mine), *dirs]).exit_code == 0
    before = (data / "OWN.csv").read_bytes()
    got = runner.invoke(app, ["fetch", "--json", *dirs])
    assert got.exit_code == 0, got.output
    done = {r["symbol"]: r for r in json.loads(got.stdout)}
    assert set(done) == {"AAPL", "MSFT"}  # each from its own source: the sample
    assert all(r["source"] == "sample" for r in done.values())
    assert "OWN" in got.stderr and "skipped" in got.stderr  # a CSV import cannot refresh
    assert (data / "OWN.csv").read_bytes() == before


def test_fetch_without_a_ticker_and_nothing_cached_says_what_to_do(tmp_path) -> None:
    got = runner.invoke(app, ["fetch", "--data-dir", str(tmp_path / "d")])
    assert got.exit_code == 2
    assert "stockrnn fetch AAPL" in got.stderr and len(got.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["-h"], ["train", "-h"], ["models", "-h"]])
def test_short_help(argv) -> None:
    short = runner.invoke(app, argv)
    long = runner.invoke(app, [*argv[:-1], "--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "Usage" in short.stdout


def test_completion_is_offered() -> None:
    text = runner.invoke(app, ["--help"], env={"COLUMNS": "120"}).stdout
    assert "--install-completion" in text and "--show-completion" in text


def test_train_help_groups_options_into_panels_with_readable_metavars() -> None:
    text = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "160"}).stdout
    for panel in ("Model", "Training", "Data", "Output", "Hardware"):
        assert f"{panel} options:" in text, panel
    assert "TICKER..." in text and "NAME" in text and "tanh|relu" in text
    assert "list[str]" not in text
    assert "Opt-in" in text and "--cuda-graphs" in text


@pytest.mark.parametrize("command", ["predict", "backtest"])
def test_help_says_charts_go_to_stderr(command) -> None:
    text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "160"}).stdout
    assert "--plot" in text and "stderr" in text


def test_refresh_names_the_tickers_it_cannot_read(tmp_path) -> None:
    data = tmp_path / "data"
    dirs = ["--data-dir", str(data)]
    assert runner.invoke(app, ["fetch", "AAPL", "IBM", "--source", "sample", *dirs]).exit_code == 0
    (data / "IBM.json").write_text("{broken")
    got = runner.invoke(app, ["fetch", *dirs])
    assert got.exit_code == 0 and "IBM skipped:" in got.stderr


def test_an_out_suffix_that_would_get_the_wrong_bytes_is_refused(ws) -> None:
    got = cli(ws, "predict", "AAA", "--out", str(ws / "f.xlsx"))
    assert got.exit_code == 2 and "give a .csv or a .parquet file" in got.stderr
    assert not (ws / "f.xlsx").exists()


def test_a_ticker_given_twice_is_forecast_once(ws) -> None:
    got = cli(ws, "predict", "AAA", "AAA", "--format", "json", "--horizon", "2")
    assert got.exit_code == 0 and len(json.loads(got.stdout)) == 2
