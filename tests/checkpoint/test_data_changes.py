"""Data that changed: re-import warnings, changed-since-training notes, source-aware hints,
strict JSON, and forecasts from a series outside the calendar's range."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner

from stockrnn.cli.main import app
from stockrnn.data import cache, manifests
from stockrnn.render import jsonout

runner = cli_runner()


def strict(text: str):
    def refuse(token: str):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def dirs(ws) -> list[str]:
    return ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]


def test_reimport_warns_about_unadjusted_data_and_lost_years(tmp_path) -> None:
    data = tmp_path / "data"
    assert runner.invoke(app, ["fetch", "IBM", "--source", "sample", "--data-dir", str(data)])
    frame, manifest = cache.load(data, "IBM")
    assert manifest.adjusted
    short = tmp_path / "ibm.csv"
    frame.loc["2010":].drop(columns="adj_close").to_csv(short, index_label="Date")
    res = runner.invoke(app, ["fetch", "IBM", "--csv", str(short), "--data-dir", str(data)])
    assert res.exit_code == 0, res.output
    assert "replaces split/dividend-adjusted data with unadjusted data" in res.stderr
    assert "drops 9.8 years of history at the start" in res.stderr


def trained(tmp_path, frame):
    cache_bars(tmp_path / "data", "AAA", frame)
    res = runner.invoke(
        app, ["train", *dirs(tmp_path), "--window", "5", "--epochs", "1", "--hidden", "4"]
    )
    assert res.exit_code == 0, res.output


def test_predict_and_backtest_say_when_history_changed(tmp_path) -> None:
    frame = make_bars(200, seed=1)
    trained(tmp_path, frame)
    grown = pd.concat([frame, make_bars(230, seed=1).iloc[200:]])  # 30 new sessions after
    cache_bars(tmp_path / "data", "AAA", grown)
    res = runner.invoke(app, ["predict", "AAA", *dirs(tmp_path)])
    assert res.exit_code == 0 and "changed since" not in res.stderr
    rewritten = grown.copy()
    rewritten.iloc[:100, :4] *= 0.97  # a dividend re-based the old history
    cache_bars(tmp_path / "data", "AAA", rewritten)
    res = runner.invoke(app, ["predict", "AAA", *dirs(tmp_path)])
    assert res.exit_code == 0 and "AAA's data changed since model 'default'" in res.stderr
    res = runner.invoke(app, ["backtest", "AAA", "--model", "default", *dirs(tmp_path)])
    assert res.exit_code == 0 and "AAA's data changed since model 'default'" in res.stderr


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("csv:aaa.csv", "stockrnn fetch AAA --csv FILE"),
        ("sample", "downloads newer bars from Yahoo"),
        ("yahoo", "run `stockrnn fetch AAA`"),
    ],
)
def test_stale_hint_names_the_command_for_the_source(tmp_path, source, hint) -> None:
    frame = make_bars(200, seed=1, start="2015-01-02")
    trained(tmp_path, frame)
    cache.save(
        tmp_path / "data", frame, manifests.Manifest("AAA", source, "2020-01-01T00:00:00", False)
    )
    res = runner.invoke(app, ["predict", "AAA", *dirs(tmp_path)])
    assert res.exit_code == 0 and "is stale" in res.stderr and hint in res.stderr
    if source != "yahoo":
        assert "run `stockrnn fetch AAA`" not in res.stderr


def test_damaged_cache_hint_follows_the_source(tmp_path) -> None:
    data = tmp_path / "data"
    cache.save(data, make_bars(30), manifests.Manifest("AAA", "csv:a.csv", "2020", False))
    (data / "AAA.csv").write_text("date,open\n")
    res = runner.invoke(app, ["train", *dirs(tmp_path)])
    assert res.exit_code == 8 and len(res.stderr.strip().splitlines()) == 1
    assert "stockrnn fetch AAA --csv FILE" in res.stderr and "--full" not in res.stderr


def test_json_is_always_strict() -> None:
    text = jsonout.to_json({"a": float("nan"), "b": [float("inf"), -float("inf")], "c": 1.5})
    assert strict(text) == {"a": None, "b": [None, None], "c": 1.5}


def test_command_json_is_strict(tmp_path) -> None:
    trained(tmp_path, make_bars(200, seed=1))
    for argv in (
        ["train", "--json", "--overwrite", "--window", "5", "--epochs", "1", "--hidden", "4"],
        ["predict", "AAA", "--json"],
        ["backtest", "AAA", "--model", "default", "--json"],
        ["models", "--json"],
    ):
        res = runner.invoke(app, [*argv, *(dirs(tmp_path) if argv[0] != "models" else [])])
        assert res.exit_code == 0, res.output
        strict(res.stdout)
    meta = (tmp_path / "models" / "default" / "meta.json").read_text()
    strict(meta)


def test_series_before_the_calendar_gets_a_clear_error(tmp_path) -> None:
    trained(tmp_path, make_bars(200, seed=1))
    old = make_bars(40, seed=2)
    old.index = pd.bdate_range("1880-01-05", periods=40, name="date")
    cache_bars(tmp_path / "data", "OLD", old)
    res = runner.invoke(app, ["predict", "OLD", *dirs(tmp_path)])
    assert res.exit_code == 8 and "before the XNYS calendar starts" in res.stderr
    assert "Traceback" not in res.output


def test_nothing_non_finite_reaches_training(tmp_path) -> None:
    from stockrnn.common.errors import DataError

    frame = make_bars(100, seed=1)
    frame.iloc[50, 3] = np.inf  # a damaged cache file, written around validation
    cache_bars(tmp_path / "data", "AAA", frame)
    res = runner.invoke(
        app, ["train", *dirs(tmp_path), "--window", "5", "--epochs", "1", "--hidden", "4"]
    )
    assert res.exit_code == DataError.exit_code and "non-finite" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())
