"""Real-world CSV layouts through `stockrnn fetch --csv`: the stored values, not only exit codes."""

import bz2
import gzip
import lzma
import zipfile

import numpy as np
import pandas as pd
import pytest
from helpers.bars import make_bars
from helpers.cli import cli_runner

from stockrnn.cli.main import app
from stockrnn.data import cache

runner = cli_runner()


def fetch(data, *args: str):
    return runner.invoke(app, ["fetch", *args, "--data-dir", str(data)])


def stored(data, symbol: str) -> pd.DataFrame:
    return cache.load(data, symbol)[0]


def same_bars(got: pd.DataFrame, want: pd.DataFrame, rtol: float = 1e-9) -> None:
    want = want.sort_index()
    assert list(got.index) == list(want.index)
    for col in ("open", "high", "low", "close", "volume"):
        np.testing.assert_allclose(got[col], want[col], rtol=rtol)


@pytest.fixture
def yf_download(fake_yahoo, tmp_path):
    """CSV files written by yfinance 1.x's own download().to_csv(), over the faked network."""
    import yfinance as yf

    fake_yahoo.frames["AAPL"] = make_bars(40, seed=1)
    fake_yahoo.frames["MSFT"] = make_bars(40, seed=2, price=300)
    one, many, by_ticker = (tmp_path / n for n in ("one.csv", "many.csv", "by_ticker.csv"))
    yf.download("AAPL", progress=False).to_csv(one)
    yf.download(["AAPL", "MSFT"], progress=False).to_csv(many)
    yf.download(["AAPL", "MSFT"], progress=False, group_by="ticker").to_csv(by_ticker)
    return fake_yahoo.frames, one, many, by_ticker


def test_yfinance_download_single(yf_download, tmp_path) -> None:
    frames, one, _, _ = yf_download
    assert one.read_text().splitlines()[:3] == [
        "Price,Close,High,Low,Open,Volume",
        "Ticker,AAPL,AAPL,AAPL,AAPL,AAPL",
        "Date,,,,,",
    ]
    res = fetch(tmp_path / "d", "AAPL", "--csv", str(one))
    assert res.exit_code == 0, res.output
    same_bars(stored(tmp_path / "d", "AAPL"), frames["AAPL"])


@pytest.mark.parametrize("which", [2, 3])
def test_yfinance_download_many_tickers_all(yf_download, tmp_path, which) -> None:
    frames, path = yf_download[0], yf_download[which]
    res = fetch(tmp_path / "d", "--csv", str(path), "--all")
    assert res.exit_code == 0, res.output
    for symbol in ("AAPL", "MSFT"):
        same_bars(stored(tmp_path / "d", symbol), frames[symbol])


def test_named_ticker_from_a_many_ticker_file(yf_download, tmp_path) -> None:
    frames, _, many, _ = yf_download
    assert fetch(tmp_path / "d", "MSFT", "--csv", str(many)).exit_code == 0
    same_bars(stored(tmp_path / "d", "MSFT"), frames["MSFT"])
    assert not (tmp_path / "d" / "AAPL.csv").exists()
    res = fetch(tmp_path / "d", "IBM", "--csv", str(many))
    assert res.exit_code == 8 and "holds AAPL, MSFT, not IBM" in res.stderr


def history_csv(path, bars: pd.DataFrame) -> None:
    """As Ticker.history(period="max").to_csv() writes it: tz-aware New York midnights."""
    frame = bars.copy()
    frame.columns = [c.capitalize() for c in frame.columns]
    frame["Dividends"] = 0.0
    frame["Stock Splits"] = 0.0
    frame.index = frame.index.tz_localize("America/New_York").rename("Date")
    frame.to_csv(path)


