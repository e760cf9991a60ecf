"""Whatever a notebook passes, the API answers with a StockrnnError and one clear line, never
a TypeError from deep inside: types are checked where the values come in."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.bars import cache_bars, make_bars

import stockrnn
from stockrnn.api.options import ModelArgs, tickers_of, with_settings
from stockrnn.common.errors import UsageError


@pytest.mark.parametrize("bad", [123, [1, 2], ["AAPL", None], {"AAPL": 1}.values()])
def test_tickers_are_strings(bad) -> None:
    with pytest.raises(UsageError, match="tickers are strings"):
        tickers_of(bad)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"epochs": "many"}, "--epochs takes a whole number"),
        ({"epochs": 2.5}, "--epochs takes a whole number"),
        ({"epochs": None}, "--epochs takes a whole number"),
        ({"window": True}, "--window takes a whole number"),
        ({"lr": "x"}, "--lr takes a finite number"),
        ({"lr": float("nan")}, "--lr takes a finite number"),
        ({"bias": "no"}, "--bias takes True or False"),
        ({"cell": "transformer"}, "--cell must be one of"),
        ({"covariate": 5}, "tickers are strings"),
        ({"threads": 1.5}, "--threads takes a whole number"),
        ({"epoch": 3}, "unknown setting(s) epoch"),
    ],
)
def test_settings_by_name(settings, says) -> None:
    with pytest.raises(UsageError) as exc:
        with_settings(None, settings)
    assert says in str(exc.value)


def test_good_settings_pass_and_numpy_integers_count() -> None:
    args = with_settings(None, {"epochs": np.int64(3), "cell": "gru", "covariates": "^GSPC"})
    assert args.epochs == 3 and type(args.epochs) is int
    assert args.cell == "gru" and args.covariate == ("^GSPC",)
    with pytest.raises(UsageError, match="options= takes a stockrnn.ModelArgs"):
        with_settings({"epochs": 3}, {})  # type: ignore[arg-type]
    assert ModelArgs(threads=None).threads is None


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("types")
    cache_bars(root / "data", "AAA", make_bars(200, seed=1))
    dirs = {"data_dir": root / "data", "models_dir": root / "models"}
    model = stockrnn.train("AAA", name="m", epochs=1, window=5, hidden=4, **dirs)
    return model, dirs


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda m, d: m.predict("AAA", levels="80"), "--level takes percents"),
        (lambda m, d: m.predict("AAA", levels=[80, None]), "--level takes a finite number"),
        (lambda m, d: m.predict("AAA", levels=float("nan")), "--level takes a finite number"),
        (lambda m, d: m.predict("AAA", horizon="5"), "--horizon takes a whole number"),
        (lambda m, d: m.predict("AAA", horizon=5.5), "--horizon takes a whole number"),
        (lambda m, d: m.predict("AAA", horizon=True), "--horizon takes a whole number"),
        (lambda m, d: m.predict(5), "tickers are strings"),
        (lambda m, d: m.predict(frame={5: None}), "tickers are strings"),
        (lambda m, d: stockrnn.load(5, **d), "a model name is a string"),
        (lambda m, d: stockrnn.remove(None, models_dir=d["models_dir"]), "a model name is"),
        (lambda m, d: stockrnn.load("m", data_dir=5), "data_dir takes a folder path"),
        (lambda m, d: stockrnn.fetch(123, **{"data_dir": d["data_dir"]}), "tickers are"),
        (lambda m, d: stockrnn.fetch("X", full="yes", data_dir=d["data_dir"]), "True or False"),
        (lambda m, d: stockrnn.train("AAA", name="m", overwrite="no", **d), "True or False"),
        (lambda m, d: stockrnn.backtest("AAA", folds="2", epochs=1, **d), "--folds takes"),
        (lambda m, d: stockrnn.backtest("AAA", bogus=1, **d), "unknown setting(s) bogus"),
        (lambda m, d: m.backtest("AAA", levels="x"), "--level takes percents"),
        (lambda m, d: stockrnn.cached(5), "data_dir takes a folder path"),
    ],
)
def test_wrong_types_get_one_clear_line(saved, call, says) -> None:
    model, dirs = saved
    with pytest.raises(stockrnn.StockrnnError) as exc:
        call(model, dirs)
    assert says in str(exc.value) and "\n" not in str(exc.value)


def test_a_truthy_overwrite_never_replaces_a_model(saved) -> None:
    model, dirs = saved
    before = (dirs["models_dir"] / "m" / "meta.json").read_bytes()
    with pytest.raises(UsageError):
        stockrnn.train("AAA", name="m", overwrite="no", epochs=1, **dirs)
    assert (dirs["models_dir"] / "m" / "meta.json").read_bytes() == before


def test_the_same_ticker_twice_is_forecast_once(saved) -> None:
    model, _ = saved
    frame = model.predict(["AAA", "aaa"], horizon=2).to_frame()
    assert len(frame) == 2 and not frame.duplicated(["unique_id", "ds"]).any()


def test_tune_stays_the_function_after_its_package_is_imported() -> None:
    import stockrnn.tuning.search  # noqa: F401  (what the first tune call imports)

    assert callable(stockrnn.tune) and stockrnn.tune.__module__ == "stockrnn.api.tuning"
