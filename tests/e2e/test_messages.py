"""The smaller findings of the third hostile probe: inputs that trained wrongly, tracebacks on
short or re-imported data, and messages that blamed the wrong thing. Each is one line naming
the real cause, with its exit code."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner, train_argv

from stockrnn.cli.main import build
from stockrnn.common.errors import DataError, EmptyRangeError, UsageError


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "SPY", make_bars(300, seed=1))
    cache_bars(tmp_path / "data", "AAPL", make_bars(300, seed=2, price=40))
    return tmp_path


def _folders(ws) -> list[str]:
    return ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]


def one_line(result, code: int, *says: str) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in says:
        assert text in lines[0], lines[0]
    return lines[0]


def _invoke(argv: list[str]):
    return cli_runner().invoke(build(), argv)


def test_a_ticker_given_twice_is_refused(ws) -> None:
    argv = train_argv(ws / "data", ws / "models", "SPY", "SPY")
    one_line(_invoke(argv), UsageError.exit_code, "given twice")
    assert not (ws / "models").exists()


def test_a_covariate_gap_is_refused_not_carried(ws) -> None:
    """Four years without a close would land the whole move on one day as a return."""
    bars = make_bars(300, seed=3)
    gapped = pd.concat([bars.iloc[:100], bars.iloc[200:]])
    cache_bars(ws / "data", "GAP", gapped)
    argv = train_argv(ws / "data", ws / "models", "SPY", "--covariate", "GAP")
    one_line(_invoke(argv), DataError.exit_code, "covariate GAP has no close for 100", "SPY")


def _short_covariate(ws) -> None:
    argv = train_argv(ws / "data", ws / "models", "SPY", "--covariate", "AAPL")
    assert _invoke(argv).exit_code == 0
    cache_bars(ws / "data", "AAPL", make_bars(300, seed=2, price=40).iloc[-4:])


def test_a_covariate_reimported_short_is_one_line_in_predict(ws) -> None:
    _short_covariate(ws)
    result = _invoke(["predict", "SPY", *_folders(ws)])
    one_line(result, DataError.exit_code, "SPY has 4 rows", "covariate AAPL's data starts")


def test_a_covariate_reimported_short_is_one_line_in_backtest(ws) -> None:
    _short_covariate(ws)
    result = _invoke(["backtest", "SPY", "--model", "default", *_folders(ws)])
    one_line(result, UsageError.exit_code, "nothing to score", "covariate AAPL's data starts")


def test_backtest_of_a_saved_model_on_a_too_short_ticker(ws) -> None:
    assert _invoke(train_argv(ws / "data", ws / "models", "SPY")).exit_code == 0
    cache_bars(ws / "data", "TINY", make_bars(4, start="2021-06-01", seed=5))
    result = _invoke(["backtest", "TINY", "--model", "default", *_folders(ws)])
    one_line(result, UsageError.exit_code, "TINY has no days to score", "window of 5")


def test_a_horizon_longer_than_validation_blames_the_horizon(ws) -> None:
    argv = train_argv(ws / "data", ws / "models", "SPY", "--head", "direct")
    argv += ["--horizon", "30", "--split", "0.8,0.1,0.1"]
    one_line(_invoke(argv), DataError.exit_code, "fewer than the 30-day horizon")


def test_a_late_covariate_names_itself_as_the_cut(ws) -> None:
    cache_bars(ws / "data", "LATE", make_bars(300, seed=6).iloc[-4:])
    argv = train_argv(ws / "data", ws / "models", "SPY", "--covariate", "LATE")
    one_line(_invoke(argv), DataError.exit_code, "where covariate LATE's data starts")


def test_an_empty_csv_range_names_only_the_bound_given(ws, tmp_path) -> None:
    csv = tmp_path / "x.csv"
    make_bars(30, seed=7).to_csv(csv, index_label="date")
    argv = ["fetch", "X", "--csv", str(csv), "--end", "1800-01-01", "--data-dir", str(ws / "data")]
    line = one_line(_invoke(argv), EmptyRangeError.exit_code, "X has no rows through 1800-01-01")
    assert "None" not in line


@pytest.mark.parametrize("day", ["9999-12-31", "1066-10-14"])
def test_split_dates_out_of_reach_are_refused(ws, day) -> None:
    argv = train_argv(ws / "data", ws / "models", "SPY")
    argv += ["--train-end", "2020-06-01", "--val-end", day]
    if day < "2020":
        argv[argv.index("--train-end") + 1], argv[-1] = day, "2020-06-01"
    one_line(_invoke(argv), UsageError.exit_code, day, "outside 1800..2200")
