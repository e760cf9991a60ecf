"""Dates are never guessed; rows that are not closed sessions and absurd numbers are dropped."""

import pandas as pd
import pytest
from helpers.bars import make_bars
from helpers.cli import cli_runner

from stockrnn.cli.main import app
from stockrnn.common.errors import DataError
from stockrnn.data import cache
from stockrnn.data.sources import csvdates

runner = cli_runner()


def write(tmp_path, bars: pd.DataFrame, fmt: str, name: str = "x.csv"):
    frame = bars.copy()
    frame.index = frame.index.strftime(fmt)
    path = tmp_path / name
    frame.to_csv(path, index_label="Date")
    return path


def fetch(tmp_path, path, *extra: str):
    return runner.invoke(
        app, ["fetch", "X", "--csv", str(path), *extra, "--data-dir", str(tmp_path / "d")]
    )


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%d-%m-%Y"])
def test_day_month_order_decided_by_the_data(tmp_path, fmt) -> None:
    bars = make_bars(40, start="2024-01-02")  # days above 12 settle the order
    res = fetch(tmp_path, write(tmp_path, bars, fmt))
    assert res.exit_code == 0, res.output
    assert list(cache.load(tmp_path / "d", "X")[0].index) == list(bars.index)


def test_ambiguous_dates_are_refused_then_read_with_date_format(tmp_path) -> None:
    bars = make_bars(8, start="2024-03-01")  # 01/03 .. 12/03: every value fits both orders
    path = write(tmp_path, bars, "%d/%m/%Y")
    res = fetch(tmp_path, path)
    assert res.exit_code == 8 and "--date-format" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d").exists()
    res = fetch(tmp_path, path, "--date-format", "%d/%m/%Y")
    assert res.exit_code == 0, res.output
    assert list(cache.load(tmp_path / "d", "X")[0].index) == list(bars.index)


def test_mixed_orders_are_refused() -> None:
    with pytest.raises(DataError, match="mix day-first and month-first"):
        csvdates.parse(pd.Series(["13/01/2024", "01/13/2024"]))


def test_intraday_rows_are_refused(tmp_path) -> None:
    path = tmp_path / "i.csv"
    path.write_text(
        "Datetime,Open,High,Low,Close,Volume\n"
        "2024-03-05 09:30:00-05:00,1,2,1,1,10\n"
        "2024-03-05 09:31:00-05:00,1,2,1,1,10\n"
        "2024-03-06 09:30:00-05:00,1,2,1,1,10\n"
    )
    res = fetch(tmp_path, path)
    assert res.exit_code == 8 and "intraday" in res.stderr and "repeated" not in res.stderr


def test_non_sessions_are_dropped_and_counted(tmp_path) -> None:
    bars = make_bars(30, start="2024-12-02")
    extra = bars.iloc[:4].copy()
    extra.index = pd.DatetimeIndex(["2024-12-25", "2024-12-28", "1700-01-04", "2099-12-24"])
    path = tmp_path / "x.csv"
    pd.concat([bars, extra]).sort_index().to_csv(path, index_label="Date")
    res = fetch(tmp_path, path)
    assert res.exit_code == 0, res.output
    assert "1 row(s) dated before the XNYS calendar's first session" in res.stderr
    assert "2 row(s) on days that are not XNYS sessions dropped" in res.stderr
    assert "1 row(s) dated after the last closed session" in res.stderr
    assert list(cache.load(tmp_path / "d", "X")[0].index) == list(bars.index)


def test_tomorrows_holiday_bar_is_dropped(tmp_path) -> None:
    from stockrnn.data import cleaning

    bars = make_bars(5, start="2025-12-18")  # ..2025-12-24; add 12-25 (Christmas)
    xmas = bars.iloc[[-1]].copy()
    xmas.index = pd.DatetimeIndex(["2025-12-25"])
    now = pd.Timestamp("2025-12-24 22:00", tz="UTC")
    out, _, report = cleaning.clean_bars(pd.concat([bars, xmas]), "XNYS", now)
    assert out.index[-1] == pd.Timestamp("2025-12-24") and len(out) == 5
    assert any("after the last closed session" in a for a in report.actions)


def test_absurd_prices_dropped_and_reported(tmp_path) -> None:
    bars = make_bars(30)
    bars.iloc[5, :4] = 1e308  # an overflowed cell
    bars.iloc[10, :4] = bars.iloc[10, :4] * 1e6  # a one-day millionfold spike
    bars.iloc[15, 3] = float("inf")
    path = tmp_path / "x.csv"
    bars.to_csv(path, index_label="Date")
    res = fetch(tmp_path, path)
    assert res.exit_code == 0, res.output
    assert "1 row(s) with prices above 1e+09 dropped" in res.stderr
    assert "1 isolated price spike(s)" in res.stderr
    assert "missing or infinite prices dropped" in res.stderr
    frame = cache.load(tmp_path / "d", "X")[0]
    assert len(frame) == 27 and frame["close"].max() < 1000


def test_persistent_millionfold_jump_is_refused(tmp_path) -> None:
    bars = make_bars(30)
    bars.iloc[15:, :4] *= 1e6
    path = tmp_path / "x.csv"
    bars.to_csv(path, index_label="Date")
    res = fetch(tmp_path, path)
    assert res.exit_code == 8 and "mixes units or is damaged" in res.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    "body",
    [
        "2024-01-02,1,2,1,1,5\n2024-01-02,1,2,1,1,5\n",  # the other row is a duplicate
        "2024-01-02,1,2,1,1,5\n2024-01-03,1,2,1,inf,5\n",  # the other row is infinite
        "2024-01-02,1,2,1,1,5\n2024-01-06,1,2,1,1,5\n",  # the other row is a Saturday
    ],
)
def test_row_count_applies_after_cleaning(tmp_path, body) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Date,Open,High,Low,Close,Volume\n" + body)
    res = fetch(tmp_path, path)
    assert res.exit_code == 8 and "only 1 row left after validation" in res.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("ticker", ["CON", "aux", "NUL", "COM1", "LPT9", "CON.L", "ABC."])
def test_reserved_names_refused_as_tickers(tmp_path, ticker) -> None:
    res = runner.invoke(
        app, ["fetch", ticker, "--source", "sample", "--data-dir", str(tmp_path / "d")]
    )
    assert res.exit_code == 3 and ("reserved" in res.stderr or "dot" in res.stderr)
    assert not (tmp_path / "d").exists()
