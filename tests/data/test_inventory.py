"""`list`'s inventory: the kept sessions answer without pandas, and agree with the calendar."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd

from stockrnn.data import inventory, session_table, trading_calendar
from stockrnn.data.fetch import fetch_one
from stockrnn.data.fetch_types import FetchConfig, FetchOptions


def test_kept_sessions_and_the_built_calendar_agree(tmp_path) -> None:
    fetch_one(tmp_path, FetchConfig("AAPL", FetchOptions(source="sample")))
    assert session_table.reader(tmp_path)("XNYS") is not None  # fetch kept the sessions
    for now in ("2013-03-04 20:59", "2013-03-04 21:01", "2013-07-05 12:00", "2024-11-29 19:00"):
        moment = pd.Timestamp(now, tz="UTC")
        kept = inventory.list_cached(tmp_path, now=moment)
        expected = trading_calendar.sessions_since(
            "XNYS", pd.Timestamp(kept[0].last_date).date(), moment
        )
        assert kept[0].sessions_behind == expected, now
        shutil.move(tmp_path / "calendars", tmp_path / "aside")  # the fallback: built with pandas
        assert inventory.list_cached(tmp_path, now=moment)[0].sessions_behind == expected, now
        shutil.move(tmp_path / "aside", tmp_path / "calendars")
    # the sample ends 2013-03-01 (a Friday); NYSE closes at 21:00 UTC in winter
    at = pd.Timestamp("2013-03-04 20:59", tz="UTC")
    assert inventory.list_cached(tmp_path, now=at)[0].sessions_behind == 0
    at = pd.Timestamp("2013-03-04 21:01", tz="UTC")
    assert inventory.list_cached(tmp_path, now=at)[0].sessions_behind == 1


def test_list_of_a_fetched_workspace_loads_no_pandas(tmp_path) -> None:
    fetch_one(tmp_path / "d", FetchConfig("AAPL", FetchOptions(source="sample")))
    code = (
        "import sys\n"
        "from stockrnn.cli.main import app\n"
        "try:\n    app(['list', '--json'], prog_name='stockrnn')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED:' + ','.join(m for m in ('torch', 'pandas', 'yfinance') "
        "if m in sys.modules), file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "STOCKRNN_DATA": str(tmp_path / "d"),
        "STOCKRNN_MODELS": str(tmp_path / "m"),
    }
    got = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "LOADED:\n" in got.stderr, got.stderr
    assert '"AAPL"' in got.stdout


def test_kept_sessions_are_what_answers_and_odd_rows_are_listed(tmp_path, monkeypatch) -> None:
    from datetime import datetime

    import pytest
    from helpers.bars import cache_bars, make_bars

    fetch_one(tmp_path, FetchConfig("AAPL", FetchOptions(source="sample")))

    def no_build(*_: object) -> int:
        raise AssertionError("the calendar was built although the kept sessions answer")

    with monkeypatch.context() as m:
        m.setattr(inventory, "_built", no_build)
        m.setattr(trading_calendar, "sessions_since", no_build)
        rows = {
            r.symbol: r
            for r in inventory.list_cached(tmp_path, now=pd.Timestamp("2013-03-08 23:00", tz="UTC"))
        }
    assert rows["AAPL"].sessions_behind == 5 and rows["AAPL"].error is None
    cache_bars(tmp_path, "ODD", make_bars(30), calendar="XNOPE")
    rows = {r.symbol: r for r in inventory.list_cached(tmp_path)}
    assert rows["ODD"].error and "XNOPE" in rows["ODD"].error  # its own row, the rest listed
    assert rows["AAPL"].error is None
    with pytest.raises(ValueError, match="timezone-aware"):
        inventory.list_cached(tmp_path, now=datetime(2013, 3, 8, 23))