def test_yfinance_history_across_daylight_saving(tmp_path) -> None:
    bars = make_bars(60, start="2024-02-20")  # crosses 2024-03-10 (-05:00 -> -04:00)
    path = tmp_path / "hist.csv"
    history_csv(path, bars)
    text = path.read_text()
    assert "2024-03-08 00:00:00-05:00" in text and "2024-03-11 00:00:00-04:00" in text
    res = fetch(tmp_path / "d", "AAPL", "--csv", str(path))
    assert res.exit_code == 0, res.output
    same_bars(stored(tmp_path / "d", "AAPL"), bars)


def test_nasdaq_layout(tmp_path) -> None:
    bars = make_bars(50)
    nasdaq = pd.DataFrame(
        {
            "Date": bars.index.strftime("%m/%d/%Y"),
            "Close/Last": [f"${v:,.2f}" for v in bars["close"]],
            "Volume": bars["volume"].astype(int),
            "Open": [f"${v:,.2f}" for v in bars["open"]],
            "High": [f"${v:,.2f}" for v in bars["high"]],
            "Low": [f"${v:,.2f}" for v in bars["low"]],
        }
    ).iloc[::-1]  # newest first
    path = tmp_path / "HistoricalData_AAPL.csv"
    nasdaq.to_csv(path, index=False)
    res = fetch(tmp_path / "d", "AAPL", "--csv", str(path))
    assert res.exit_code == 0, res.output
    assert "unsorted series sorted by date" in res.stderr
    same_bars(stored(tmp_path / "d", "AAPL"), bars.round(2), rtol=1e-12)


def stooq_bulk(bars: pd.DataFrame, ticker: str = "AAPL.US") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "<TICKER>": ticker,
            "<PER>": "D",
            "<DATE>": bars.index.strftime("%Y%m%d"),
            "<TIME>": "000000",
            "<OPEN>": bars["open"],
            "<HIGH>": bars["high"],
            "<LOW>": bars["low"],
            "<CLOSE>": bars["close"],
            "<VOL>": bars["volume"],
            "<OPENINT>": 0,
        }
    )


def test_stooq_bulk_and_plain_layouts(tmp_path) -> None:
    bars = make_bars(50)
    bulk = tmp_path / "aapl.us.txt"
    stooq_bulk(bars).to_csv(bulk, index=False)
    assert fetch(tmp_path / "d", "AAPL", "--csv", str(bulk)).exit_code == 0
    same_bars(stored(tmp_path / "d", "AAPL"), bars)
    plain = tmp_path / "aapl_d.csv"
    bars.rename(columns=str.capitalize).to_csv(plain, index_label="Date")
    assert fetch(tmp_path / "d", "MSFT", "--csv", str(plain)).exit_code == 0
    same_bars(stored(tmp_path / "d", "MSFT"), bars)


def test_stooq_intraday_refused(tmp_path) -> None:
    frame = stooq_bulk(make_bars(4))
    frame["<PER>"] = "5"
    frame.to_csv(tmp_path / "x.txt", index=False)
    res = fetch(tmp_path / "d", "AAPL", "--csv", str(tmp_path / "x.txt"))
    assert res.exit_code == 8 and "not daily bars" in res.stderr


def test_semicolons_with_decimal_commas(tmp_path) -> None:
    bars = make_bars(40, start="2024-01-02")
    euro = bars.copy()
    euro.index = euro.index.strftime("%d.%m.%Y")
    path = tmp_path / "export.csv"
    euro.to_csv(path, sep=";", decimal=",", index_label="Date")
    assert "02.01.2024;" in path.read_text() and "," in path.read_text()
    res = fetch(tmp_path / "d", "SAP", "--csv", str(path))
    assert res.exit_code == 0, res.output
    same_bars(stored(tmp_path / "d", "SAP"), bars)


