"""The sessions fetch keeps in data/calendars/ answer exactly as the calendar would, are used
only when they are whole and from the installed exchange_calendars, and are never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from helpers.bars import make_bars

from stockrnn.data import cache, fetch, session_table
from stockrnn.data import trading_calendar as tc
from stockrnn.data.fetch_types import FetchOptions


def _kept(tmp_path, name: str, since: date) -> session_table.Sessions:
    session_table.keep(tmp_path, name, tc.get_calendar(name, since))
    kept = session_table.load(tmp_path, name)
    assert kept is not None
    return kept


@pytest.mark.parametrize("name", ["XNYS", "XLON", "XTKS", "XHKG"])
def test_kept_sessions_answer_as_the_calendar_does(tmp_path, name, monkeypatch) -> None:
    kept = _kept(tmp_path, name, date(2015, 1, 1))
    wide = tc.get_calendar(name, date(2015, 1, 1))  # the reference: one build, not one a month
    monkeypatch.setattr(tc, "get_calendar", lambda *_: wide)
    rng = np.random.default_rng(7)
    now = pd.Timestamp.now(tz="UTC")
    for _ in range(40):
        last = date(2015, 2, 1) + timedelta(days=int(rng.integers(0, 4000)))
        count = int(rng.integers(1, 60))
        assert tc.next_sessions(name, last, count, kept) == tc.next_sessions(name, last, count)
        moment = now - pd.Timedelta(hours=float(rng.uniform(0, 24 * 400)))
        assert tc.sessions_since(name, last, moment, kept) == tc.sessions_since(name, last, moment)
    assert kept.answers(date(2020, 1, 2), 5, session_table.utc_now())


def test_sessions_closed_by_the_minute(tmp_path) -> None:
    kept = _kept(tmp_path, "XNYS", date(2025, 6, 1))
    during = pd.Timestamp("2025-07-08 15:00", tz="UTC")  # Tuesday, market open
    assert tc.sessions_since("XNYS", date(2025, 7, 3), during, kept) == 1
    assert tc.sessions_since("XNYS", date(2025, 7, 3), during + pd.Timedelta(hours=6), kept) == 2


def test_what_the_table_cannot_answer_is_built(tmp_path, monkeypatch) -> None:
    kept = _kept(tmp_path, "XNYS", date(2024, 1, 1))
    assert not kept.answers(date(2020, 6, 1))  # before its first session
    assert not kept.answers(date(2024, 6, 3), count=10_000)  # past its last one
    assert not kept.answers(date(2024, 6, 3), now=kept.closes[-1])  # now past every close
    assert tc.next_sessions("XNYS", date(2020, 6, 5), 1, kept) == [date(2020, 6, 8)]
    monkeypatch.setattr(tc, "get_calendar", lambda *a, **k: pytest.fail("built"))
    assert tc.next_sessions("XNYS", date(2024, 6, 28), 1, kept) == [date(2024, 7, 1)]


def test_overlapping_spans_are_joined(tmp_path) -> None:
    _kept(tmp_path, "XNYS", date(2024, 1, 1))
    kept = _kept(tmp_path, "XNYS", date(2016, 1, 1))
    assert kept.dates[0] <= np.datetime64("2016-01-04")
    assert np.all(np.diff(kept.dates).astype(int) > 0)
    full = tc.get_calendar("XNYS", date(2016, 1, 1))
    assert len(kept.dates) == len(full.sessions)


def test_another_exchange_calendars_version_is_ignored(tmp_path, monkeypatch) -> None:
    _kept(tmp_path, "XNYS", date(2024, 1, 1))
    monkeypatch.setattr(session_table, "installed_version", lambda: "0.0.1")
    assert session_table.load(tmp_path, "XNYS") is None


def _write(tmp_path, fields, name="XNYS") -> None:
    folder = tmp_path / session_table.FOLDER
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(fields))


def _fields(**change):
    days = np.arange("2024-01-01", "2024-02-01", dtype="datetime64[D]")
    fields = {
        "format": session_table.FORMAT,
        "name": "XNYS",
        "exchange_calendars": session_table.installed_version(),
        "sessions": days.astype(int).tolist(),
        "closes": (days.astype("datetime64[s]") + np.timedelta64(21, "h")).astype(int).tolist(),
    }
    return {**fields, **change}


@pytest.mark.parametrize(
    "change",
    [
        {"closes": [1, 2, 3]},  # lengths differ
        {"sessions": list(range(19723, 19754))[::-1]},  # out of order
        {"sessions": [float(d) for d in range(19723, 19754)]},
        {"sessions": [True] * 31},
        {"closes": [(19723 + i + 5) * 86400 for i in range(31)]},  # closes days off their dates
        {"name": "XLON"},
        {"format": 99},
        {"exchange_calendars": "0.0.1"},
        {"sessions": [], "closes": []},
        {"sessions": [-200_000 + i for i in range(31)]},  # before 1800
        {"sessions": [10**30] * 31},  # past int64
    ],
)
def test_a_file_that_is_off_is_ignored(tmp_path, change) -> None:
    _write(tmp_path, _fields())
    assert session_table.load(tmp_path, "XNYS") is not None  # the untouched one is used
    _write(tmp_path, _fields(**change))
    assert session_table.load(tmp_path, "XNYS") is None


def test_garbage_links_fifos_and_odd_names_are_ignored(tmp_path) -> None:
    folder = tmp_path / session_table.FOLDER
    folder.mkdir()
    path = folder / "XNYS.json"
    for junk in (b"{not json", b"[" * 100_000, b"null", b" " * (9 << 20)):
        path.write_bytes(junk)
        assert session_table.load(tmp_path, "XNYS") is None
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text(json.dumps(_fields()))
    path.unlink()
    path.symlink_to(outside)
    assert session_table.load(tmp_path, "XNYS") is None
    path.unlink()
    os.mkfifo(path)  # opening it must not wait for a writer
    assert session_table.load(tmp_path, "XNYS") is None
    path.unlink()
    assert session_table.path_of(tmp_path, "24/7") is None
    assert session_table.path_of(tmp_path, "../XNYS") is None
    session_table.keep(tmp_path, "24/7", tc.get_calendar("24/7", date(2024, 1, 1)))
    assert list(folder.iterdir()) == []


def test_a_file_that_disagrees_with_the_calendar_is_replaced(tmp_path) -> None:
    cal = tc.get_calendar("XNYS", date(2024, 1, 1))
    session_table.keep(tmp_path, "XNYS", cal)
    path = tmp_path / session_table.FOLDER / "XNYS.json"
    edited = json.loads(path.read_text())
    edited["sessions"][5] += 1  # a session moved by a day: still well-formed
    edited["closes"][5] += 86400
    path.write_text(json.dumps(edited))
    kept = session_table.load(tmp_path, "XNYS")
    assert kept is not None  # a reader cannot tell...
    session_table._done.clear()  # (a later fetch, in another process)
    session_table.keep(tmp_path, "XNYS", cal)  # ...but the next fetch's calendar can
    assert (
        json.loads(path.read_text())["sessions"]
        == cal.sessions.to_numpy().astype("datetime64[D]").astype(int).tolist()
    )


def test_fetch_keeps_the_sessions_it_checked_the_bars_with(tmp_path) -> None:
    path = tmp_path / "bars.csv"
    make_bars(80, start="2024-01-02").to_csv(path, index_label="date")
    opts = FetchOptions(source="csv", csv=path, calendar="XLON")
    [config] = fetch.configs_for(["AAA"], opts)
    fetch.fetch_one(tmp_path / "data", config)
    kept = session_table.load(tmp_path / "data", "XLON")
    assert kept is not None and kept.dates[0] <= np.datetime64("2024-01-02")
    assert cache.load(tmp_path / "data", "AAA")[1].calendar == "XLON"


def test_a_killed_writers_temp_file_is_swept(tmp_path) -> None:
    folder = tmp_path / session_table.FOLDER
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = folder / f".XNYS.json.tmp-{dead}"
    stale.write_bytes(b"half")
    session_table.keep(tmp_path, "XNYS", tc.get_calendar("XNYS", date(2024, 1, 1)))
    assert sorted(p.name for p in folder.iterdir()) == ["XNYS.json"]
