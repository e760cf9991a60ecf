"""Dates, symbols and calendars for every market: Yahoo's exchange suffixes, the calendar a
suffix names, and forecast dates from each ticker's own calendar."""

import exchange_calendars as xcals
import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.cli.main import app
from stockrnn.common import symbols
from stockrnn.common.errors import UsageError
from stockrnn.data import cache, trading_calendar
from stockrnn.data.fetch import fetch_one
from stockrnn.data.fetch_types import FetchConfig, FetchOptions
from stockrnn.pipelines import train

runner = cli_runner()
AFTER_CLOSE = pd.Timestamp("2031-01-01", tz="UTC")


@pytest.mark.parametrize(
    ("raw", "want", "calendar"),
    [
        ("vod.l", "VOD.L", "XLON"),
        ("BARC.L", "BARC.L", "XLON"),
        ("SHOP.V", "SHOP.V", "XTSE"),
        ("BMW.F", "BMW.F", "XFRA"),
        ("7203.T", "7203.T", "XTKS"),
        ("RY.TO", "RY.TO", "XTSE"),
        ("SAP.DE", "SAP.DE", "XETR"),
        ("MC.PA", "MC.PA", "XPAR"),
        ("0700.HK", "0700.HK", "XHKG"),
        ("NESN.SW", "NESN.SW", "XSWX"),
        ("BHP.AX", "BHP.AX", "XASX"),
        ("BRK.B", "BRK-B", "XNYS"),
        ("BF.A", "BF-A", "XNYS"),
        ("BBD.B.TO", "BBD-B.TO", "XTSE"),
        ("^FTSE", "^FTSE", "XLON"),
        ("^GSPC", "^GSPC", "XNYS"),
        ("EURUSD=X", "EURUSD=X", "24/5"),
        ("BTC-USD", "BTC-USD", "24/7"),
    ],
)
def test_exchange_suffixes_stay_and_pick_their_calendar(raw, want, calendar) -> None:
    assert symbols.normalize(raw) == want
    assert symbols.calendar_for(want) == calendar


def test_every_calendar_named_is_one_exchange_calendars_knows() -> None:
    known = set(xcals.get_calendar_names())
    named = {*symbols.SUFFIXES.values(), *symbols.INDICES.values(), "24/5", "24/7", "CMES"}
    assert named - {None} <= known


def test_a_venue_without_a_calendar_asks_for_one() -> None:
    with pytest.raises(UsageError, match=r"\.BE venue; pass --calendar"):
        symbols.calendar_for("VOW3.BE")


def test_a_london_ticker_keeps_every_london_session(tmp_path, fake_yahoo) -> None:
    """Juneteenth, July 4th and Thanksgiving 2023 are London sessions: validated against
    New York they were dropped with only a count."""
    bars = make_bars(300, start="2023-01-03", calendar="XLON")
    fake_yahoo.frames["VOD.L"] = bars
    res = fetch_one(tmp_path, FetchConfig("VOD.L"), now=AFTER_CLOSE)
    assert res.rows == 300 and not res.notes
    frame, manifest = cache.load(tmp_path, "VOD.L")
    assert manifest.calendar == "XLON" and pd.Timestamp("2023-07-04") in frame.index
    again = fetch_one(tmp_path, FetchConfig("VOD.L", FetchOptions(full=True)), now=AFTER_CLOSE)
    assert again.rows == 300  # a refresh keeps the calendar the ticker was cached with


@pytest.mark.parametrize("calendar", ["XLON", "XTKS", "XTSE", "XSWX"])
def test_forecast_dates_come_from_the_tickers_own_calendar(tmp_path, calendar) -> None:
    """A model trained on New York data forecasting a ticker cached with another exchange's
    calendar: its 60 dates are that exchange's next 60 sessions (Boxing Day, Japan's New
    Year closure and Canada Day never appear)."""
    cache_bars(tmp_path / "data", "AAA", make_bars(200, seed=1))
    train.run(tiny_request(tmp_path, "m", ("AAA",), window=5, epochs=1))
    frame = make_bars(120, start="2023-08-01", seed=2, calendar=calendar)
    cache_bars(tmp_path / "data", "FOR", frame, calendar=calendar)
    dirs = ["--data-dir", str(tmp_path / "data"), "--models-dir", str(tmp_path / "models")]
    got = runner.invoke(app, ["predict", "FOR", "--model", "m", "--days", "60", "--csv", *dirs])
    assert got.exit_code == 0, got.stderr
    dates = [line.split(",")[1] for line in got.stdout.splitlines()[1:]]
    want = trading_calendar.next_sessions(calendar, frame.index[-1].date(), 60)
    assert dates == [d.isoformat() for d in want]
    other = runner.invoke(
        app, ["predict", "FOR", "--model", "m", "--days", "5", "--calendar", "XNYS", "--csv", *dirs]
    )
    want = trading_calendar.next_sessions("XNYS", frame.index[-1].date(), 5)
    assert [line.split(",")[1] for line in other.stdout.splitlines()[1:]] == [
        d.isoformat() for d in want
    ]  # unless the user names another
