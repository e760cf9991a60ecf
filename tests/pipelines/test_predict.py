import csv
import io
import json

import numpy as np
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.checkpoint import weights
from stockrnn.checkpoint.reading import predictor_of, scaler_of
from stockrnn.cli.main import app
from stockrnn.data import cache
from stockrnn.dataset import features
from stockrnn.pipelines import train
from stockrnn.pipelines.predict import ForecastConfig, forecast_one

runner = cli_runner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    cache_bars(ws / "data", "AAA", make_bars(300, start="2023-10-02", seed=1))
    req = tiny_request(ws, "default", epochs=2)
    train.run(req)
    return ws


def cli(ws, *argv):
    return runner.invoke(
        app, [*argv, "--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    )


def test_recursive_forecast_matches_hand_rolled_loop(trained) -> None:
    model, meta = weights.load(trained / "models", "default")
    frame, _ = cache.load(trained / "data", "AAA")
    got = forecast_one(predictor_of(model, meta), meta, frame, "AAA", ForecastConfig(horizon=4))
    scaler = scaler_of(meta)
    rel = features.log_relative(frame, meta.features)[-10:]  # the last window
    window = list(scaler.transform(rel))
    close = frame["close"].iloc[-1]
    for step in range(4):
        x = torch.tensor(np.array(window[-10:]), dtype=torch.float32)[None]
        with torch.no_grad():
            nxt = model(x)[0].numpy()
        window.append(nxt)
        close = close * np.exp(scaler.inverse(nxt.astype(np.float64))[3])
        assert got.rows[step].close == pytest.approx(close, rel=1e-6)


@pytest.mark.parametrize(
    ("last", "want"),
    [("2024-12-24", ["2024-12-26", "2024-12-27"]), ("2025-07-03", ["2025-07-07", "2025-07-08"])],
)
def test_dates_skip_weekends_and_holidays(trained, last, want) -> None:
    model, meta = weights.load(trained / "models", "default")
    frame = make_bars(60, start="2024-01-02")
    frame.index = frame.index + (np.datetime64(last) - frame.index[-1].to_datetime64())
    cfg = ForecastConfig(horizon=2)
    rows = forecast_one(predictor_of(model, meta), meta, frame, "AAA", cfg).rows
    assert [r.date for r in rows] == want


def test_intervals_widen_with_horizon(trained) -> None:
    res = cli(trained, "predict", "AAA", "--horizon", "5", "--format", "json")
    rows = json.loads(res.stdout)
    widths = [np.log(r["hi-80"] / r["lo-80"]) for r in rows]
    assert all(b > a for a, b in zip(widths, widths[1:], strict=False))
    assert all(r["lo-80"] < r["close"] < r["hi-80"] for r in rows)


def test_json_parses_and_agrees_with_table(trained) -> None:
    rows = json.loads(cli(trained, "predict", "AAA", "--horizon", "3", "--format", "json").stdout)
    assert [r["step"] for r in rows] == [1, 2, 3]
    table = cli(trained, "predict", "AAA", "--horizon", "3").stdout
    for r in rows:
        assert r["date"] in table and f"{r['close']:,.2f}" in table
    assert "anchored to the close of" in table
    text = cli(trained, "predict", "AAA", "--horizon", "3", "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [float(p["close"]) for p in parsed] == pytest.approx([r["close"] for r in rows])
    assert set(parsed[0]) == {
        "ticker",
        "date",
        "step",
        "open",
        "high",
        "low",
        "close",
        "lo-80",
        "hi-80",
        "naive",
        "drift",
        "last_close",
        "last_date",
        "model",
    }


def test_untrained_ticker_gets_forecast_and_note(trained) -> None:
    cache_bars(trained / "data", "NEW", make_bars(80, seed=9, price=900))
    res = cli(trained, "predict", "new", "--json")
    assert res.exit_code == 0
    assert "not in model 'default'" in res.stderr and "stale" in res.stderr
    assert json.loads(res.stdout)[0]["ticker"] == "NEW"


@pytest.mark.parametrize(
    ("argv", "code", "msg"),
    [
        (["predict", "AAA", "--horizon", "0"], 2, "--horizon"),
        (["predict", "AAA", "--horizon", "-3"], 2, "--horizon"),
        (["predict", "AAA", "--horizon", "61"], 2, "--horizon"),
        (["predict", "AAA", "--level", "30.5"], 2, "--level"),
        (["predict", "AAA", "--model", "nope"], 10, "available: default"),
        (["predict", "ZZZ"], 9, "stockrnn fetch ZZZ"),
        (["predict", "AAA", "--calendar", "NOPE"], 2, "calendar"),
    ],
)
def test_bad_input_one_line(trained, argv, code, msg) -> None:
    res = cli(trained, *argv)
    assert res.exit_code == code, res.output
    assert msg in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_checkpoint_needing_missing_feature(trained, tmp_path) -> None:
    cache_bars(tmp_path / "data", "VOL", make_bars(200, seed=3))
    req = tiny_request(
        tmp_path,
        "withvol",
        models=trained / "models",
        cell="gru",
        hidden=4,
        data={"features": "ohlcv"},
        epochs=1,
    )
    train.run(req)
    flat = make_bars(50, seed=4)
    flat["volume"] = 0.0
    cache_bars(trained / "data", "NOVOL", flat)
    res = cli(trained, "predict", "NOVOL", "--model", "withvol")
    assert res.exit_code == 8 and "needs volume" in res.stderr


def test_plots(trained, tmp_path) -> None:
    res = cli(trained, "predict", "AAA", "--plot", "--plot-file", str(tmp_path / "c.png"))
    assert res.exit_code == 0, res.output
    assert "forecast" in res.stderr
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_without_matplotlib_is_one_line(trained, tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    res = cli(trained, "predict", "AAA", "--plot-file", str(tmp_path / "c.png"))
    assert res.exit_code == 1 and "pip install 'stockrnn[png]'" in res.stderr
    assert not (tmp_path / "c.png").exists()
