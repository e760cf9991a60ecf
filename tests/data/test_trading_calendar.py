from datetime import date

import pandas as pd
import pytest
from helpers.bars import make_bars

from stockrnn.common.errors import UsageError
from stockrnn.data import trading_calendar as tc


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


def test_unclosed_bar_is_flagged_until_the_close() -> None:
    index = make_bars(3, start="2025-07-07").index  # Mon..Wed
    closed = tc.check_sessions(index, "XNYS", pd.Timestamp("2025-07-09 21:00", tz="UTC"))
    assert closed.keep.all()
    open_ = tc.check_sessions(index, "XNYS", pd.Timestamp("2025-07-09 14:00", tz="UTC"))
    assert list(open_.unclosed) == [False, False, True]
    assert open_.last_closed == pd.Timestamp("2025-07-08")


def test_weekends_holidays_and_ancient_or_far_dates_are_not_sessions() -> None:
    index = pd.DatetimeIndex(
        ["1700-01-04", "2024-12-24", "2024-12-25", "2024-12-28", "2263-01-01"]
    ).as_unit("s")
    check = tc.check_sessions(index, "XNYS", pd.Timestamp("2026-01-01", tz="UTC"))
    assert list(check.before) == [True, False, False, False, False]
    assert list(check.off) == [False, False, True, True, False]  # Christmas, a Saturday
    assert list(check.unclosed) == [False, False, False, False, True]
    assert list(check.keep) == [False, True, False, False, False]


def test_calendar_with_a_later_first_year_starts_there() -> None:
    assert tc.get_calendar("XHKG").first_session.year == 1960


def test_unknown_calendar() -> None:
    with pytest.raises(UsageError, match="unknown exchange calendar"):
        tc.get_calendar("NOPE")


def test_other_exchange() -> None:
    # London: 2024-12-26 (Boxing Day) is closed, unlike New York
    assert tc.next_sessions("XLON", date(2024, 12, 24), 1) == [date(2024, 12, 27)]
