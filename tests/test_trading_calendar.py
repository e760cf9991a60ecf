from datetime import date

import pandas as pd
import pytest
from conftest import make_bars

from stockrnn import trading_calendar as tc
from stockrnn.errors import UsageError


def test_next_sessions_skip_weekends_and_holidays() -> None:
    assert tc.next_sessions("XNYS", date(2024, 12, 24), 2) == [
        date(2024, 12, 26),
        date(2024, 12, 27),
    ]
    assert tc.next_sessions("XNYS", date(2025, 7, 5), 1) == [date(2025, 7, 7)]  # a Saturday


def test_sessions_since_counts_closed_sessions_only() -> None:
    during = pd.Timestamp("2025-07-08 15:00", tz="UTC")  # Tuesday, market open
    assert tc.sessions_since("XNYS", date(2025, 7, 3), during) == 1  # Monday only
    after = pd.Timestamp("2025-07-08 21:00", tz="UTC")
    assert tc.sessions_since("XNYS", date(2025, 7, 3), after) == 2


def test_drop_unclosed_keeps_a_closed_bar() -> None:
    frame = make_bars(3, start="2025-07-07")  # Mon..Wed
    assert tc.drop_unclosed(frame, "XNYS", pd.Timestamp("2025-07-09 21:00", tz="UTC")) == 0
    assert tc.drop_unclosed(frame, "XNYS", pd.Timestamp("2025-07-09 14:00", tz="UTC")) == 1
    assert frame.index[-1] == pd.Timestamp("2025-07-08")


def test_unknown_calendar() -> None:
    with pytest.raises(UsageError, match="unknown exchange calendar"):
        tc.get("NOPE")


def test_other_exchange() -> None:
    # London: 2024-12-26 (Boxing Day) is closed, unlike New York
    assert tc.next_sessions("XLON", date(2024, 12, 24), 1) == [date(2024, 12, 27)]
