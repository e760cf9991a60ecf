"""The Python API end to end, in one process, on the bundled sample: fetch, train, predict,
backtest and an in-memory DataFrame, with nothing printed and the interpreter never exited."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import stockrnn
from stockrnn.common.errors import DataError, UsageError

TINY = {"epochs": 2, "window": 20, "hidden": 8, "seed": 1}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    return {"data_dir": root / "data", "models_dir": root / "models"}


@pytest.fixture(scope="module")
def model(ws):
    got = stockrnn.fetch(["AAPL", "MSFT"], source="sample", data_dir=ws["data_dir"])
    assert got.exit_code == 0
    frame = got.to_frame()
    assert list(frame["symbol"]) == ["AAPL", "MSFT"] and (frame["rows"] > 500).all()
    return stockrnn.train(["AAPL", "MSFT"], name="m", **TINY, **ws)


def test_nothing_printed_and_no_exit(ws, capfd) -> None:
    try:
        stockrnn.fetch("IBM", source="sample", data_dir=ws["data_dir"])
        m = stockrnn.train("IBM", name="quiet", **TINY, **ws)
        m.predict()
        stockrnn.remove("quiet", models_dir=ws["models_dir"])
    except SystemExit as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"the library exited the process: {exc}")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_train_returns_a_model_with_scores_beside_the_baselines(model) -> None:
    assert model.name == "m" and model.tickers == ["AAPL", "MSFT"]
    scores = model.scores()
    assert {"model", "naive", "drift"} <= set(scores["forecast"])
    assert np.isfinite(scores["rel_mae"].dropna()).all()


def test_predict_long_frame_with_percent_levels(model) -> None:
    got = model.predict("AAPL", horizon=3, levels=(80, 95)).to_frame()
    want = ["unique_id", "ds", "m", "m-lo-80", "m-hi-80", "m-lo-95", "m-hi-95", "naive", "drift"]
    assert list(got.columns) == want and len(got) == 3
    assert (got["unique_id"] == "AAPL").all() and got["ds"].is_monotonic_increasing
    assert (got["m-lo-95"] < got["m-lo-80"]).all() and (got["m-lo-80"] < got["m"]).all()
    assert (got["m"] < got["m-hi-80"]).all() and (got["m-hi-80"] < got["m-hi-95"]).all()


def test_load_and_every_ticker_by_default(model, ws) -> None:
    again = stockrnn.load("m", **ws)
    frame = again.predict(horizon=2).to_frame()
    assert sorted(set(frame["unique_id"])) == ["AAPL", "MSFT"]
    first = model.predict("MSFT", horizon=2).to_frame()
    np.testing.assert_allclose(frame[frame["unique_id"] == "MSFT"]["m"], first["m"])
    assert [r.name for r in stockrnn.models(ws["models_dir"])] == ["m"]


def test_backtest_long_frame(model, ws) -> None:
    result = model.backtest("AAPL", horizon=2)
    frame = result.to_frame()
    assert list(frame.columns[:4]) == ["unique_id", "ds", "cutoff", "y"]
    assert (frame["ds"] > frame["cutoff"]).all() and frame["y"].notna().all()
    assert {"m", "m-lo-80", "m-hi-80", "naive", "drift"} <= set(frame.columns)
    overall = result.scores().query("step == 'overall'")
    assert set(overall["forecast"]) >= {"model", "naive"}


def _sample_frame(ws) -> pd.DataFrame:
    """The bundled AAPL bars as a user would hold them: Yahoo-style columns, a Date index."""
    from stockrnn.data import cache

    bars, _ = cache.load(ws["data_dir"], "AAPL")
    frame = bars.rename(columns=str.title)
    frame.index.name = "Date"
    return frame


def test_a_dataframe_goes_in_like_a_csv(model, ws) -> None:
    frame = _sample_frame(ws)
    got = stockrnn.fetch("MINE", frame=frame, data_dir=ws["data_dir"])
    assert got.exit_code == 0 and got.results[0].rows == len(frame)
    cached = {r.symbol for r in stockrnn.cached(ws["data_dir"])}
    assert "MINE" in cached
    # the same bars given in memory at predict time forecast what the cached ones do
    in_memory = model.predict("AAPL", horizon=2, frame=frame).to_frame()
    from_cache = model.predict("AAPL", horizon=2).to_frame()
    np.testing.assert_allclose(in_memory["m"], from_cache["m"], rtol=1e-9)


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (lambda f: f.drop(columns=["Close"]), "close"),
        (lambda f: f.assign(High=-f["High"]), "no valid rows"),
        (lambda f: f.iloc[:0], "no"),
    ],
)
def test_a_bad_dataframe_gets_the_csv_errors(model, ws, broken, says) -> None:
    bad = broken(_sample_frame(ws))
    try:  # refused whole (a layout error) or per ticker (bad bars), as a CSV import is
        got = stockrnn.fetch("BAD", frame=bad, data_dir=ws["data_dir"])
        assert got.exit_code != 0 and says in (got.results[0].error or "").lower()
    except DataError as exc:
        assert says in str(exc).lower()
    assert "BAD" not in {r.symbol for r in stockrnn.cached(ws["data_dir"])}
    with pytest.raises(DataError, match=f"(?i){says}"):
        model.predict("AAPL", frame=bad)


def test_refusals_raise_typed_errors(model, ws) -> None:
    with pytest.raises(UsageError, match="unknown setting"):
        stockrnn.train("AAPL", epoch=3, **ws)
    with pytest.raises(UsageError, match="horizon"):
        model.predict("AAPL", horizon=0)
    with pytest.raises(stockrnn.StockrnnError):
        stockrnn.load("nope", **ws)
