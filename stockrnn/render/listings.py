"""The tables of what is stored: fetched tickers, the cache, saved models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table

from stockrnn.common.limits import STALE_SESSIONS
from stockrnn.data.fetch_types import Status

if TYPE_CHECKING:
    from stockrnn.checkpoint.catalog import ModelRow
    from stockrnn.data.fetch_types import CachedRow, FetchResult


from stockrnn.render.tables import fmt, pct


def fetch_table(rows: Sequence[FetchResult]) -> Table:
    """Summary of a fetch: one row per ticker, failures included."""
    table = Table(title="fetch")
    for col in ("ticker", "rows", "first", "last", "last close", "source", "status"):
        table.add_column(
            col, justify="right" if col in ("rows", "last close") else "left", no_wrap=True
        )
    for r in rows:
        table.add_row(
            r.symbol,
            str(r.rows or "-"),
            r.first or "-",
            r.last or "-",
            fmt(r.last_close),
            r.source or "-",
            r.status,
            style="red" if r.status is Status.failed else None,
        )
    return table


def list_table(rows: Sequence[CachedRow]) -> Table:
    """Cached tickers with their ranges and staleness (sessions behind the last close);
    unreadable ones say why."""
    table = Table(title="cached data", caption="behind: sessions closed since the last bar")
    for col in ("ticker", "rows", "first", "last", "behind", "source"):
        table.add_column(
            col, justify="right" if col in ("rows", "behind") else "left", no_wrap=True
        )
    for r in rows:
        if r.error is not None:
            table.add_row(r.symbol, "-", "-", "-", "-", f"unreadable: {r.error}", style="red")
            continue
        table.add_row(
            r.symbol,
            str(r.rows),
            r.first_date,
            r.last_date,
            str(r.sessions_behind),
            r.source,
            style="yellow" if r.sessions_behind > STALE_SESSIONS else None,
        )
    return table


def models_table(rows: Sequence[ModelRow]) -> Table:
    """Saved models: architecture, data, and test skill vs naive; unreadable ones say why."""
    table = Table(title="models")
    heads = (
        "name",
        "cell",
        "size",
        "tickers",
        "trained",
        "rel. MAE",
        "skill %",
        "cover 80%",
        "note",
    )
    for col in heads:
        table.add_column(
            col,
            no_wrap=col not in ("tickers", "note"),
            justify="right" if col in ("rel. MAE", "skill %", "cover 80%") else "left",
        )
    for r in rows:
        if r.error is not None:
            table.add_row(r.name, *["-"] * 7, f"unreadable: {r.error}", style="red")
            continue
        table.add_row(
            r.name,
            r.cell,
            r.size,
            ", ".join(r.tickers[:4]) + (f" +{len(r.tickers) - 4}" if len(r.tickers) > 4 else ""),
            r.trained,
            fmt(r.rel_mae, 3),
            "n/a" if r.skill is None else f"{r.skill:.1f}",
            pct(r.cover80).rstrip("%"),
            "",
        )
    return table
