import hashlib
from datetime import date

import pandas as pd
import pytest
from curl_cffi.requests.exceptions import DNSError

from stockrnn.common.errors import DataError, EmptyRangeError, OfflineError
from stockrnn.data import cache
from stockrnn.data.fetch import fetch_one
from stockrnn.data.fetch_many import fetch_all
from stockrnn.data.fetch_types import FetchConfig, FetchOptions
from stockrnn.data.inventory import list_cached

AFTER_CLOSE = pd.Timestamp("2031-01-01", tz="UTC")


def snapshot(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def test_first_fetch_stores_csv_and_manifest(tmp_path, fake_yahoo, bars) -> None:
    fake_yahoo.frames["AAPL"] = bars(50)
    res = fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    assert res.status == "new" and res.rows == 50
    frame, man = cache.load(tmp_path, "AAPL")
    assert man.adjusted and man.source == "yahoo" and man.rows == 50
    assert man.yfinance_version and man.first_date == "2020-01-02"
    assert (tmp_path / "AAPL.csv").read_text().startswith("date,open,high,low,close,volume\n")


def test_incremental_downloads_only_new_days(tmp_path, fake_yahoo, bars) -> None:
    full = bars(60)
    fake_yahoo.frames["AAPL"] = full.iloc[:40]
    fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    fake_yahoo.frames["AAPL"] = full
    fake_yahoo.calls.clear()
    res = fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    assert res.status == "updated" and res.added == 20 and res.rows == 60
    assert fake_yahoo.calls[0]["start"] == full.index[39].strftime("%Y-%m-%d")
    again = fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    assert again.status == "up to date" and again.added == 0


def test_readjusted_history_triggers_full_download(tmp_path, fake_yahoo, bars) -> None:
    full = bars(60)
    fake_yahoo.frames["AAPL"] = full.iloc[:40]
    fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    adjusted = full.copy()
    adjusted[["open", "high", "low", "close"]] *= 0.98  # a dividend re-based all history
    fake_yahoo.frames["AAPL"] = adjusted
    res = fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    assert res.status == "replaced" and res.rows == 60
    frame, _ = cache.load(tmp_path, "AAPL")
    assert frame["close"].iloc[0] == pytest.approx(adjusted["close"].iloc[0])
    assert any("re-adjusted" in n for n in res.notes)


def test_unclosed_session_bar_is_dropped(tmp_path, fake_yahoo, bars) -> None:
    frame = bars(5, start="2025-07-01")  # 07-01 .. 07-07 business days; 07-04 is a holiday
    frame = frame[frame.index != "2025-07-04"]
    fake_yahoo.frames["AAPL"] = frame
    during = pd.Timestamp("2025-07-07 15:00", tz="UTC")  # 11:00 New York, session open
    res = fetch_one(tmp_path, FetchConfig("AAPL"), now=during)
    assert res.last == "2025-07-03"
    assert any("after the last closed session (2025-07-03) dropped" in n for n in res.notes)


def test_offline_leaves_cache_untouched(tmp_path, fake_yahoo, bars) -> None:
    fake_yahoo.frames["AAPL"] = bars(30)
    fetch_one(tmp_path, FetchConfig("AAPL"), now=AFTER_CLOSE)
    before = snapshot(tmp_path)
    fake_yahoo.errors["AAPL"] = DNSError("curl: (6) Could not resolve host")
    with pytest.raises(OfflineError):
        fetch_one(tmp_path, FetchConfig("AAPL", FetchOptions(full=True)), now=AFTER_CLOSE)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("start", "end"), [(date(2024, 5, 2), date(2024, 5, 1)), (date(2024, 5, 4), date(2024, 5, 5))]
)
def test_empty_or_inverted_range(tmp_path, fake_yahoo, start, end) -> None:
    with pytest.raises(EmptyRangeError):
        fetch_one(tmp_path, FetchConfig("AAPL", FetchOptions(start=start, end=end)))
    assert fake_yahoo.calls == []


def test_one_failure_does_not_stop_others(tmp_path, fake_yahoo, bars) -> None:
    fake_yahoo.frames["MSFT"] = bars(20)
    rows, code = fetch_all(tmp_path, [FetchConfig("NOPE"), FetchConfig("MSFT")])
    assert [r.status for r in rows] == ["failed", "new"] and code == 6
    assert "NOPE" in (rows[0].error or "") and rows[0].exit_code == 6 and rows[1].error is None


def test_sample_and_list(tmp_path) -> None:
    fetch_one(tmp_path, FetchConfig("AAPL", FetchOptions(source="sample")))
    rows = list_cached(tmp_path, now=pd.Timestamp("2013-03-08 23:00", tz="UTC"))
    assert rows[0].symbol == "AAPL" and rows[0].sessions_behind == 5
    frame, _ = cache.load(tmp_path, "AAPL")
    # AAPL's 2:1 splits of 2000-06-21 and 2005-02-28 are gone after adjustment
    for day, before in (("2000-06-21", "2000-06-20"), ("2005-02-28", "2005-02-25")):
        assert abs(frame["close"].loc[day] / frame["close"].loc[before] - 1) < 0.1
    fetch_one(tmp_path, FetchConfig("MSFT", FetchOptions(source="sample")))
    msft, _ = cache.load(tmp_path, "MSFT")
    assert abs(msft["close"].loc["2003-02-18"] / msft["close"].loc["2003-02-14"] - 1) < 0.1


def test_tampered_csv_detected(tmp_path) -> None:
    fetch_one(tmp_path, FetchConfig("IBM", FetchOptions(source="sample")))
    with open(tmp_path / "IBM.csv", "a") as fh:
        fh.write("2013-03-04,1,1,1,1,1,1\n")
    with pytest.raises(DataError, match="does not match its manifest"):
        cache.load(tmp_path, "IBM")


@pytest.mark.parametrize(
    ("cfg", "msg"),
    [
        (FetchConfig("AAPL", FetchOptions(period="7y")), "--period must be one of"),
        (FetchConfig("AAPL", FetchOptions(period="5y", start=date(2020, 1, 2))), "either --period"),
        (FetchConfig("AAPL", FetchOptions(start=date(2099, 1, 2))), "is after"),
    ],
)
def test_bad_period_or_future_start(tmp_path, fake_yahoo, cfg, msg) -> None:
    from stockrnn.common.errors import StockrnnError

    with pytest.raises(StockrnnError, match=msg):
        fetch_one(tmp_path, cfg)
    assert fake_yahoo.calls == []


def test_crash_between_the_two_renames_is_undone(tmp_path, monkeypatch, bars) -> None:
    from stockrnn.common import atomic
    from stockrnn.common.errors import StorageError

    fetch_one(tmp_path, FetchConfig("IBM", FetchOptions(source="sample")))
    old, _ = cache.load(tmp_path, "IBM")
    real, calls = atomic.os.replace, []

    def die_on_second(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 2:  # the CSV is in place, the manifest is not
            raise OSError(5, "simulated crash")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", die_on_second)
    new = tmp_path / "new.csv"
    bars(50).to_csv(new, index_label="Date")
    with pytest.raises(StorageError):
        fetch_one(tmp_path, FetchConfig("IBM", FetchOptions(source="csv", csv=new)))
    monkeypatch.undo()
    frame, manifest = cache.load(tmp_path, "IBM")
    pd.testing.assert_frame_equal(frame, old)
    assert manifest.source == "sample"
    assert not (tmp_path / ".IBM.csv.prev").exists()
