"""What the cache holds, for `stockrnn list`: each ticker's range and how many sessions it is
behind, read from the manifests and the kept sessions, so that listing loads no pandas
(`stockrnn list` of the three sample tickers took 0.76 s with it, 0.36 s without:
bench/results/startup-list-predict-ab23f17-2026-12-02.log). Only a calendar whose sessions
fetch kept none of, or too few, is built (trading_calendar, with pandas)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from stockrnn.common.errors import StockrnnError
from stockrnn.data import manifests, session_table
from stockrnn.data.fetch_types import CachedRow


def list_cached(data_dir: Path, now: datetime | None = None) -> list[CachedRow]:
    """Every cached ticker with its range and how many sessions it is behind (as of `now`,
    a timezone-aware moment; the present when not given)."""
    if now is not None and now.utcoffset() is None:
        raise ValueError("list_cached: `now` must be timezone-aware")
    out = []
    kept = session_table.reader(data_dir)
    moment = session_table.utc_now() if now is None else session_table.moment_of(now)
    for m in manifests.entries(data_dir):
        if not isinstance(m, manifests.Manifest):
            stem, why = m
            out.append(CachedRow(symbol="^" + stem[1:] if stem[:1] == "_" else stem, error=why))
            continue
        try:
            last = date.fromisoformat(m.last_date)
            behind = session_table.behind(kept(m.calendar), last, moment)
            if behind is None:
                behind = _built(m.calendar, last, now)
        except StockrnnError as exc:  # an unknown calendar: unreadable, the rest still listed
            out.append(CachedRow(symbol=m.symbol, error=str(exc)))
            continue
        out.append(
            CachedRow(
                symbol=m.symbol,
                rows=m.rows,
                first_date=m.first_date,
                last_date=m.last_date,
                sessions_behind=behind,
                source=m.source,
                calendar=m.calendar,
            )
        )
    return out


def _built(calendar: str, last: date, now: datetime | None) -> int:
    """Sessions closed after `last` by `now`, from the calendar built (with pandas)."""
    import pandas as pd

    from stockrnn.data import trading_calendar

    return trading_calendar.sessions_since(
        calendar, last, None if now is None else pd.Timestamp(now)
    )
