import pandas as pd
import pytest
from curl_cffi.requests.exceptions import DNSError
from yfinance.exceptions import YFRateLimitError

from stockrnn.common.errors import DataError, NoDataError, OfflineError, RateLimitError
from stockrnn.data.sources import csvfile, sample, yahoo


def test_yahoo_frame_flattened_from_multiindex(fake_yahoo, bars) -> None:
    fake_yahoo.frames["AAPL"] = bars(30)
    got = yahoo.fetch("AAPL")
    assert list(got.frame.columns) == ["open", "high", "low", "close", "volume"]
    assert got.frame.index.tz is None and got.adjusted and got.source == "yahoo"
    assert got.frame["close"].iloc[-1] == pytest.approx(bars(30)["close"].iloc[-1])


def test_yahoo_end_is_inclusive(fake_yahoo, bars) -> None:
    frame = bars(30)
    fake_yahoo.frames["AAPL"] = frame
    last = frame.index[9].date()
    got = yahoo.fetch("AAPL", start=frame.index[0].date(), end=last)
    assert got.frame.index[-1].date() == last


@pytest.mark.parametrize(
    ("exc", "err"),
    [
        (
            DNSError(
                "Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com"
            ),
            OfflineError,
        ),
        (YFRateLimitError(), RateLimitError),
    ],
)
def test_yahoo_errors_are_typed(fake_yahoo, exc, err, capsys) -> None:
    fake_yahoo.errors["AAPL"] = exc
    with pytest.raises(err):
        yahoo.fetch("AAPL")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # yfinance's own prints never reach the terminal


def test_unknown_ticker_is_no_data(fake_yahoo) -> None:
    with pytest.raises(NoDataError, match="ZZZZ"):
        yahoo.fetch("ZZZZ")


def test_all_nan_frame_is_no_data(fake_yahoo, bars) -> None:
    frame = bars(5)
    frame[:] = float("nan")
    fake_yahoo.frames["DEAD"] = frame
    with pytest.raises(NoDataError):
        yahoo.fetch("DEAD")


def test_sample_has_the_documented_tickers() -> None:
    assert {"AAPL", "MSFT", "IBM", "GOOG"} <= set(sample.tickers())
    got = sample.fetch("AAPL")
    assert got.frame.index[0] == pd.Timestamp("2000-03-01")
    assert got.frame.index[-1] == pd.Timestamp("2013-03-01")
    assert "adj_close" in got.frame


def test_sample_unknown_lists_available() -> None:
    with pytest.raises(NoDataError, match="AAPL, .*MSFT"):
        sample.fetch("TSLA")


def test_csv_any_order_case_and_direction() -> None:
    text = (
        "DATE,Volume,close,Low,HIGH,open,Adj Close\n"
        "2020-01-03,10,11,9,12,10,5.5\n2020-01-02,10,10,9,11,10,5\n"
    )
    frame = csvfile.parse(text).one()
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2020-01-03", "2020-01-02"]
    assert frame.loc["2020-01-02", "adj_close"] == 5


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("", "empty"),
        ("date,open\n2020-01-02,1\n", "missing column"),
        ("date,open,high,low,close\n2020-01-02,1,x,1,1\n", "non-numeric"),
        ("foo,open,high,low,close\n1,1,1,1,1\n", "no Date column"),
        ("date,open,high,low,close\nnot-a-date,1,1,1,1\n", "unreadable date"),
    ],
)
def test_csv_bad_input(text: str, msg: str) -> None:
    with pytest.raises(DataError, match=msg):
        csvfile.parse(text).one()


def test_csv_binary_and_non_utf8(tmp_path) -> None:
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02date")
    (tmp_path / "l.csv").write_bytes("date,open\n2020-01-02,1\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match="binary"):
        csvfile.fetch(tmp_path / "b.csv")
    with pytest.raises(DataError, match="UTF-8"):
        csvfile.fetch(tmp_path / "l.csv")


@pytest.mark.parametrize("name", ["IBM.csv", "MSFT.csv", "SPY.csv", "AAPL.csv"])
def test_real_files_parse(shared_ohlcv, name: str) -> None:
    frame = csvfile.fetch(shared_ohlcv / name).frame
    assert len(frame) > 2000 and {"open", "high", "low", "close", "volume"} <= set(frame)
    if name == "IBM.csv":  # descending, old column order
        assert frame.index[0] > frame.index[-1] and "adj_close" in frame


@pytest.mark.network
def test_live_yahoo() -> None:
    got = yahoo.fetch("SPY", period="1mo")
    assert len(got.frame) > 10