def test_thousands_and_decimal_comma_in_one_cell(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Date;Open;High;Low;Close;Volume\n"
        "2024-01-02;1.234,50;1.240,00;1.230,00;1.235,25;1.000\n"
        "2024-01-03;1.235,00;1.250,00;1.233,00;1.249,75;2.000\n"
    )
    assert fetch(tmp_path / "d", "X", "--csv", str(path)).exit_code == 0
    frame = stored(tmp_path / "d", "X")
    assert list(frame["close"]) == [1235.25, 1249.75] and list(frame["volume"]) == [1000, 2000]


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zip"])
def test_compressed_files(tmp_path, kind) -> None:
    bars = make_bars(30)
    raw = bars.to_csv(index_label="Date").encode()
    path = tmp_path / f"prices.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("prices.csv", raw)
    else:
        path.write_bytes({"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](raw))
    res = fetch(tmp_path / "d", "X", "--csv", str(path))
    assert res.exit_code == 0, res.output
    same_bars(stored(tmp_path / "d", "X"), bars)


def long_file(tmp_path, bad: str | None = None):
    frames = {t: make_bars(40, seed=i, price=10 * (i + 1)) for i, t in enumerate("ABC")}
    parts = []
    for t, f in frames.items():
        part = f.reset_index()
        part["Name"] = t
        if t == bad:
            part[["open", "high", "low", "close"]] = np.nan
        parts.append(part)
    path = tmp_path / "all_stocks_5yr.csv"
    pd.concat(parts).to_csv(path, index=False)
    return frames, path


def test_long_multi_ticker_file_all(tmp_path) -> None:
    frames, path = long_file(tmp_path)
    assert path.read_text().startswith("date,open,high,low,close,volume,Name\n")
    res = fetch(tmp_path / "d", "--csv", str(path), "--all")
    assert res.exit_code == 0, res.output
    for t, f in frames.items():
        same_bars(stored(tmp_path / "d", t), f)


def test_one_bad_ticker_does_not_stop_the_rest(tmp_path) -> None:
    frames, path = long_file(tmp_path, bad="B")
    res = fetch(tmp_path / "d", "--csv", str(path), "--all")
    assert res.exit_code == 8 and "B: no valid rows" in res.stderr
    same_bars(stored(tmp_path / "d", "A"), frames["A"])
    same_bars(stored(tmp_path / "d", "C"), frames["C"])
    assert not (tmp_path / "d" / "B.csv").exists()


def test_ticker_column_must_agree(tmp_path) -> None:
    frames, path = long_file(tmp_path)
    single = tmp_path / "one.csv"
    pd.read_csv(path).query("Name == 'A'").to_csv(single, index=False)
    res = fetch(tmp_path / "d", "MSFT", "--csv", str(single))
    assert res.exit_code == 8 and "holds A, not MSFT" in res.stderr
    assert not (tmp_path / "d").exists()
    assert fetch(tmp_path / "d", "A", "--csv", str(single)).exit_code == 0


def test_unknown_layout_lists_the_understood_ones(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("when,price\n2024-01-02,1\n2024-01-03,2\n")
    res = fetch(tmp_path / "d", "X", "--csv", str(path))
    assert res.exit_code == 8 and len(res.stderr.strip().splitlines()) == 1
    assert "understood layouts" in res.stderr and "Nasdaq" in res.stderr


def test_a_column_given_twice_with_different_values_is_refused() -> None:
    import numpy as np

    from stockrnn.common.errors import DataError
    from stockrnn.data.sources import csvfile

    idx = pd.bdate_range("2022-01-03", periods=5, name="Date")
    frame = pd.DataFrame(np.full((5, 5), 10.0), columns=["Open", "High", "Low", "Close", "Close"])
    frame.index = idx
    assert csvfile.from_frame(frame).one("X")["close"].eq(10.0).all()  # the same twice: one
    frame.iloc[:, 4] = 11.0
    with pytest.raises(DataError, match="has the column 'close' twice with different values"):
        csvfile.from_frame(frame)
    text = "Date,Open,High,Low,Close,Close\n2022-01-03,1,2,0.5,1.5,1.7\n"
    with pytest.raises(DataError, match="twice"):
        csvfile.parse(text)
